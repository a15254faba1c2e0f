"""The job quotas as configured (c.JlabPlatform.*) and seen through the API."""

import stat
from pathlib import Path
from typing import Any

import pytest

from .test_jobs_handlers import call, expect_error


@pytest.fixture
def jp_server_config() -> dict[str, Any]:
    return {
        "ServerApp": {"jpserver_extensions": {"jlab_platform": True}, "allow_unauthenticated_access": False},
        # No cpu slot: submitted jobs stay pending.
        "JlabPlatform": {"max_cpu_jobs": 0, "max_pending_jobs_per_user": 2, "max_snapshot_total_mb": 1},
    }


async def test_quotas_answer_409_and_the_list_shows_snapshot_space(jp_fetch: Any, jp_root_dir: Path) -> None:
    (jp_root_dir / "train.py").write_text("print('ok')\n")
    (jp_root_dir / "data.bin").write_bytes(b"x" * 400 * 1024)
    empty = await call(jp_fetch, "jobs")
    assert empty["snapshots"] == {"used_bytes": 0, "limit_bytes": 1024 * 1024}

    await call(jp_fetch, "jobs", method="POST", body={"script": "train.py"})
    listed = await call(jp_fetch, "jobs")
    assert 400 * 1024 <= listed["snapshots"]["used_bytes"] < 410 * 1024

    await call(jp_fetch, "jobs", method="POST", body={"script": "train.py"})
    refused = await expect_error(jp_fetch, 409, "jobs", method="POST", body={"script": "train.py"})
    assert "max_pending_jobs_per_user" in refused["error"] and "terminate" in refused["detail"]

    job = listed["jobs"][0]
    await call(jp_fetch, "jobs", job["id"], "terminate", method="POST")
    full = await expect_error(jp_fetch, 409, "jobs", method="POST", body={"script": "train.py"})
    assert "max_snapshot_total_mb" in full["error"] and "Delete finished jobs" in full["detail"]

    # The platform's data folder is private to the server's user.
    assert stat.S_IMODE((jp_root_dir / ".jlab_platform").stat().st_mode) == 0o700
