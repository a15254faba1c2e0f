"""Jobs outlive the server: kill -9 it, start it again, and the jobs are found again."""

import os
import signal
import time
from pathlib import Path
from typing import Any

import psutil

from tests.helpers.jupyter import ServerProcess, running_server, stop_server


def _wait(server: ServerProcess, job_id: str, *statuses: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job: dict[str, Any] = server.request("GET", f"jlab-platform/api/jobs/{job_id}")
        if job["status"] in statuses:
            return job
        time.sleep(0.1)
    raise AssertionError(f"{job_id} never reached {statuses}")


def _log(server: ServerProcess, job_id: str) -> str:
    return str(server.request("GET", f"jlab-platform/api/jobs/{job_id}/log")["data"])


def _submit_running(server: ServerProcess, script: str) -> dict[str, Any]:
    job: dict[str, Any] = server.request("POST", "jlab-platform/api/jobs", {"script": script})
    return _wait(server, job["id"], "running")


def test_running_job_survives_a_killed_server_and_is_reattached(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    go = tmp_path / "go"  # the job runs until the test creates this file
    (root / "slow.py").write_text(
        "import os, sys, time\nprint('started', flush=True)\n"
        "while not os.path.exists(sys.argv[1]):\n    time.sleep(0.05)\nprint('finished', flush=True)\n"
    )
    with running_server(root) as server:
        job = server.request("POST", "jlab-platform/api/jobs", {"script": "slow.py", "args": [str(go)]})
        _wait(server, job["id"], "running")
        stop_server(server, signal.SIGKILL)
    with running_server(root) as again:
        assert again.request("GET", f"jlab-platform/api/jobs/{job['id']}")["status"] == "running"
        go.touch()
        done = _wait(again, job["id"], "success", "failed")
        assert done["status"] == "success"
        assert "started" in _log(again, job["id"]) and "finished" in _log(again, job["id"])


def test_job_whose_supervisor_died_while_the_server_was_down_is_marked_lost(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "forever.py").write_text(
        "import os, time\nprint('PID', os.getpid(), flush=True)\ntime.sleep(600)\n"
    )
    with running_server(root) as server:
        job = _submit_running(server, "forever.py")
        deadline = time.monotonic() + 30
        while "PID" not in _log(server, job["id"]) and time.monotonic() < deadline:
            time.sleep(0.1)
        job_pid = int(_log(server, job["id"]).split()[1])
        supervisor = psutil.Process(job_pid).parent()
        assert supervisor is not None
        stop_server(server, signal.SIGKILL)
    os.kill(supervisor.pid, signal.SIGKILL)
    with running_server(root) as again:
        done = _wait(again, job["id"], "failed")
        assert done["reason"].startswith("lost")
    time.sleep(0.3)
    assert not psutil.pid_exists(job_pid) or psutil.Process(job_pid).status() == psutil.STATUS_ZOMBIE
