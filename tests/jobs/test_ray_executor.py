"""Jobs on a real local Ray head node, through the same service, API and log files as local jobs."""

import json
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from jlab_platform.errors import InvalidInput, Unavailable
from jlab_platform.jobs import ray_executor
from jlab_platform.jobs.ray_executor import RayExecutor
from jlab_platform.jobs.service import JobService
from tests.helpers.jupyter import free_port, running_server, stop_server
from tests.helpers.ray_cluster import RayHead

from .conftest import Workspace, full_log, make_service, wait_for

pytestmark = pytest.mark.timeout(600)


@pytest.fixture
def ray_service(ws: Workspace, ray_head: RayHead, tmp_path: Path) -> Iterator[JobService]:
    service = make_service(ws, f"sqlite:///{tmp_path / 'ray.db'}", RayExecutor(ray_head.address))
    yield service
    for job in service.list_jobs(limit=1000).jobs:
        if job.status in ("pending", "running"):
            service.terminate(job.id)
    service.store.dispose()


def test_success_logs_metrics_and_results(ray_service: JobService, ws: Workspace) -> None:
    ws.write(
        "train.py",
        "import json, os, sys\n"
        "for step in range(1, 4):\n"
        "    print(json.dumps({'metric': 'loss', 'value': 1 / step, 'step': step, 'total': 3}))\n"
        "open(os.path.join(os.environ['JLAB_RESULTS_DIR'], 'from_ray.txt'), 'w').write('saved')\n"
        "open('results/via_link.txt', 'w').write('linked')\n"
        "print('args', sys.argv[1:])\n",
    )
    job = ray_service.submit("train.py", args="--lr 0.1")
    assert job.status == "pending"  # Ray queues and places it
    done = wait_for(ray_service, job.id, "success", "failed", timeout=180)
    assert done.status == "success", full_log(ray_service, job.id)
    assert done.started_at is not None and done.exit_code == 0
    assert "args ['--lr', '0.1']" in full_log(ray_service, job.id)
    assert [p.value for p in ray_service.metrics(job.id).series["loss"]] == [1.0, 0.5, 1 / 3]
    assert (ws.results / "from_ray.txt").read_text() == "saved"
    assert (ws.results / "via_link.txt").read_text() == "linked"


def test_failure_terminate_and_restart(ray_service: JobService, ws: Workspace) -> None:
    ws.write("fail.py", "raise SystemExit(3)\n")
    ws.write("sleep.py", "import time\nprint('sleeping', flush=True)\ntime.sleep(600)\n")
    failed = wait_for(ray_service, ray_service.submit("fail.py").id, "failed", "success", timeout=180)
    assert failed.status == "failed" and failed.exit_code == 3

    sleeping = ray_service.submit("sleep.py")
    wait_for(ray_service, sleeping.id, "running", timeout=180)
    stopped = ray_service.terminate(sleeping.id)
    assert stopped.status == "terminated"

    again = ray_service.restart(failed.id)
    assert again.restarted_from == failed.id
    assert wait_for(ray_service, again.id, "failed", "success", timeout=180).exit_code == 3


def test_jobs_wanting_more_cpus_than_the_node_has_wait(
    ws: Workspace, ray_head: RayHead, tmp_path: Path
) -> None:
    service = make_service(
        ws, f"sqlite:///{tmp_path / 'cpus.db'}", RayExecutor(ray_head.address), cpus_per_job=2
    )
    ws.write("busy.py", "import time\ntime.sleep(3)\nprint('done')\n")
    first, second = service.submit("busy.py"), service.submit("busy.py")
    wait_for(service, first.id, "running", timeout=180)
    assert service.get(second.id).status == "pending"
    wait_for(service, first.id, "success", timeout=180)
    done = wait_for(service, second.id, "success", timeout=180)
    assert done.started_at >= service.get(first.id).finished_at[:19]
    cluster = service.cluster()
    assert cluster.executor == "ray" and cluster.cpus == 2 and len(cluster.nodes) == 1
    service.store.dispose()


def test_unreachable_cluster_refuses_and_leaves_nothing(ws: Workspace, tmp_path: Path) -> None:
    service = make_service(
        ws, f"sqlite:///{tmp_path / 'down.db'}", RayExecutor(f"http://127.0.0.1:{free_port()}")
    )
    ws.write("x.py", "print(1)\n")
    with pytest.raises(Unavailable, match="cannot be reached"):
        service.submit("x.py")
    assert service.list_jobs().total == 0
    assert list((ws.data / "snapshots").iterdir()) == []
    envs = {e.name: e for e in service.environments().environments}
    assert envs["cpu"].available is False and "cannot be reached" in (envs["cpu"].reason or "")
    service.store.dispose()


def test_too_large_snapshot_says_what_to_exclude(
    ray_service: JobService, ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ray_executor, "MAX_WORKING_DIR_BYTES", 1000)
    ws.write("data/big.bin", "x" * 5000)
    ws.write("x.py", "print(1)\n")
    with pytest.raises(InvalidInput, match="limit") as info:
        ray_service.submit("x.py")
    assert ".jobignore" in info.value.detail
    assert ray_service.list_jobs().total == 0


def test_server_restart_finds_the_ray_job_again(tmp_path: Path, ray_head: RayHead) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "slow.py").write_text(
        "import time\nprint('begin', flush=True)\ntime.sleep(5)\nprint('end', flush=True)\n"
    )
    args = ("--JlabPlatform.job_executor=ray", f"--JlabPlatform.job_cluster_address={ray_head.address}")
    with running_server(root, *args) as server:
        job = server.request("POST", "jlab-platform/api/jobs", {"script": "slow.py"})
        deadline = time.monotonic() + 180
        while server.request("GET", f"jlab-platform/api/jobs/{job['id']}")["status"] != "running":
            assert time.monotonic() < deadline
            time.sleep(0.2)
        stop_server(server, signal.SIGKILL)
    with running_server(root, *args) as again:
        deadline = time.monotonic() + 180
        while (status := again.request("GET", f"jlab-platform/api/jobs/{job['id']}")["status"]) == "running":
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert status == "success"
        log = again.request("GET", f"jlab-platform/api/jobs/{job['id']}/log")["data"]
        assert "begin" in log and "end" in log
        cluster = again.request("GET", "jlab-platform/api/jobs/cluster")
        assert cluster["executor"] == "ray" and cluster["nodes"]
    assert json.dumps(cluster)
