"""Real TensorBoard processes: reuse, at most N, idle stop, restart after kill -9, take-back, no orphans."""

import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from jlab_platform.errors import InvalidPath, NotFound
from jlab_platform.paths import PathResolver
from jlab_platform.tensorboard.service import TensorBoardService, TensorBoardSettings

IDLE_SECONDS = 3.0


def _service(root: Path, idle: float = IDLE_SECONDS, max_instances: int = 1) -> TensorBoardService:
    settings = TensorBoardSettings(
        data_dir=root / ".jlab_platform",
        idle_seconds=idle,
        max_instances=max_instances,
        runs_dir=root / "results" / "tensorboard",
    )
    return TensorBoardService(PathResolver(root), settings)


def _pid(service: TensorBoardService, instance_id: str) -> int:
    return service._instances[instance_id].pid


def _gone(pid: int, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def root(tmp_path: Path) -> Iterator[Path]:
    for name in ("a", "b"):
        (tmp_path / "logs" / name).mkdir(parents=True)
    yield tmp_path


def test_bad_folders_are_refused_before_anything_starts(root: Path) -> None:
    service = _service(root)
    try:
        with pytest.raises(InvalidPath):
            service.start("../elsewhere")
        with pytest.raises(NotFound):
            service.start("logs/missing")
        (root / "file.txt").write_text("x")
        with pytest.raises(NotFound):
            service.start("file.txt")
        with pytest.raises(NotFound):
            service.stop("0123456789ab")
        assert service.list().instances == []
    finally:
        service.close()


def test_reuse_max_instances_idle_stop_and_start_again(root: Path) -> None:
    service = _service(root)
    try:
        first = service.start("logs/a")
        assert first.status == "running" and first.url == f"/jlab-platform/tensorboard/{first.id}/"
        first_pid = _pid(service, first.id)
        assert service.start("logs/a/").id == first.id and _pid(service, first.id) == first_pid  # reused

        second = service.start("logs/b")  # at most one: the one used longest ago stops
        assert _gone(first_pid)
        assert {i.id: i.status for i in service.list().instances} == {
            first.id: "stopped",
            second.id: "running",
        }

        second_pid = _pid(service, second.id)
        assert _gone(second_pid, timeout=IDLE_SECONDS * 4)  # nobody used it
        assert service.port_of(second.id) is None
        service.revive(second.id)  # the proxy's next request starts it again
        assert service.port_of(second.id) is not None and _pid(service, second.id) != second_pid
    finally:
        service.close()
    assert all(i.status == "stopped" for i in service.list().instances)


def test_killed_instance_starts_again_and_a_new_server_takes_running_ones_back(root: Path) -> None:
    service = _service(root, idle=600)
    instance = service.start("logs/a")
    pid = _pid(service, instance.id)
    os.kill(pid, signal.SIGKILL)
    assert _gone(pid)
    assert service.start("logs/a").status == "running"  # the next open starts it again
    pid = _pid(service, instance.id)

    # The server died without closing anything: the next one finds the instance by pid.
    service._closed.set()
    again = _service(root, idle=600)
    try:
        assert [(i.id, i.status) for i in again.list().instances] == [(instance.id, "running")]
        assert _pid(again, instance.id) == pid
    finally:
        again.close()
    assert _gone(pid)  # no orphan


def test_a_reused_pid_is_not_taken_for_an_instance(root: Path) -> None:
    service = _service(root, idle=600)
    instance = service.start("logs/a")
    pid = _pid(service, instance.id)
    service._closed.set()
    service._stop_process(service._instances[instance.id])
    assert _gone(pid)
    state = root / ".jlab_platform" / "tensorboard" / "instances.json"
    # Another process (this test's) now has the recorded pid: it must be neither adopted nor signalled.
    records = json.loads(state.read_text())
    assert records[0]["pid"] == pid
    records[0]["pid"] = os.getpid()
    state.write_text(json.dumps(records))
    again = _service(root, idle=600)
    try:
        assert [i.status for i in again.list().instances] == ["stopped"]
    finally:
        again.close()
    assert psutil.pid_exists(os.getpid())
