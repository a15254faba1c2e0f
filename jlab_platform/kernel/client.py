"""Reach the Jupyter server that started this kernel or job, without the user typing a URL.

Lookup order:
1. ``JLAB_PLATFORM_URL`` (+ ``JLAB_PLATFORM_TOKEN``), set explicitly or by a job's supervisor;
2. the runtime file (``jpserver-<pid>.json``) of the server whose pid the extension
   exported as ``JLAB_PLATFORM_SERVER_PID`` (kernels inherit the server's environment);
3. the runtime file of the nearest ancestor process that is a Jupyter server.
"""

import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jupyter_core.paths import jupyter_runtime_dir

API_PREFIX = "jlab-platform/api"


class ServerNotFound(RuntimeError):
    pass


class ServerError(RuntimeError):
    """The server answered with an error; ``detail`` says what to fix."""

    def __init__(self, status: int, error: str, detail: str) -> None:
        super().__init__(f"{status}: {error}" + (f" — {detail}" if detail else ""))
        self.status = status
        self.error = error
        self.detail = detail


@dataclass(frozen=True)
class ServerConnection:
    url: str  # base URL ending in '/', e.g. http://127.0.0.1:8888/lab-base/
    token: str
    root_dir: str | None = None

    def request(self, method: str, path: str, body: Any = None, timeout: float = 30) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + API_PREFIX + "/" + path.lstrip("/"), data=data, method=method)
        req.add_header("Authorization", f"token {self.token}")
        req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as exc:
            try:
                payload = json.loads(exc.read())
            except (ValueError, OSError):
                payload = {}
            raise ServerError(exc.code, payload.get("error", exc.reason), payload.get("detail", "")) from None

    def root_relative(self, path: str) -> str:
        """``path`` (as the kernel sees it) relative to the server's root, as the API takes paths."""
        if self.root_dir is None:
            return path
        absolute = os.path.abspath(path)
        root = os.path.realpath(self.root_dir)
        if absolute == root or absolute.startswith(root + os.sep):
            return os.path.relpath(absolute, root).replace(os.sep, "/")
        return path  # let the server explain what is wrong with it


def find_server() -> ServerConnection:
    url = os.environ.get("JLAB_PLATFORM_URL")
    if url:
        return ServerConnection(url=_with_slash(url), token=os.environ.get("JLAB_PLATFORM_TOKEN", ""))
    for pid in _candidate_pids():
        info = _runtime_info(pid)
        if info is not None:
            return ServerConnection(
                url=_with_slash(info["url"]),  # already includes base_url
                token=info.get("token", ""),
                root_dir=info.get("root_dir"),
            )
    raise ServerNotFound(
        "No Jupyter server with jlab_platform was found for this process. Run this inside a "
        "kernel started by JupyterLab, or set JLAB_PLATFORM_URL and JLAB_PLATFORM_TOKEN."
    )


def _candidate_pids() -> list[int]:
    pids = []
    exported = os.environ.get("JLAB_PLATFORM_SERVER_PID", "")
    if exported.isdigit():
        pids.append(int(exported))
    pid = os.getppid()
    for _ in range(16):  # ancestors: kernel -> (nanny) -> server
        if pid <= 1:
            break
        pids.append(pid)
        pid = _parent_of(pid)
    return pids


def _parent_of(pid: int) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    # The command name is in parentheses and may contain spaces; ppid follows it.
    return int(stat.rsplit(")", 1)[1].split()[1])


def _runtime_info(pid: int) -> dict[str, Any] | None:
    path = Path(jupyter_runtime_dir()) / f"jpserver-{pid}.json"
    try:
        written = path.stat().st_mtime
        info: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if "url" not in info or _started_after(pid, written):
        return None
    return info


def _started_after(pid: int, moment: float) -> bool:
    """Whether process ``pid`` started after ``moment``: then a runtime file written at that moment
    was left by a server that died and whose pid was reused, and its URL leads nowhere."""
    try:
        ticks = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
        boot = next(
            int(line.split()[1])
            for line in Path("/proc/stat").read_text().splitlines()
            if line.startswith("btime ")
        )
    except (OSError, ValueError, IndexError, StopIteration):
        return False  # no /proc: trust the file
    # btime has whole seconds; the slack keeps a server that wrote its file at once.
    return boot + ticks / os.sysconf("SC_CLK_TCK") > moment + 1.0


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"
