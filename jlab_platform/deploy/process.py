"""One deployment's service process on this machine, supervised like a job.

The jobs' supervisor (``python -m jlab_platform.jobs.supervisor DIR``) runs the service in its
own session, so it survives the server; it records the exit in ``exit.json``. The runtime writes
``state.json`` (starting, ready, failed) itself: per process, so a rollback's new process on the
same port is told apart from the old one.
"""

import json
import os
import signal
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ..files.atomic import write_atomic
from ..jobs.executor import _alive, _forget, _kill_group, spawn_supervisor
from ..jobs.records import LOG_FILE, LaunchSpec, read_exit, read_started_pgid, write_spec
from ..tensorboard import RUNS_DIR_ENV
from .runtime.config import PROXY_SECRET_ENV, ServiceConfig

SERVICE_FILE = "service.json"
STATE_FILE = "state.json"
_LOAD_FAILED = "jlab-deploy: load failed: "


@dataclass(frozen=True)
class Launched:
    pid: int | None
    started: float | None


@dataclass(frozen=True)
class ProcessState:
    status: str  # starting | ready | failed
    reason: str | None = None


@dataclass(frozen=True)
class LocalBackend:
    """Service processes on this machine."""

    grace_seconds: float
    db_url: str
    proxy_secret: str
    name = "local"

    def sync_log(self, folder: Path) -> None:
        """Nothing to copy: the supervisor writes the service's output into its log file."""

    def launch(self, folder: Path, config: ServiceConfig, host: str, port: int, workers: int) -> Launched:
        """Start the supervisor of one service process; return once it exists (not when ready)."""
        for stale in (STATE_FILE, "exit.json", "started.json"):
            (folder / stale).unlink(missing_ok=True)
        write_atomic(folder / SERVICE_FILE, config.model_dump_json(indent=1), private=True)
        state_file = str(folder / STATE_FILE)
        runtime = [
            sys.executable,
            "-m",
            "jlab_platform.deploy.runtime",
            "--config",
            str(folder / SERVICE_FILE),
        ]
        runtime += ["--host", host, "--port", str(port)]
        if workers > 1:  # N processes on the port, one state file for all
            command = [
                sys.executable,
                "-m",
                "jlab_platform.deploy.workers",
                str(workers),
                state_file,
                "--",
                *runtime,
            ]
        else:
            command = [*runtime, "--state-file", state_file]
        spec = LaunchSpec(
            job_id=folder.name,  # the supervisor's store updates find no job of this id: a no-op
            command=command,
            cwd=str(config.code_dir),
            # Not the server's TensorBoard runs: a service writes no job metrics.
            env={"PYTHONUNBUFFERED": "1", RUNS_DIR_ENV: ""},
            log=str(folder / LOG_FILE),
            grace_seconds=self.grace_seconds,
            db_url=self.db_url,
            name=config.name,
        )
        write_spec(folder, spec)
        # The proxy secret reaches the process through its environment, never spec.json.
        env = {**spec.launch_env(), PROXY_SECRET_ENV: self.proxy_secret}
        return Launched(*spawn_supervisor(folder, spec.cwd, env))

    def state(self, folder: Path, pid: int | None, started: float | None) -> ProcessState:
        """Where the process stands now: from its state file, its exit record, its liveness."""
        _forget(None)
        ended = read_exit(folder)
        alive = ended is None and _alive(pid, started)
        if ended is None and not alive:
            ended = read_exit(folder)  # it may have finished between the two looks
        if ended is not None or not alive:
            return ProcessState("failed", _failure_reason(folder, ended.reason if ended else None))
        written = _read_state(folder)
        status = written.get("state")
        if status == "ready":
            return ProcessState("ready")
        if status == "failed":
            return ProcessState("failed", str(written.get("reason") or "the service failed to start"))
        return ProcessState("starting")

    def stop(self, folder: Path, pid: int | None, started: float | None) -> None:
        """SIGTERM the supervisor: the service stops accepting, finishes its requests and exits."""
        deadline = time.monotonic() + 30
        # A supervisor that is still starting has no SIGTERM handler yet.
        while read_started_pgid(folder) is None and _alive(pid, started) and time.monotonic() < deadline:
            time.sleep(0.02)
        if _alive(pid, started):
            assert pid is not None
            os.kill(pid, signal.SIGTERM)
        else:
            _kill_group(read_started_pgid(folder))

    def wait_ended(self, folder: Path, pid: int | None, started: float | None, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while _alive(pid, started) and read_exit(folder) is None:
            if time.monotonic() >= deadline:
                return False
            _forget(None)
            time.sleep(0.05)
        return True

    def revert(self, folder: Path, pid: int | None, started: float | None) -> None:
        self.stop(folder, pid, started)

    def port_free(self, host: str, port: int) -> bool:
        return port_free(host, port)

    def shared_port(self) -> None:
        return None

    def path(self, name: str) -> str:
        return ""


def port_free(host: str, port: int) -> bool:
    """Nothing listens on ``host:port`` (a socket in TIME_WAIT does not count)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _read_state(folder: Path) -> dict[str, object]:
    try:
        data = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _failure_reason(folder: Path, exit_reason: str | None) -> str:
    """The runtime's own words when it said why (state file, or its last log line), else the exit."""
    written = _read_state(folder).get("reason")
    if written:
        return str(written)
    for line in reversed(_log_tail(folder / LOG_FILE)):
        if line.startswith(_LOAD_FAILED):
            return line[len(_LOAD_FAILED) :]
    if exit_reason:
        return f"the service {exit_reason}"
    return "the service's supervisor is gone without recording an exit"


def _log_tail(path: Path, size: int = 8192) -> list[str]:
    try:
        with open(path, "rb") as log:
            log.seek(max(0, path.stat().st_size - size))
            return log.read().decode("utf-8", "replace").splitlines()
    except OSError:
        return []
