"""jlab_platform: JupyterLab as a deep-learning development platform."""

from typing import Any

from ._version import __version__

__all__ = ["__version__"]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "jlab-platform"}]


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    from .server.app import JlabPlatform

    return [{"module": "jlab_platform.server.app", "app": JlabPlatform}]
