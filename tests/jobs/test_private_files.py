"""What a job leaves on disk: only its own variables, readable by the server's user only."""

import json
import stat
from pathlib import Path

import pytest

from jlab_platform.jobs.service import JobService

from .conftest import Workspace, full_log, make_service, wait_for

SECRET = "s3cr3t-cloud-key-value"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_spec_keeps_no_server_secret_and_files_are_private(
    service: JobService, ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JLAB_TEST_CLOUD_KEY", SECRET)
    ws.write(
        "train.py",
        "import os\nprint('key seen:', os.environ.get('JLAB_TEST_CLOUD_KEY') == 's3cr3t-cloud-key-value')\n",
    )
    job = service.submit("train.py")
    done = wait_for(service, job.id, "success", "failed")
    assert done.status == "success", full_log(service, job.id)
    # The job still runs in the server's environment: it sees the variable.
    assert "key seen: True" in full_log(service, job.id)

    job_dir = ws.data / "jobs" / job.id
    spec = json.loads((job_dir / "spec.json").read_text())
    assert spec["env"]["JLAB_JOB_ID"] == job.id and "JLAB_TEST_CLOUD_KEY" not in spec["env"]
    for path in job_dir.iterdir():
        assert SECRET not in path.read_text(), path
    for name in ("spec.json", "started.json", "exit.json", "output.log"):
        assert _mode(job_dir / name) == 0o600, name
    for folder in (ws.data / "jobs", ws.data / "snapshots", job_dir):
        assert _mode(folder) == 0o700, folder

    # A restart is built from the row and the snapshot, in the server's live environment.
    again = service.restart(job.id)
    redone = wait_for(service, again.id, "success", "failed")
    assert redone.status == "success", full_log(service, again.id)
    assert "key seen: True" in full_log(service, again.id)
    assert SECRET not in (ws.data / "jobs" / again.id / "spec.json").read_text()


def test_an_upgrade_makes_folders_private_and_cuts_old_specs_down(ws: Workspace, db_url: str) -> None:
    old_job = ws.data / "jobs" / "0123456789ab"
    old_job.mkdir(parents=True)
    (ws.data / "jobs").chmod(0o755)
    own = {"PYTHONUNBUFFERED": "1", "JLAB_JOB_ID": "0123456789ab"}
    old_spec = {"job_id": "0123456789ab", "env": {**own, "CUDA_VISIBLE_DEVICES": "", "AWS_SECRET": SECRET}}
    (old_job / "spec.json").write_text(json.dumps({**old_spec, "env_vars": own}))
    (old_job / "spec.json").chmod(0o644)
    service = make_service(ws, db_url)
    try:
        assert _mode(ws.data / "jobs") == 0o700
        spec = json.loads((old_job / "spec.json").read_text())
        assert spec["env"] == {**own, "CUDA_VISIBLE_DEVICES": ""} and spec["job_id"] == "0123456789ab"
        assert _mode(old_job / "spec.json") == 0o600
    finally:
        service.store.dispose()
