"""A job service on a real store over a test workspace: what the services built on jobs share."""

from dataclasses import dataclass
from pathlib import Path

from jlab_platform.jobs.executor import JobExecutor, LocalExecutor
from jlab_platform.jobs.service import JobService, JobSettings
from jlab_platform.paths import PathResolver
from jlab_platform.store import Store


@dataclass
class JobsOn:
    store: Store
    paths: PathResolver
    jobs: JobService
    data: Path
    results: Path


def jobs_on(root: Path, db_url: str, executor: JobExecutor | None = None) -> JobsOn:
    """Jobs in the workspace `root` on a migrated store: two CPU slots, no GPU, a 2 s grace."""
    data, results = root / ".jlab_platform", root / "results"
    data.mkdir(parents=True, exist_ok=True)
    results.mkdir(exist_ok=True)
    store = Store(db_url)
    store.migrate()
    paths = PathResolver(root)
    settings = JobSettings(
        data_dir=data,
        results_dir=results,
        db_url=db_url,
        max_cpu_jobs=2,
        gpu_count=0,
        grace_seconds=2.0,
        retention_days=7.0,
    )
    return JobsOn(
        store, paths, JobService(store, paths, settings, executor or LocalExecutor()), data, results
    )
