"""Starting, recognising and stopping one TensorBoard process.

Each runs TensorBoard (launch.py) in a session (and process group) of its own, bound
to 127.0.0.1, with the Rust data server (``--load_fast=true``: TensorBoard starts
``tensorboard-data-server`` as its child, which exits with it). A process is ours only if
its pid, start time and command line (the instance's ``--path_prefix``) all match, so a
reused pid is never signalled.
"""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

PREFIX = "/jlab-platform/tensorboard"
_READY_POLL = 0.1
_NICENESS = 10


@dataclass(frozen=True)
class Launched:
    pid: int
    create_time: float
    port: int


def path_prefix(instance_id: str) -> str:
    return f"{PREFIX}/{instance_id}"


def command(logdir: Path, instance_id: str, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "jlab_platform.tensorboard.launch",
        f"--logdir={logdir}",
        "--load_fast=true",
        f"--path_prefix={path_prefix(instance_id)}",
        "--host=127.0.0.1",
        f"--port={port}",
    ]


def launch(logdir: Path, instance_id: str, log_file: Path) -> Launched:
    port = free_port()
    with open(log_file, "ab") as log:
        process = subprocess.Popen(
            command(logdir, instance_id, port),
            cwd=logdir,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,  # its own group: stopped with its data server in one signal
            close_fds=True,
        )
    _forget(process)
    try:
        # Loading a large log keeps TensorBoard and its data server (which inherits this) busy
        # for seconds: Jupyter's own requests come first.
        os.setpriority(os.PRIO_PROCESS, process.pid, _NICENESS)
        return Launched(process.pid, psutil.Process(process.pid).create_time(), port)
    except (ProcessLookupError, psutil.NoSuchProcess):  # exited at once: wait_ready says so
        return Launched(process.pid, 0.0, port)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def is_ours(pid: int, create_time: float, instance_id: str) -> bool:
    """Is ``pid`` still the TensorBoard this platform started for ``instance_id``?"""
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE or abs(process.create_time() - create_time) > 1.0:
            return False
        return f"--path_prefix={path_prefix(instance_id)}" in process.cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


def wait_ready(launched: Launched, instance_id: str, timeout: float) -> bool:
    """Until TensorBoard answers on its port (True), exits or ``timeout`` passes (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not is_ours(launched.pid, launched.create_time, instance_id):
            return False
        if answers(launched.port, instance_id):
            return True
        time.sleep(_READY_POLL)
    return False


def answers(port: int, instance_id: str) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", f"{path_prefix(instance_id)}/data/environment")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def stop(pid: int, create_time: float, instance_id: str, grace_seconds: float = 5.0) -> None:
    """SIGTERM the instance's group, SIGKILL it after the grace period; only if it is ours."""
    if not is_ours(pid, create_time, instance_id):
        return
    _signal_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_seconds
    while time.monotonic() < deadline:
        _forget(None)
        if not is_ours(pid, create_time, instance_id):
            break
        time.sleep(0.05)
    _signal_group(pid, signal.SIGKILL)  # also the data server, should it outlive TensorBoard
    _forget(None)


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


_started: list["subprocess.Popen[bytes]"] = []


def _forget(process: "subprocess.Popen[bytes] | None") -> None:
    """Keep started processes referenced and reap those that exited (no zombies)."""
    if process is not None:
        _started.append(process)
    _started[:] = [p for p in _started if p.poll() is None]
