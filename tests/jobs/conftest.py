import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jlab_platform.jobs.executor import JobExecutor, LocalExecutor
from jlab_platform.jobs.models import Job
from jlab_platform.jobs.service import JobService, JobSettings
from jlab_platform.paths import PathResolver
from jlab_platform.store import Store


class Workspace:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / ".jlab_platform"
        self.results = root / "results"

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path


def make_service(
    ws: Workspace, db_url: str, executor: JobExecutor | None = None, **overrides: Any
) -> JobService:
    ws.data.mkdir(parents=True, exist_ok=True)
    ws.results.mkdir(parents=True, exist_ok=True)
    url = db_url
    store = Store(url)
    store.migrate()
    settings = dict(
        data_dir=ws.data,
        results_dir=ws.results,
        db_url=url,
        max_cpu_jobs=2,
        gpu_count=0,
        grace_seconds=2.0,
        retention_days=7.0,
    )
    settings.update(overrides)
    return JobService(store, PathResolver(ws.root), JobSettings(**settings), executor or LocalExecutor())


def wait_for(service: JobService, job_id: str, *statuses: str, timeout: float = 60) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        service.tick()
        job = service.get(job_id)
        if job.status in statuses:
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not reach {statuses}: {service.get(job_id)}")


def full_log(service: JobService, job_id: str) -> str:
    return service.log(job_id, 0, 16 * 1024 * 1024).data


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    root = tmp_path / "workspace"
    root.mkdir()
    return Workspace(root)


@pytest.fixture
def service(ws: Workspace, db_url: str) -> Iterator[JobService]:
    svc = make_service(ws, db_url)
    yield svc
    for job in svc.list_jobs(limit=1000).jobs:
        if job.status in ("pending", "running"):
            svc.terminate(job.id)
    svc.store.dispose()
