"""A job names its TensorBoard run: the folder its metrics are written to, wherever runs are configured;
/info names the folder of all runs (the UI's Open TensorBoard default)."""

from pathlib import Path
from typing import Any

import pytest

from tests.server.test_jobs_handlers import call, wait_status

TRAIN = "import json\nprint(json.dumps({'metric': 'loss', 'value': 0.5, 'step': 1}))\n"


@pytest.fixture(params=[None, "runs/tb", "outside"])
def runs_setting(request: pytest.FixtureRequest, jp_root_dir: Path) -> str | None:
    if request.param == "outside":  # an absolute folder outside the root: no TensorBoard opens there
        return str(jp_root_dir.parent / "elsewhere-runs")
    value: str | None = request.param
    return value


@pytest.fixture
def jp_server_config(jp_server_config: dict[str, Any], runs_setting: str | None) -> dict[str, Any]:
    if runs_setting is not None:
        jp_server_config["JlabPlatform"] = {"tensorboard_runs_dir": runs_setting}
    return jp_server_config


async def test_a_jobs_tensorboard_run_is_the_folder_its_events_go_to(
    jp_fetch: Any, jp_root_dir: Path, runs_setting: str | None
) -> None:
    (jp_root_dir / "train.py").write_text(TRAIN)
    job = await call(jp_fetch, "jobs", method="POST", body={"script": "train.py", "name": "exp 1/a"})
    done = await wait_status(jp_fetch, job["id"], "success", "failed")
    assert done["status"] == "success", done

    runs_dir = Path(runs_setting) if runs_setting else Path("results/tensorboard")
    runs_dir = runs_dir if runs_dir.is_absolute() else jp_root_dir / runs_dir
    (written,) = runs_dir.iterdir()  # the folder the job's event writer created
    assert list(written.glob("events.out.tfevents.*"))
    if runs_dir.is_relative_to(jp_root_dir):
        expected: str | None = written.relative_to(jp_root_dir).as_posix()
        assert expected == f"{runs_dir.relative_to(jp_root_dir).as_posix()}/exp_1_a-{job['id']}"
    else:
        expected = None
    assert job["tensorboard_run"] == done["tensorboard_run"] == expected
    listed = await call(jp_fetch, "jobs")
    assert [j["tensorboard_run"] for j in listed["jobs"]] == [expected]


async def test_info_names_the_runs_folder(jp_fetch: Any, jp_root_dir: Path, runs_setting: str | None) -> None:
    info = await call(jp_fetch, "info")
    if runs_setting is None:
        assert info["tensorboard_runs_dir"] == "results/tensorboard"
    elif Path(runs_setting).is_absolute():  # outside the root: nothing to open there
        assert info["tensorboard_runs_dir"] is None
    else:
        assert info["tensorboard_runs_dir"] == runs_setting
