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
from traitlets import Type, default

from .._version import __version__
from ..crowd.service import RoundEvent
from ..errors import PlatformError
from ..jobs.executor import JobExecutor, LocalExecutor
from ..jobs.models import Job
from ..jobs.ray_executor import RayExecutor
from ..platform import Platform
from ..settings import PlatformSettings
from .base import UNAVAILABLE_KEY
from .options import PlatformOptions, option_value, option_values
from .routes import platform_routes
from .ui_catalog import install_schema_translations

JOB_STATUS_SCHEMA = Path(__file__).resolve().parent.parent / "events" / "job-status.yaml"
JOB_STATUS_SCHEMA_ID = "https://events.jlab-platform.dev/job-status"
CROWD_ROUND_SCHEMA = Path(__file__).resolve().parent.parent / "crowd" / "round-event.yaml"
CROWD_ROUND_SCHEMA_ID = "https://events.jlab-platform.dev/crowd-round"


class JlabPlatform(PlatformOptions, ExtensionApp):
    """The extension; its options (``c.JlabPlatform.*``) are generated from settings.py."""

    name = "jlab_platform"
    version = __version__
    description = "JupyterLab as a deep-learning development platform"

    job_executor_class = Type(
        klass=JobExecutor,
        config=True,
        help="A custom executor class (a distributed backend plugs in here); by default the one "
        "that job_executor names.",
    )

    @default("job_executor_class")
    def _default_executor_class(self) -> type[JobExecutor]:
        return RayExecutor if option_value(self, "job_executor") == "ray" else LocalExecutor

    def initialize_settings(self) -> None:
        _environment_first_on_path()
        install_schema_translations()
        settings = PlatformSettings.from_options(self._root_path(), option_values(self))
        # The trait holds a concrete subclass; traitlets types it as the abstract base.
        executor: JobExecutor = cast(Any, self.job_executor_class)(
            cluster_address=settings.job_cluster_address
        )
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
        assert self.serverapp is not None
        os.environ.update(platform.tensorboard.kernel_environment(self.serverapp.base_url))
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
        self.handlers.extend(platform_routes())

    async def _start_jupyter_server_extension(self, serverapp: Any) -> None:
        if option_value(self, "freeze_startup_heap"):  # every extension is loaded by now
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
            await asyncio.sleep(platform.settings.job_poll_seconds)

    async def stop_extension(self) -> None:
        scheduler = getattr(self, "_scheduler", None)
        if scheduler is not None:
            scheduler.cancel()
        platform = self.settings.get("jlab_platform")
        if isinstance(platform, Platform):  # not when it could not start
            platform.close()

    def _emit_job_status(self, job: Job) -> None:
        data = job.model_dump(include={"name", "status", "reason", "finished_at"})
        data["job_id"] = job.id
        # Called from worker threads (the scheduler, handlers' to_thread): the
        # event bus lives on the server's loop, and add_callback is thread-safe.
        self._io_loop.add_callback(
            partial(self._event_logger().emit, schema_id=JOB_STATUS_SCHEMA_ID, data=data)
        )

    def _emit_crowd_round(self, event: RoundEvent) -> None:
        self._io_loop.add_callback(
            partial(self._event_logger().emit, schema_id=CROWD_ROUND_SCHEMA_ID, data=event._asdict())
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
