"""Where a capture comes from: the server's capture folder, this kernel, the notebook it serves."""

import json
import os
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from IPython.core.error import UsageError

from .client import ServerConnection, ServerError, ServerNotFound, find_server


@dataclass(frozen=True)
class CaptureServer:
    directory: Path  # where this server keeps captures; kernels write there directly
    connection: ServerConnection


_server: CaptureServer | None = None


def capture_server() -> CaptureServer:
    """The platform server this kernel captures for (asked once per kernel)."""
    global _server
    if _server is None:
        try:
            connection = find_server()
            listing = connection.request("GET", "outputs?limit=0")
        except (ServerNotFound, ServerError, OSError) as exc:
            raise UsageError(f"Cannot reach the platform server to store captures: {exc}") from None
        _server = CaptureServer(Path(listing["directory"]), connection)
    return _server


def kernel_id() -> str | None:
    try:
        from ipykernel.connect import get_connection_file

        match = re.search(r"kernel-(.+)\.json$", get_connection_file())
    except Exception:
        return None
    return match.group(1) if match else None


def notebook_path(server: CaptureServer, kernel: str | None) -> str | None:
    """The notebook this kernel serves now, relative to the server's root.

    The server's session for this kernel has it (also after a rename); the path Jupyter gave
    the kernel when it started (``JPY_SESSION_NAME``) is the fallback.
    """
    for session in _sessions(server.connection) if kernel else []:
        if (session.get("kernel") or {}).get("id") == kernel and session.get("path"):
            return str(session["path"])
    path = os.environ.get("JPY_SESSION_NAME")
    root = server.connection.root_dir
    if path and root and os.path.isabs(path):
        real_root = os.path.realpath(root)
        if path.startswith(real_root + os.sep):
            return os.path.relpath(path, real_root).replace(os.sep, "/")
    return path or None


def _sessions(connection: ServerConnection) -> list[dict[str, Any]]:
    request = urllib.request.Request(connection.url + "api/sessions")
    request.add_header("Authorization", f"token {connection.token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            sessions = json.loads(response.read())
    except (OSError, ValueError, urllib.error.HTTPError):
        return []
    return [s for s in sessions if isinstance(s, dict)] if isinstance(sessions, list) else []
