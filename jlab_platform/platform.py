"""The platform object: the one place where configuration meets domain modules.

The server extension builds one at start and hands it to every handler;
nothing here knows about tornado.
"""

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .info import Capabilities, detect
from .jobs.executor import JobExecutor
from .jobs.service import JobService, JobSettings
from .paths import PathResolver
from .store import Store


@dataclass(frozen=True)
class PlatformSettings:
    root_dir: Path
    data_dir: Path
    results_dir: Path
    db_url: str
    gpu_count: int | None = None
    max_cpu_jobs: int = 2
    job_grace_seconds: float = 10.0
    job_retention_days: float = 7.0


class Platform:
    def __init__(
        self,
        settings: PlatformSettings,
        job_executor: JobExecutor,
        kernel_alive: Callable[[str], bool] | None = None,
    ) -> None:
        self.settings = settings
        self.paths = PathResolver(settings.root_dir)
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        _ignore_in_git(settings.data_dir)
        settings.results_dir.mkdir(parents=True, exist_ok=True)
        self.store = Store(settings.db_url)
        self.schema_version = self.store.migrate()
        self.capabilities: Capabilities = detect(settings.gpu_count)
        self.jobs = JobService(
            self.store,
            self.paths,
            JobSettings(
                data_dir=settings.data_dir,
                results_dir=settings.results_dir,
                db_url=settings.db_url,
                max_cpu_jobs=settings.max_cpu_jobs,
                gpu_count=self.capabilities.gpus,
                grace_seconds=settings.job_grace_seconds,
                retention_days=settings.job_retention_days,
            ),
            job_executor,
            kernel_alive,
        )

    def refresh_capabilities(self) -> Capabilities:
        self.capabilities = detect(self.settings.gpu_count)
        return self.capabilities

    def close(self) -> None:
        self.store.dispose()


def default_db_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'platform.db'}"


def _ignore_in_git(data_dir: Path) -> None:
    """Keep the data directory out of the user's commits without touching their .gitignore."""
    marker = data_dir / ".gitignore"
    if not marker.exists():
        tmp = marker.with_suffix(".tmp")
        tmp.write_text("# Written by jlab_platform: nothing in here belongs in git.\n*\n")
        os.replace(tmp, marker)
