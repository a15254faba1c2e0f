"""The server extension application and its configuration (``c.JlabPlatform.*``)."""

import asyncio
import os
from pathlib import Path
from typing import Any, cast

from jupyter_server.extension.application import ExtensionApp
from traitlets import Float, Int, Type, Unicode, default

from .._version import __version__
from ..jobs.executor import JobExecutor, LocalExecutor
from ..platform import Platform, PlatformSettings, default_db_url
from .info_handlers import InfoHandler, InfoRefreshHandler
from .jobs_handlers import JOB_ROUTES

API_PREFIX = "/jlab-platform/api"
JOB_STATUS_SCHEMA = Path(__file__).resolve().parent.parent / "events" / "job-status.yaml"
JOB_STATUS_SCHEMA_ID = "https://events.jlab-platform.dev/job-status"


class JlabPlatform(ExtensionApp):
    name = "jlab_platform"
    version = __version__
    description = "JupyterLab as a deep-learning development platform"

    data_dir = Unicode(
        ".jlab_platform",
        config=True,
        help="Where the platform keeps its store, job snapshots and captures; relative to the "
        "server's root directory unless absolute. Git-ignored by the platform.",
    )
    results_dir_name = Unicode(
        "results",
        config=True,
        help="Folder under the root directory that jobs and modules write results to.",
    )
    db_url = Unicode(
        config=True,
        help="SQLAlchemy database URL of the store (default: SQLite in WAL mode in data_dir).",
    )
    gpu_count = Int(
        -1,
        config=True,
        help="Number of GPUs the platform schedules on; -1 detects them with nvidia-smi.",
    )
    max_cpu_jobs = Int(
        config=True,
        help="How many cpu jobs run at once; more wait as pending (default: the number of CPU cores).",
    )
    job_grace_seconds = Float(
        10.0, config=True, help="Seconds between SIGTERM and SIGKILL when a job is terminated."
    )
    job_retention_days = Float(
        7.0, config=True, help="Days a job's snapshot is kept after the job ends (restart needs it)."
    )
    job_poll_seconds = Float(0.5, config=True, help="How often the scheduler looks at running jobs.")
    job_executor_class = Type(
        default_value=LocalExecutor,
        klass=JobExecutor,
        config=True,
        help="The executor that runs cpu/gpu jobs (a distributed backend plugs in here).",
    )

    @default("db_url")
    def _default_db_url(self) -> str:
        return default_db_url(self._data_path())

    @default("max_cpu_jobs")
    def _default_max_cpu_jobs(self) -> int:
        return os.cpu_count() or 1

    def initialize_settings(self) -> None:
        settings = PlatformSettings(
            root_dir=self._root_path(),
            data_dir=self._data_path(),
            results_dir=self._root_path() / self.results_dir_name,
            db_url=self.db_url,
            gpu_count=None if self.gpu_count < 0 else self.gpu_count,
            max_cpu_jobs=self.max_cpu_jobs,
            job_grace_seconds=self.job_grace_seconds,
            job_retention_days=self.job_retention_days,
        )
        # The trait holds a concrete subclass; traitlets types it as the abstract base.
        executor: JobExecutor = cast(Any, self.job_executor_class)()
        platform = Platform(settings, executor, self._kernel_alive)
        platform.jobs.on_finished(self._emit_job_status)
        self.settings["jlab_platform"] = platform
        # Kernels and jobs inherit the server's environment: this is how the
        # kernel library finds the server that started it (kernel/client.py).
        os.environ["JLAB_PLATFORM_SERVER_PID"] = str(os.getpid())
        self._event_logger().register_event_schema(JOB_STATUS_SCHEMA)
        self.log.info(
            "jlab_platform %s: store schema v%d at %s; GPUs: %d; cpu job slots: %d",
            __version__,
            platform.schema_version,
            settings.db_url,
            platform.capabilities.gpus,
            settings.max_cpu_jobs,
        )

    def initialize_handlers(self) -> None:
        routes: list[tuple[str, Any]] = [
            ("info", InfoHandler),
            ("info/refresh", InfoRefreshHandler),
            *JOB_ROUTES,
        ]
        self.handlers.extend((f"{API_PREFIX}/{path}", handler) for path, handler in routes)

    async def _start_jupyter_server_extension(self, serverapp: Any) -> None:
        self._scheduler = asyncio.create_task(self._run_scheduler())

    async def _run_scheduler(self) -> None:
        platform: Platform = self.settings["jlab_platform"]
        while True:
            try:
                # Reconciles jobs that ended or were lost while the server was down, too.
                await asyncio.to_thread(platform.jobs.tick)
            except Exception:
                self.log.exception("jlab_platform: job scheduler tick failed")
            await asyncio.sleep(self.job_poll_seconds)

    async def stop_extension(self) -> None:
        scheduler = getattr(self, "_scheduler", None)
        if scheduler is not None:
            scheduler.cancel()
        platform: Platform | None = self.settings.get("jlab_platform")
        if platform is not None:
            platform.close()

    def _emit_job_status(self, job: dict[str, Any]) -> None:
        data = {"job_id": job["id"], "name": job["name"], "status": job["status"], "reason": job["reason"]}
        self._event_logger().emit(schema_id=JOB_STATUS_SCHEMA_ID, data=data)

    def _event_logger(self) -> Any:
        assert self.serverapp is not None and self.serverapp.event_logger is not None
        return self.serverapp.event_logger

    def _kernel_alive(self, kernel_id: str) -> bool:
        assert self.serverapp is not None
        return kernel_id in self.serverapp.kernel_manager

    def _root_path(self) -> Path:
        assert self.serverapp is not None, "the extension is initialised by a ServerApp"
        return Path(self.serverapp.root_dir).resolve()

    def _data_path(self) -> Path:
        path = Path(self.data_dir).expanduser()
        return path if path.is_absolute() else self._root_path() / path
