"""Jobs through the service with real supervisor and job processes (no mocks)."""

import datetime as dt
import json
import os
import shutil
import signal
import time
from pathlib import Path

import psutil
import pytest
from sqlalchemy import text

from jlab_platform.errors import Conflict, InvalidInput, InvalidPath, NotFound
from jlab_platform.jobs.service import JobService

from .conftest import Workspace, full_log, make_service, wait_for


def test_success_log_and_results(service: JobService, ws: Workspace) -> None:
    ws.write(
        "train.py",
        "import os, sys\n"
        "print('hello from the job', sys.argv[1:])\n"
        "open(os.path.join(os.environ['JLAB_RESULTS_DIR'], 'model.txt'), 'w').write('weights')\n"
        "open('results/relative.txt', 'w').write('via the link')\n",
    )
    job = service.submit("train.py", env="cpu", args="--lr 0.1 --name 'two words'")
    assert job.status in ("pending", "running")
    assert job.name == "train" and job.args == ["--lr", "0.1", "--name", "two words"]
    done = wait_for(service, job.id, "success", "failed")
    assert done.status == "success", full_log(service, job.id)
    assert done.exit_code == 0 and done.runtime_seconds is not None
    assert "hello from the job ['--lr', '0.1', '--name', 'two words']" in full_log(service, job.id)
    assert (ws.results / "model.txt").read_text() == "weights"
    assert (ws.results / "relative.txt").read_text() == "via the link"


def test_failure_records_exit_code_and_reason(service: JobService, ws: Workspace) -> None:
    ws.write("bad.py", "import sys\nprint('about to fail')\nraise SystemExit(3)\n")
    job = service.submit("bad.py")
    done = wait_for(service, job.id, "success", "failed")
    assert (done.status, done.exit_code, done.reason) == ("failed", 3, "exited with code 3")


def test_edits_after_submission_do_not_change_the_job(service: JobService, ws: Workspace) -> None:
    ws.write("data/config.txt", "original")
    ws.write("run.py", "import time\ntime.sleep(1)\nprint(open('data/config.txt').read())\n")
    job = service.submit("run.py")
    ws.write("data/config.txt", "edited")
    ws.write("run.py", "print('edited script')\n")
    wait_for(service, job.id, "success")
    assert "original" in full_log(service, job.id)
    assert "edited" not in full_log(service, job.id)


def _tree_pids(job_log: str) -> list[int]:
    return [int(line.split()[1]) for line in job_log.splitlines() if line.startswith("PID ")]


def test_terminate_stops_the_whole_tree_including_escaped_grandchildren(
    service: JobService, ws: Workspace
) -> None:
    ws.write(
        "tree.py",
        "import os, subprocess, sys, time\n"
        "sleeper = [sys.executable, '-c', 'import time; time.sleep(600)']\n"
        "child = subprocess.Popen(sleeper)\n"
        "escaped = subprocess.Popen(sleeper, start_new_session=True)\n"
        "print('PID', os.getpid(), flush=True)\n"
        "print('PID', child.pid, flush=True)\n"
        "print('PID', escaped.pid, flush=True)\n"
        "signal_ignored = __import__('signal').signal(15, lambda *a: None)\n"
        "time.sleep(600)\n",
    )
    job = service.submit("tree.py")
    deadline = time.monotonic() + 30
    while len(_tree_pids(full_log(service, job.id))) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    pids = _tree_pids(full_log(service, job.id))
    assert len(pids) == 3
    done = service.terminate(job.id)
    assert done.status == "terminated"
    time.sleep(0.2)
    survivors = [pid for pid in pids if psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie"]
    assert survivors == []
    with pytest.raises(Conflict, match="already ended"):
        service.terminate(job.id)


def test_restart_reuses_the_snapshot(service: JobService, ws: Workspace) -> None:
    ws.write("once.py", "print('version 1')\n")
    first = wait_for(service, service.submit("once.py").id, "success")
    ws.write("once.py", "print('version 2')\n")
    again = service.restart(first.id)
    assert again.restarted_from == first.id and again.id != first.id
    wait_for(service, again.id, "success")
    assert "version 1" in full_log(service, again.id)
    snapshots = list((ws.data / "snapshots").iterdir())
    assert len(snapshots) == 1  # no second copy


def test_retention_deletes_snapshots_and_refuses_restart(service: JobService, ws: Workspace) -> None:
    ws.write("quick.py", "print('ok')\n")
    job = wait_for(service, service.submit("quick.py").id, "success")
    assert job.snapshot_available and job.snapshot_expires_at
    assert service.sweep_snapshots(now=dt.datetime.now(dt.UTC).replace(tzinfo=None)) == []
    later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(days=7, hours=1)
    assert service.sweep_snapshots(now=later) == [job.id]
    assert not (ws.data / "snapshots" / job.id).exists()
    assert service.get(job.id).snapshot_available is False
    with pytest.raises(Conflict, match="snapshot") as info:
        service.restart(job.id)
    assert "7 days" in info.value.detail


def test_gpu_jobs_queue_for_the_one_gpu(ws: Workspace, db_url: str) -> None:
    service = make_service(ws, db_url, gpu_count=1)
    ws.write(
        "gpu.py",
        "import os, time\nprint('CUDA', repr(os.environ['CUDA_VISIBLE_DEVICES']))\ntime.sleep(1.5)\n",
    )
    first = service.submit("gpu.py", env="gpu", name="first")
    second = service.submit("gpu.py", env="gpu", name="second")
    assert service.get(first.id).status == "running"
    assert service.get(second.id).status == "pending"
    wait_for(service, first.id, "success")
    wait_for(service, second.id, "success")
    assert "CUDA '0'" in full_log(service, first.id)
    assert "CUDA '0'" in full_log(service, second.id)
    assert service.get(second.id).started_at >= service.get(first.id).finished_at
    service.store.dispose()


def test_cpu_jobs_see_no_gpu_and_gpu_is_refused_without_one(service: JobService, ws: Workspace) -> None:
    ws.write("env.py", "import os\nprint('CUDA', repr(os.environ['CUDA_VISIBLE_DEVICES']))\n")
    job = wait_for(service, service.submit("env.py").id, "success")
    assert "CUDA ''" in full_log(service, job.id)
    with pytest.raises(Conflict, match="No GPU") as info:
        service.submit("env.py", env="gpu")
    assert "c.JlabPlatform.gpu_count" in info.value.detail
    gpu = next(e for e in service.environments().environments if e.name == "gpu")
    assert gpu.available is False and gpu.reason


def test_lost_supervisor_marks_the_job_failed_and_kills_its_processes(
    service: JobService, ws: Workspace
) -> None:
    ws.write("long.py", "import os, time\nprint('PID', os.getpid(), flush=True)\ntime.sleep(600)\n")
    job = service.submit("long.py")
    deadline = time.monotonic() + 30
    while not _tree_pids(full_log(service, job.id)) and time.monotonic() < deadline:
        time.sleep(0.1)
    with service.store.engine.connect() as conn:
        supervisor_pid = conn.execute(
            text("SELECT supervisor_pid FROM jobs WHERE id = :id"), {"id": job.id}
        ).scalar()
    os.kill(supervisor_pid, signal.SIGKILL)
    done = wait_for(service, job.id, "failed")
    assert done.reason.startswith("lost")
    child = _tree_pids(full_log(service, job.id))[0]
    time.sleep(0.3)
    assert not psutil.pid_exists(child) or psutil.Process(child).status() == "zombie"


def test_notebook_job_keeps_the_executed_copy(service: JobService, ws: Workspace) -> None:
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "metadata": {},
                "outputs": [],
                "source": "print(6 * 7)",
            },
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    ws.write("nb/analysis.ipynb", json.dumps(notebook))
    job = wait_for(service, service.submit("nb/analysis.ipynb").id, "success", "failed", timeout=120)
    assert job.status == "success", full_log(service, job.id)
    assert "42" in full_log(service, job.id)
    executed = ws.root / job.outputs[0]
    assert "".join(json.loads(executed.read_text())["cells"][0]["outputs"][0]["text"]) == "42\n"


def test_bad_input_is_refused_with_a_reason(service: JobService, ws: Workspace) -> None:
    ws.write("ok.py", "")
    ws.write("notes.txt", "")
    with pytest.raises(InvalidPath):
        service.submit("../outside.py")
    with pytest.raises(InvalidPath, match="does not exist"):
        service.submit("missing.py")
    with pytest.raises(InvalidInput, match="not a Python script"):
        service.submit("notes.txt")
    with pytest.raises(InvalidInput, match="Unknown environment"):
        service.submit("ok.py", env="tpu")
    with pytest.raises(InvalidInput, match="Cannot split arguments"):
        service.submit("ok.py", args="--name 'unclosed")
    with pytest.raises(InvalidInput, match="console"):
        service.submit("ok.py", env="console")
    with pytest.raises(NotFound):
        service.get("nope")
    with pytest.raises(InvalidInput):
        service.list_jobs(status="done")


def test_delete_removes_log_and_snapshot(service: JobService, ws: Workspace) -> None:
    ws.write("quick.py", "print('ok')\n")
    job = wait_for(service, service.submit("quick.py").id, "success")
    service.delete(job.id)
    assert not (ws.data / "jobs" / job.id).exists()
    assert not (ws.data / "snapshots" / job.id).exists()
    with pytest.raises(NotFound):
        service.get(job.id)


def test_console_job_is_finished_by_its_frontend(service: JobService, ws: Workspace) -> None:
    ws.write("c.py", "print(1)\n")
    job = service.submit("c.py", env="console", kernel_id="k-1")
    assert job.status == "running"
    events: list[str] = []
    service.on_finished(lambda j: events.append(j.status))
    assert service.finish(job.id, "success").status == "success"
    assert events == ["success"]
    with pytest.raises(Conflict):
        service.finish(job.id, "failed")


def test_finished_listener_hears_supervisor_recorded_exits(service: JobService, ws: Workspace) -> None:
    heard: list[tuple[str, str]] = []
    service.on_finished(lambda j: heard.append((j.name, j.status)))
    ws.write("quick.py", "print('ok')\n")
    wait_for(service, service.submit("quick.py", name="q").id, "success")
    service.tick()
    assert heard == [("q", "success")]


def test_results_dir_is_shared_not_copied(service: JobService, ws: Workspace) -> None:
    (ws.results / "previous.txt").write_text("x")
    ws.write("list.py", "import os\nprint(sorted(os.listdir('results')))\n")
    job = wait_for(service, service.submit("list.py").id, "success")
    assert "previous.txt" in full_log(service, job.id)
    assert Path(ws.data / "snapshots" / job.id / "results").is_symlink()


def test_servers_sharing_a_store_supervise_only_their_own_jobs(
    ws: Workspace, db_url: str, tmp_path: Path
) -> None:
    other_ws = Workspace(tmp_path / "other")
    other_ws.root.mkdir()
    mine = make_service(ws, db_url, origin="host-a:/data")
    theirs = make_service(other_ws, db_url, origin="host-b:/data", max_cpu_jobs=0)
    other_ws.write("wait.py", "print('ran')\n")
    queued = theirs.submit("wait.py")  # no cpu slot there: stays pending
    mine.tick()
    assert mine.get(queued.id).status == "pending"  # visible, but not started by the wrong server
    assert any(job.id == queued.id for job in mine.list_jobs().jobs)
    with pytest.raises(Conflict, match="another server"):
        mine.terminate(queued.id)
    theirs.terminate(queued.id)
    mine.store.dispose()
    theirs.store.dispose()


def test_a_job_that_cannot_start_fails_alone(ws: Workspace, db_url: str) -> None:
    """A pending job whose run folder is gone fails with the cause; the jobs queued after it still run."""
    service = make_service(ws, db_url, gpu_count=1)
    ws.write("gpu.py", "import time\ntime.sleep(1.5)\nprint('ran')\n")
    first = service.submit("gpu.py", env="gpu", name="first")
    broken = service.submit("gpu.py", env="gpu", name="broken")
    after = service.submit("gpu.py", env="gpu", name="after")
    shutil.rmtree(ws.data / "snapshots" / broken.id)
    heard: list[tuple[str, str]] = []
    service.on_finished(lambda j: heard.append((j.name, j.status)))
    wait_for(service, first.id, "success")
    failed = wait_for(service, broken.id, "failed")
    assert failed.reason.startswith("Could not start the job: No such file or directory")
    assert "ran" in full_log(service, wait_for(service, after.id, "success").id)
    service.tick()
    assert ("broken", "failed") in heard
    service.store.dispose()
