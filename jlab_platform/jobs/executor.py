"""The executor seam: how a job's process is started, watched and stopped.

The service decides *what* runs *when*; an executor only runs it. The local
executor (default) starts one supervisor process per job on this machine; a
distributed backend implements the same three calls
(``c.JlabPlatform.job_executor_class``).
"""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

import psutil

from ..store.models import JobRow
from .models import Cluster
from .records import ExitRecord, LaunchSpec, read_exit, read_started_pgid, write_spec
from .states import FAILED, ActiveStatus

_READY_TIMEOUT = 30.0


@dataclass(frozen=True)
class Started:
    """What the store records about a started job so it can be found again."""

    supervisor_pid: int | None
    supervisor_started: float | None


# What an executor says about a job it was given: it ended (ExitRecord), it is
# waiting for resources or running now, or None: nothing new.
JobUpdate = ExitRecord | ActiveStatus | None


class JobExecutor(ABC):
    """Runs cpu/gpu jobs. ``cluster_address`` is ``c.JlabPlatform.job_cluster_address``."""

    name = "executor"
    #: True when the executor queues jobs and places them itself (a cluster);
    #: False when the platform's own CPU slots and GPU queue decide when a job starts.
    queues_itself = False

    def __init__(self, cluster_address: str = "") -> None:
        self.cluster_address = cluster_address

    @abstractmethod
    def start(self, job_dir: Path, spec: LaunchSpec) -> Started:
        """Start the job; return once its process exists (not when it ends)."""

    @abstractmethod
    def poll(self, job: JobRow, job_dir: Path) -> JobUpdate:
        """What changed for a started job that the store does not know yet."""

    @abstractmethod
    def terminate(self, job: JobRow, job_dir: Path) -> None:
        """Ask the job to stop (its exit is recorded by whoever sees it end)."""

    def cluster(self) -> Cluster | None:
        """The cluster's nodes and its CPUs/GPUs in use; None when jobs run on this machine."""
        return None


class LocalExecutor(JobExecutor):
    name = "local"

    def start(self, job_dir: Path, spec: LaunchSpec) -> Started:
        write_spec(job_dir, spec)
        return Started(*spawn_supervisor(job_dir, spec.cwd, spec.launch_env()))

    def poll(self, job: JobRow, job_dir: Path) -> JobUpdate:
        _forget(None)
        record = read_exit(job_dir)
        if record is not None:
            return record
        if _alive(job.supervisor_pid, job.supervisor_started):
            return None
        record = read_exit(job_dir)  # it may have finished between the two looks
        if record is not None:
            return record
        _kill_group(job.pgid or read_started_pgid(job_dir))
        return ExitRecord(
            FAILED, None, "lost: its supervisor process is gone without recording an exit", _now()
        )

    def terminate(self, job: JobRow, job_dir: Path) -> None:
        # A supervisor that is still starting has no SIGTERM handler yet and
        # would die without recording anything: wait until it says it is ready.
        deadline = time.monotonic() + _READY_TIMEOUT
        while read_started_pgid(job_dir) is None and time.monotonic() < deadline:
            if not _alive(job.supervisor_pid, job.supervisor_started):
                break
            time.sleep(0.02)
        if _alive(job.supervisor_pid, job.supervisor_started):
            assert job.supervisor_pid is not None
            os.kill(job.supervisor_pid, signal.SIGTERM)
        else:
            _kill_group(job.pgid or read_started_pgid(job_dir))


def spawn_supervisor(folder: Path, cwd: str, env: dict[str, str]) -> tuple[int, float | None]:
    """Start the supervisor of the spec in `folder` (stderr to its supervisor.log): its pid and start time."""
    with open(folder / "supervisor.log", "ab") as supervisor_log:
        process = subprocess.Popen(
            [sys.executable, "-m", "jlab_platform.jobs.supervisor", str(folder)],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=supervisor_log,
            start_new_session=True,  # survives the server: its own session and group
            close_fds=True,
        )
    # The server never waits on the supervisor (it must outlive the
    # server); a thread-free reap keeps it from becoming a zombie here.
    _forget(process)
    return process.pid, _create_time(process.pid)


def _alive(pid: int | None, started: float | None) -> bool:
    """Is this the same process we started (a reused pid does not count)?"""
    if pid is None:
        return False
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return False
        return started is None or abs(process.create_time() - started) < 1.0
    except psutil.NoSuchProcess:
        return False


def _create_time(pid: int) -> float | None:
    try:
        return psutil.Process(pid).create_time()
    except psutil.NoSuchProcess:
        return None


def _kill_group(pgid: int | None) -> None:
    if pgid:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


_started: list["subprocess.Popen[bytes]"] = []


def _forget(process: "subprocess.Popen[bytes] | None") -> None:
    """Keep started supervisors referenced, and reap those that exited (Popen.poll does)."""
    if process is not None:
        _started.append(process)
    _started[:] = [p for p in _started if p.poll() is None]


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()
