"""Which local ports the ``%tensorboard`` magic's TensorBoards listen on.

Kernels get ``TENSORBOARD_PROXY_URL`` (``<base url>jlab-platform/tensorboard/port/%PORT%/``),
so the magic's iframe loads through this server. The proxy reaches a port only while it is
held, on the loopback interface, by a TensorBoard process of this server's user that was
started from a kernel or job of the platform (it inherited that same ``TENSORBOARD_PROXY_URL``).
Not requiring it to be a child of a running kernel is deliberate: the magic reuses a
TensorBoard an earlier kernel started, which lives on detached. Any other local service
(a database, another user's server, Jupyter itself) is never reachable through the proxy.
"""

import os
import threading
from dataclasses import dataclass
from typing import cast

import psutil

PROXY_URL_ENV = "TENSORBOARD_PROXY_URL"
_LOOPBACK = ("127.0.0.1", "::1", "::ffff:127.0.0.1")


@dataclass(frozen=True)
class _Verified:
    pid: int
    create_time: float
    host: str


class NotebookPorts:
    def __init__(self, proxy_url: str) -> None:
        self._proxy_url = proxy_url
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
        for connection in psutil.net_connections(kind="tcp"):
            if connection.status != psutil.CONN_LISTEN or not connection.laddr or not connection.pid:
                continue
            ip, bound = cast("tuple[str, int]", connection.laddr)  # (ip, port) once listening
            if bound != port or ip not in _LOOPBACK:
                continue
            try:
                process = psutil.Process(connection.pid)
                if (
                    process.uids().real == os.getuid()
                    and _runs_tensorboard(process.cmdline())
                    and process.environ().get(PROXY_URL_ENV) == self._proxy_url
                ):
                    host = "[::1]" if ip == "::1" else "127.0.0.1"
                    return _Verified(process.pid, process.create_time(), host)
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
