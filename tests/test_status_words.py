"""Each domain's status words, as its states module declares them, are the README's."""

import re
from pathlib import Path
from typing import Any, get_args

import pytest

from jlab_platform.capture import states as capture
from jlab_platform.crowd import states as crowd
from jlab_platform.files import states as files
from jlab_platform.jobs import states as jobs
from jlab_platform.jobs.models import Job
from jlab_platform.kernel import run_states as runs

README = Path(__file__).resolve().parent.parent / "README.md"


def _readme_rows() -> dict[str, tuple[set[str], set[str]]]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("### Status words") :]
    section = section[: section.index("\n## ")]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) == 4 and cells[1].endswith(".py`"):
            words = [set(re.findall(r"`([a-z_]+)`", cell)) for cell in cells[2:]]
            rows[cells[1].strip("`")] = (words[0], words[1])
    return rows


@pytest.mark.parametrize(
    ("module_path", "module", "all_words"),
    [
        ("jobs/states.py", jobs, get_args(jobs.JobStatus)),
        ("files/states.py", files, get_args(files.TaskStatus)),
        ("capture/states.py", capture, get_args(capture.CaptureState)),
        ("kernel/run_states.py", runs, get_args(runs.RunStatus)),
    ],
)
def test_active_and_ended_words_split_the_vocabulary_as_documented(
    module_path: str, module: Any, all_words: tuple[str, ...]
) -> None:
    active, ended = _readme_rows()[module_path]
    assert ended == set(module.ENDED)
    assert active | ended == set(all_words) and not active & ended


def test_crowd_states_are_documented() -> None:
    active, ended = _readme_rows()["crowd/states.py"]
    assert active | ended == set(get_args(crowd.CrowdState)) and ended == {crowd.FINISHED}


def test_the_api_models_use_the_declared_words() -> None:
    assert Job.model_fields["status"].annotation == jobs.JobStatus
