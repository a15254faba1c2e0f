"""The library used inside kernels and jobs.

``%load_ext jlab_platform.kernel`` registers the platform's magics.
"""

from typing import Any

from .client import ServerConnection, ServerError, ServerNotFound, find_server


def info() -> dict[str, Any]:
    """The platform server's version and detected capabilities, as ``GET /info`` returns them."""
    result: dict[str, Any] = find_server().request("GET", "info")
    return result


def load_ipython_extension(ipython: Any) -> None:
    from .magics import PlatformMagics

    ipython.register_magics(PlatformMagics)


__all__ = [
    "ServerConnection",
    "ServerError",
    "ServerNotFound",
    "find_server",
    "info",
    "load_ipython_extension",
]
