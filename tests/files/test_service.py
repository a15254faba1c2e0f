"""File actions outlive a restart: an extraction's record comes back, a cut-off one leaves nothing."""

import time
from pathlib import Path

from jlab_platform.files.extract import ExtractLimits, staging_folder
from jlab_platform.files.service import FileActions
from jlab_platform.files.tasks import Task
from jlab_platform.paths import PathResolver
from tests.convert.archives import build


def actions(root: Path, data: Path) -> FileActions:
    return FileActions(PathResolver(root), ExtractLimits(), data)


def test_an_extraction_record_outlives_the_server(tmp_path: Path) -> None:
    root, data = tmp_path / "workspace", tmp_path / "data"
    (root / "downloads").mkdir(parents=True)
    build(root / "downloads" / "pack.zip", [("file", "a.txt", b"alpha"), ("dir", "sub", None)])
    first = actions(root, data)
    started = first.extract("downloads/pack.zip")
    deadline = time.monotonic() + 30
    while first.get(started.id).status == "running":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    first.close()
    again = actions(root, data).get(started.id)
    assert again.status == "succeeded" and again.output == "downloads/pack"
    assert (root / "downloads" / "pack" / "a.txt").read_bytes() == b"alpha"


def test_an_extraction_cut_off_by_a_restart_leaves_no_staging_folder(tmp_path: Path) -> None:
    root, data = tmp_path / "workspace", tmp_path / "data"
    (root / "downloads").mkdir(parents=True)
    first = actions(root, data)
    record = first.tasks.add(
        Task(kind="extract", source="downloads/big.zip", output="downloads/big", options={})
    )
    first.tasks.start(record, "extracting", "Extracting big.zip")
    staging = staging_folder(root / "downloads", "big", record.id)
    (staging / "half").mkdir(parents=True)  # the server is killed here
    other = staging_folder(root / "downloads", "big", "someone-else")
    other.mkdir()
    again = actions(root, data)
    assert again.get(record.id).status == "failed" and not staging.exists()
    assert other.exists()  # only what that record was writing is removed
