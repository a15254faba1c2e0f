"""Which local ports the ``%tensorboard`` magic's TensorBoards listen on.

Kernels get ``TENSORBOARD_PROXY_URL`` (``<base url>jlab-platform/tensorboard/port/%PORT%/``),
so the magic's iframe loads through this server. The proxy reaches a port only while it is
held by a TensorBoard process that a kernel of this server started: a descendant of the
server's process, running ``tensorboard``, listening on the loopback interface. Any other
local service (a database, another user's server) is never reachable through it.
"""

import os
import threading
from dataclasses import dataclass

import psutil

_LOOPBACK = ("127.0.0.1", "::1", "::ffff:127.0.0.1")


@dataclass(frozen=True)
class _Verified:
    pid: int
    create_time: float
    host: str


class NotebookPorts:
    def __init__(self, server_pid: int | None = None) -> None:
        self._server_pid = server_pid or os.getpid()
        self._verified: dict[int, _Verified] = {}
        self._lock = threading.Lock()

    def host(self, port: int) -> str | None:
        """The loopback address of a kernel's TensorBoard on ``port``; None when there is none.

        Cheap once a port was seen: its process is then recognised by pid and start time.
        """
        with self._lock:
            known = self._verified.get(port)
        if known is not None and _same_process(known):
            return known.host
        found = self._find(port)
        with self._lock:
            if found is None:
                self._verified.pop(port, None)
            else:
                self._verified[port] = found
        return None if found is None else found.host

    def _find(self, port: int) -> _Verified | None:
        try:
            descendants = psutil.Process(self._server_pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return None
        for candidate in descendants:
            try:
                if not _runs_tensorboard(candidate.cmdline()):
                    continue
                for connection in candidate.net_connections(kind="tcp"):
                    if (
                        connection.status == psutil.CONN_LISTEN
                        and connection.laddr.port == port
                        and connection.laddr.ip in _LOOPBACK
                    ):
                        host = "127.0.0.1" if connection.laddr.ip != "::1" else "[::1]"
                        return _Verified(candidate.pid, candidate.create_time(), host)
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
        return None


def _runs_tensorboard(cmdline: list[str]) -> bool:
    """``tensorboard ...``, ``python .../bin/tensorboard ...`` or ``python -m tensorboard.main ...``."""
    head = cmdline[:3]
    return any(os.path.basename(word) == "tensorboard" or word == "tensorboard.main" for word in head)


def _same_process(known: _Verified) -> bool:
    try:
        return abs(psutil.Process(known.pid).create_time() - known.create_time) < 1.0
    except psutil.NoSuchProcess:
        return False
