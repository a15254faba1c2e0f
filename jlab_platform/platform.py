"""The platform object: the one place where configuration meets domain modules.

The server extension builds one at start and hands it to every handler;
nothing here knows about tornado.
"""

import hashlib
import socket
from pathlib import Path

from .capture import CaptureService
from .convert.service import ConversionService, ConvertSettings
from .crowd import CrowdService, CrowdSettings
from .deploy.wiring import build_deployments
from .evaluation.service import EvaluationService
from .files.atomic import make_private_dir, write_atomic
from .files.extract import MB, ExtractLimits
from .files.service import FileActions
from .gitsync import GitService, GitSettings
from .info import Capabilities, detect
from .jobs.executor import JobExecutor
from .jobs.service import ConsoleKernels, JobService, JobSettings
from .model_library.service import LibrarySettings, ModelLibrary
from .modules import ModuleService, ModuleSettings
from .paths import PathResolver
from .settings import PlatformSettings
from .store import Store
from .tensorboard.service import TensorBoardService, TensorBoardSettings


class Platform:
    def __init__(
        self,
        settings: PlatformSettings,
        job_executor: JobExecutor,
        consoles: ConsoleKernels | None = None,
    ) -> None:
        self.settings = settings
        self.paths = PathResolver(settings.root_dir)
        self.git = GitService(
            self.paths,
            GitSettings(
                max_file_mb=settings.git_max_file_mb,
                pull_rebase=settings.git_pull_rebase,
                timeout_seconds=settings.git_timeout_seconds,
                ignored_folders=[settings.data_dir, settings.results_dir],
            ),
        )
        make_private_dir(settings.data_dir)  # the store, job specs and logs: this user's only
        _ignore_in_git(settings.data_dir)
        settings.results_dir.mkdir(parents=True, exist_ok=True)
        self.captures = CaptureService(settings.data_dir / "captures")
        self.store = Store(settings.db_url)
        self.schema_version = self.store.migrate()
        self.capabilities: Capabilities = detect(settings.configured_gpus)
        # This server among those that may share one store.
        origin = f"{socket.gethostname()}:{settings.data_dir}"
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
                origin=origin,
                cpus_per_job=settings.job_cpus,
                max_pending_jobs=settings.max_pending_jobs_per_user,
                max_snapshot_bytes=int(settings.max_snapshot_total_mb * MB),
                tensorboard_runs_dir=settings.in_root(settings.tensorboard_runs_dir),
            ),
            job_executor,
            consoles,
        )
        self.modules = ModuleService(
            self.store,
            self.paths,
            settings.results_dir,
            ModuleSettings(
                module_paths=settings.module_paths,
                dataset_paths=settings.dataset_paths,
                builtin_modules=settings.builtin_modules,
                entry_points=settings.module_entry_points,
                owner=f"server:{hashlib.sha256(origin.encode()).hexdigest()[:16]}",
            ),
        )

        self.convert = ConversionService(
            self.paths,
            ConvertSettings(data_dir=settings.data_dir, idle_seconds=settings.convert_idle_seconds),
        )
        self.files = FileActions(
            self.paths,
            ExtractLimits(
                max_total_bytes=int(settings.extract_max_total_mb * MB),
                max_ratio=settings.extract_max_ratio,
                max_files=settings.extract_max_files,
            ),
            settings.data_dir,
        )
        self.evaluations = EvaluationService(self.paths, settings.results_dir, self.jobs)
        self.model_library = ModelLibrary(
            self.store,
            self.paths,
            self.jobs,
            self.modules.catalog,
            LibrarySettings(
                data_dir=settings.data_dir, results_dir=settings.results_dir, mlflow_uri=settings.mlflow_uri
            ),
            self.convert,
        )
        self.crowd = CrowdService(
            self.store,
            self.paths,
            self.jobs,
            CrowdSettings(
                data_dir=settings.data_dir,
                results_dir=settings.results_dir,
                max_rounds=settings.crowd_max_rounds,
                lease_seconds=settings.crowd_lease_seconds,
                token_guess_limit=settings.crowd_token_guess_limit,
            ),
            module_lookup=lambda name: self.modules.catalog.module(name).folder,
        )
        self.tensorboard = TensorBoardService(
            self.paths,
            TensorBoardSettings(
                data_dir=settings.data_dir,
                idle_seconds=settings.tensorboard_idle_seconds,
                max_instances=settings.tensorboard_max_instances,
                runs_dir=settings.in_root(settings.tensorboard_runs_dir),
            ),
        )

        # Services found again from the store: they outlive the server (never stopped in close()).
        self.deployments = build_deployments(
            self.store,
            settings,
            self.paths,
            self.modules.catalog,
            self.git,
            lambda: getattr(self, "model_library", None),
        )

    def refresh_capabilities(self) -> Capabilities:
        self.capabilities = detect(self.settings.configured_gpus)
        return self.capabilities

    def close(self) -> None:
        self.convert.close()  # the conversion worker stops with the server
        self.files.close()
        self.crowd.close()
        self.tensorboard.close()  # no TensorBoard outlives the server that started it
        self.store.dispose()


def _ignore_in_git(data_dir: Path) -> None:
    """Keep the data directory out of the user's commits without touching their .gitignore."""
    marker = data_dir / ".gitignore"
    if not marker.exists():
        write_atomic(marker, "# Written by jlab_platform: nothing in here belongs in git.\n*\n")
