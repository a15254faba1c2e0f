"""The server extension application and its configuration (``c.JlabPlatform.*``)."""

import os
from pathlib import Path
from typing import Any

from jupyter_server.extension.application import ExtensionApp
from traitlets import Int, Unicode, default

from .._version import __version__
from ..platform import Platform, PlatformSettings, default_db_url
from .info_handlers import InfoHandler, InfoRefreshHandler

API_PREFIX = "/jlab-platform/api"


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

    @default("db_url")
    def _default_db_url(self) -> str:
        return default_db_url(self._data_path())

    def initialize_settings(self) -> None:
        settings = PlatformSettings(
            root_dir=self._root_path(),
            data_dir=self._data_path(),
            results_dir=self._root_path() / self.results_dir_name,
            db_url=self.db_url,
            gpu_count=None if self.gpu_count < 0 else self.gpu_count,
        )
        platform = Platform(settings)
        # Kernels and jobs inherit the server's environment: this is how the
        # kernel library finds the server that started it (kernel/client.py).
        os.environ["JLAB_PLATFORM_SERVER_PID"] = str(os.getpid())
        self.settings["jlab_platform"] = platform
        self.log.info(
            "jlab_platform %s: store schema v%d at %s; GPUs: %d",
            __version__,
            platform.schema_version,
            settings.db_url,
            platform.capabilities.gpus,
        )

    def initialize_handlers(self) -> None:
        routes: list[tuple[str, Any]] = [
            ("info", InfoHandler),
            ("info/refresh", InfoRefreshHandler),
        ]
        self.handlers.extend((f"{API_PREFIX}/{path}", handler) for path, handler in routes)

    async def stop_extension(self) -> None:
        platform: Platform | None = self.settings.get("jlab_platform")
        if platform is not None:
            platform.close()

    def _root_path(self) -> Path:
        assert self.serverapp is not None, "the extension is initialised by a ServerApp"
        return Path(self.serverapp.root_dir).resolve()

    def _data_path(self) -> Path:
        path = Path(self.data_dir).expanduser()
        return path if path.is_absolute() else self._root_path() / path
