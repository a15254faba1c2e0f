"""The server extension application and its configuration (``c.JlabPlatform.*``)."""

import asyncio
import gc
import os
import sys
from functools import partial
from pathlib import Path
from typing import Any, cast

from jupyter_server.extension.application import ExtensionApp
from tornado.ioloop import IOLoop
from traitlets import Bool, Enum, Float, Int, List, Type, Unicode, default

from .._version import __version__
from ..errors import PlatformError
from ..jobs.executor import JobExecutor, LocalExecutor
from ..jobs.ray_executor import RayExecutor
from ..platform import Platform, PlatformSettings, default_db_url
from .base import UNAVAILABLE_KEY
from .capture_handlers import CAPTURE_ROUTES
from .convert_handlers import CONVERT_ROUTES
from .crowd_handlers import CROWD_ROUTES
from .git_handlers import GIT_ROUTES
from .info_handlers import InfoHandler, InfoRefreshHandler
from .jobs_handlers import JOB_ROUTES
from .labeler_handlers import LABELER_ROUTES
from .modules_handlers import MODULE_ROUTES

API_PREFIX = "/jlab-platform/api"
JOB_STATUS_SCHEMA = Path(__file__).resolve().parent.parent / "events" / "job-status.yaml"
JOB_STATUS_SCHEMA_ID = "https://events.jlab-platform.dev/job-status"
CROWD_ROUND_SCHEMA = Path(__file__).resolve().parent.parent / "crowd" / "round-event.yaml"
CROWD_ROUND_SCHEMA_ID = "https://events.jlab-platform.dev/crowd-round"


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
    job_executor = Enum(
        ["local", "ray"],
        "local",
        config=True,
        help="Where cpu/gpu jobs run: 'local' (this machine, supervised processes) or 'ray' "
        "(a Ray cluster through its Jobs API; pip install 'jlab_platform[ray]').",
    )
    job_executor_class = Type(
        klass=JobExecutor,
        config=True,
        help="A custom executor class (a distributed backend plugs in here); by default the one "
        "that job_executor names.",
    )
    job_cluster_address = Unicode(
        "",
        config=True,
        help="The cluster's address for the ray executor (its dashboard / Jobs API URL, e.g. "
        "http://head-node:8265); default $RAY_ADDRESS or http://127.0.0.1:8265.",
    )
    job_cpus = Float(1.0, config=True, help="CPUs each job asks of a cluster (Ray's entrypoint_num_cpus).")
    max_pending_jobs_per_user = Int(
        50,
        config=True,
        help="Submissions are refused (409) while this many jobs of this server wait to run; 0: no limit.",
    )
    max_snapshot_total_mb = Float(
        10240.0,
        config=True,
        help="Submissions are refused (409) when job snapshots would take more than this many MiB "
        "(finished jobs keep theirs for job_retention_days); 0: no limit.",
    )

    @default("job_executor_class")
    def _default_executor_class(self) -> type[JobExecutor]:
        return RayExecutor if self.job_executor == "ray" else LocalExecutor

    git_max_file_mb = Float(
        50.0, config=True, help="Sync refuses to commit files larger than this many megabytes."
    )
    git_pull_rebase = Bool(
        True, config=True, help="Sync rebases local commits onto the remote (False: merges instead)."
    )
    git_timeout_seconds = Float(
        120.0,
        config=True,
        help="Seconds any one git command may take before it is stopped (git never prompts).",
    )

    module_paths = List(
        Unicode(),
        default_value=["modules", os.path.join(sys.prefix, "share", "jlab_platform", "modules")],
        config=True,
        help="Folders searched for modules (folders with main.py and module_spec.yml): relative to "
        "the root directory (the workspace) or absolute (shared, platform-wide). Earlier ones win "
        "when two modules have the same name.",
    )
    dataset_paths = List(
        Unicode(),
        default_value=["datasets", os.path.join(sys.prefix, "share", "jlab_platform", "datasets")],
        config=True,
        help="Folders searched for datasets (one folder per dataset), relative to the root or absolute.",
    )
    builtin_modules = Bool(
        True, config=True, help="List the modules shipped with jlab_platform (image-classifier, ...)."
    )
    module_entry_points = Bool(
        True,
        config=True,
        help="List modules that installed packages declare in the 'jlab_platform.modules' entry point group.",
    )
    convert_idle_seconds = Float(
        600.0,
        config=True,
        help="Seconds the model conversion worker (a process with TensorFlow loaded) stays warm "
        "after a conversion; the next conversion after that starts it again (~3 s).",
    )
    extract_max_total_mb = Float(
        20480.0, config=True, help="Extraction refuses archives that expand to more than this many megabytes."
    )
    extract_max_ratio = Float(
        200.0,
        config=True,
        help="Extraction refuses archives that expand more than this many times their size "
        "(archive bombs); applies above 64 MB of content.",
    )
    extract_max_files = Int(
        100_000, config=True, help="Extraction refuses archives with more entries than this."
    )
    crowd_max_rounds = Int(
        3, config=True, help="Most active-learning rounds a labeling task may have (the seed's rule: 3)."
    )
    crowd_lease_seconds = Float(
        300.0,
        config=True,
        help="Seconds a sample shown to a labeler stays reserved for them; then others may get it.",
    )
    crowd_token_guess_limit = Int(
        10,
        config=True,
        help="Invalid labeling links one address may send per minute before it is refused for a while.",
    )

    freeze_startup_heap = Bool(
        True,
        config=True,
        help=(
            "Once the server has started, exempt the objects made at startup (modules, classes, "
            "configuration: most of the heap) from the garbage collector's full passes (gc.freeze). "
            "A full pass over them stalls every request for about 0.1 s, and a busy server (many "
            "labelers) triggers one every few seconds."
        ),
    )

    @default("db_url")
    def _default_db_url(self) -> str:
        return default_db_url(self._data_path())

    @default("max_cpu_jobs")
    def _default_max_cpu_jobs(self) -> int:
        return os.cpu_count() or 1

    def initialize_settings(self) -> None:
        _environment_first_on_path()
        settings = PlatformSettings(
            root_dir=self._root_path(),
            data_dir=self._data_path(),
            results_dir=self._root_path() / self.results_dir_name,
            db_url=self.db_url,
            gpu_count=None if self.gpu_count < 0 else self.gpu_count,
            max_cpu_jobs=self.max_cpu_jobs,
            job_grace_seconds=self.job_grace_seconds,
            job_retention_days=self.job_retention_days,
            job_cpus=self.job_cpus,
            job_max_pending=self.max_pending_jobs_per_user,
            job_max_snapshot_mb=self.max_snapshot_total_mb,
            module_paths=tuple(self.module_paths),
            dataset_paths=tuple(self.dataset_paths),
            builtin_modules=self.builtin_modules,
            module_entry_points=self.module_entry_points,
            git_max_file_mb=self.git_max_file_mb,
            git_pull_rebase=self.git_pull_rebase,
            git_timeout_seconds=self.git_timeout_seconds,
            convert_idle_seconds=self.convert_idle_seconds,
            extract_max_total_mb=self.extract_max_total_mb,
            extract_max_ratio=self.extract_max_ratio,
            extract_max_files=self.extract_max_files,
            crowd_max_rounds=self.crowd_max_rounds,
            crowd_lease_seconds=self.crowd_lease_seconds,
            crowd_token_guess_limit=self.crowd_token_guess_limit,
        )
        # The trait holds a concrete subclass; traitlets types it as the abstract base.
        executor: JobExecutor = cast(Any, self.job_executor_class)(cluster_address=self.job_cluster_address)
        # Events and kernel calls must run on the server's loop; jobs report from threads.
        self._io_loop = IOLoop.current()
        try:
            platform = Platform(settings, executor, _ServerConsoles(self))
        except PlatformError as exc:
            # Load anyway (a failed extension would leave every route a bare 404): each route
            # answers 503 with the cause and what to do (server/base.py), and the UI shows it.
            self.log.error("jlab_platform cannot start: %s %s", exc.message, exc.detail)
            self.settings[UNAVAILABLE_KEY] = exc
            return
        platform.jobs.on_finished(self._emit_job_status)
        platform.crowd.on_event(self._emit_crowd_round)
        self.settings["jlab_platform"] = platform
        # Kernels and jobs inherit the server's environment: this is how the
        # kernel library finds the server that started it (kernel/client.py).
        os.environ["JLAB_PLATFORM_SERVER_PID"] = str(os.getpid())
        self._event_logger().register_event_schema(JOB_STATUS_SCHEMA)
        self._event_logger().register_event_schema(CROWD_ROUND_SCHEMA)
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
            *CAPTURE_ROUTES,
            *MODULE_ROUTES,
            *GIT_ROUTES,
            *CONVERT_ROUTES,
            *CROWD_ROUTES,
        ]
        self.handlers.extend((f"{API_PREFIX}/{path}", handler) for path, handler in routes)
        # The labeling page and its token-authenticated API live outside the Jupyter-login API.
        self.handlers.extend((f"/{path}", handler) for path, handler in LABELER_ROUTES)

    async def _start_jupyter_server_extension(self, serverapp: Any) -> None:
        if self.freeze_startup_heap:  # every extension is loaded by now
            gc.collect()
            gc.freeze()
        if UNAVAILABLE_KEY not in self.settings:
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
        platform = self.settings.get("jlab_platform")
        if isinstance(platform, Platform):  # not when it could not start
            platform.close()

    def _emit_job_status(self, job: dict[str, Any]) -> None:
        data = {key: job[key] for key in ("name", "status", "reason", "finished_at")}
        data["job_id"] = job["id"]
        # Called from worker threads (the scheduler, handlers' to_thread): the
        # event bus lives on the server's loop, and add_callback is thread-safe.
        self._io_loop.add_callback(
            partial(self._event_logger().emit, schema_id=JOB_STATUS_SCHEMA_ID, data=data)
        )

    def _emit_crowd_round(self, event: dict[str, Any]) -> None:
        self._io_loop.add_callback(
            partial(self._event_logger().emit, schema_id=CROWD_ROUND_SCHEMA_ID, data=dict(event))
        )

    def _event_logger(self) -> Any:
        assert self.serverapp is not None and self.serverapp.event_logger is not None
        return self.serverapp.event_logger

    def _kernel_manager(self) -> Any:
        assert self.serverapp is not None
        return self.serverapp.kernel_manager

    def _root_path(self) -> Path:
        assert self.serverapp is not None, "the extension is initialised by a ServerApp"
        return Path(self.serverapp.root_dir).resolve()

    def _data_path(self) -> Path:
        path = Path(self.data_dir).expanduser()
        return path if path.is_absolute() else self._root_path() / path


def _environment_first_on_path() -> None:
    """Put the server's environment first on the PATH that kernels, terminals and jobs inherit.

    Kernels and jobs already run the server's interpreter (the kernelspec's ``python`` is
    ``sys.executable``), and so does ``%pip``; with its folder first, a cell's ``!pip install``
    installs there too, even when the server was started without activating the environment.
    """
    folder = str(Path(sys.executable).parent)
    rest = [entry for entry in os.environ.get("PATH", "").split(os.pathsep) if entry and entry != folder]
    os.environ["PATH"] = os.pathsep.join([folder, *rest])


class _ServerConsoles:
    """Console kernels as the jobs service sees them (kernel calls go through the server's loop)."""

    def __init__(self, app: JlabPlatform) -> None:
        self._app = app

    def alive(self, kernel_id: str) -> bool:
        return kernel_id in self._app._kernel_manager()

    def interrupt(self, kernel_id: str) -> None:
        manager = self._app._kernel_manager()
        if kernel_id in manager:
            self._app._io_loop.add_callback(manager.interrupt_kernel, kernel_id)
