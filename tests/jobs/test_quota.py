"""Quotas: how many jobs may wait, and how much disk their snapshots may take."""

import pytest

from jlab_platform.errors import Conflict
from jlab_platform.jobs.service import JobService

from .conftest import Workspace, make_service, wait_for

KIB = 1024


def test_pending_jobs_are_limited_and_free_again_when_they_end(ws: Workspace, db_url: str) -> None:
    ws.write("train.py", "print('ok')\n")
    # No cpu slot: every job stays pending.
    service = make_service(ws, db_url, max_cpu_jobs=0, max_pending_jobs=2)
    try:
        first = service.submit("train.py")
        service.submit("train.py")
        with pytest.raises(Conflict) as refused:
            service.submit("train.py")
        assert "2 jobs are already waiting" in refused.value.message
        assert "max_pending_jobs_per_user" in refused.value.message
        assert "terminate pending jobs" in refused.value.detail
        service.terminate(first.id)  # one place free
        service.submit("train.py")
        with pytest.raises(Conflict):  # a restart waits too
            service.restart(first.id)
    finally:
        service.store.dispose()


def test_snapshot_space_is_limited_measured_once_and_freed_by_delete(ws: Workspace, db_url: str) -> None:
    ws.write("train.py", "print('ok')\n")
    ws.write("data.bin", "x" * 300 * KIB)
    service = make_service(ws, db_url, max_snapshot_bytes=500 * KIB)
    try:
        first = service.submit("train.py")
        usage = service.snapshots.usage()
        assert usage.limit_bytes == 500 * KIB
        assert 300 * KIB < (usage.used_bytes or 0) < 310 * KIB
        with pytest.raises(Conflict) as refused:
            service.submit("train.py")
        assert "max_snapshot_total_mb" in refused.value.message
        assert "Delete finished jobs" in refused.value.detail
        # The refused copy left nothing behind and counts nothing.
        assert service.snapshots.usage() == usage
        assert sorted(p.name for p in (ws.data / "snapshots").iterdir()) == [first.id]

        # A server started later measures the snapshots it finds once.
        again = make_service(ws, db_url, max_snapshot_bytes=500 * KIB)
        assert again.snapshots.usage() == usage
        again.store.dispose()

        wait_for(service, first.id, "success", "failed")
        service.delete(first.id)
        assert service.snapshots.usage().used_bytes == 0
        second = service.submit("train.py")
        assert wait_for(service, second.id, "success", "failed").status == "success"
    finally:
        service.store.dispose()


def test_a_full_snapshot_space_refuses_before_copying(ws: Workspace, db_url: str) -> None:
    ws.write("train.py", "print('ok')\n")
    service = make_service(ws, db_url, max_snapshot_bytes=1, max_cpu_jobs=0)
    try:
        (ws.data / "snapshots" / "old").mkdir()
        (ws.data / "snapshots" / "old" / "weights.bin").write_bytes(b"12")
        with pytest.raises(Conflict) as refused:
            service.submit("train.py")
        assert refused.value.message.startswith("Job snapshots already take 2 B")
    finally:
        service.store.dispose()


def test_no_limits_when_set_to_zero(service: JobService, ws: Workspace) -> None:
    unlimited = make_service(
        ws, service.settings.db_url, max_cpu_jobs=0, max_pending_jobs=0, max_snapshot_bytes=0
    )
    try:
        ws.write("train.py", "print('ok')\n")
        for _ in range(3):
            unlimited.submit("train.py")
        assert unlimited.snapshots.usage().limit_bytes is None
    finally:
        unlimited.store.dispose()
