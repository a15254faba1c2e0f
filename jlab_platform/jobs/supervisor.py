"""The small process that owns one job: ``python -m jlab_platform.jobs.supervisor JOB_DIR``.

Started in its own session by the local executor, it runs the job in a
process group of its own with stdout and stderr appended to the log, becomes
the reaper of every orphan the job leaves, and records the exit (``exit.json``
and the store) itself, so the record survives a stopped or killed server.
On SIGTERM it stops the whole tree: SIGTERM, then SIGKILL after the grace period.
"""

import ctypes
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import psutil

    from ..tensorboard.job_events import JobEvents

from ..tensorboard import RUNS_DIR_ENV
from .records import ExitRecord, LaunchSpec, read_spec, write_exit, write_started
from .states import FAILED, SUCCESS, TERMINATED

_PR_SET_PDEATHSIG = 1
_PR_SET_CHILD_SUBREAPER = 36
_terminate_requested = False


def main(job_dir: Path) -> int:
    spec = read_spec(job_dir)
    _prctl(_PR_SET_CHILD_SUBREAPER, 1)
    signal.signal(signal.SIGTERM, _on_terminate)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    child = _start(spec)
    write_started(job_dir, child.pid)
    _record_start(spec, child.pid)
    events = _tensorboard_events(spec)
    log = Path(spec.log)
    while child.poll() is None:
        if _terminate_requested:
            _stop_tree(child, spec.grace_seconds)
            break
        if events is not None:
            events.poll(log)
        time.sleep(0.05)
    returncode = child.wait()
    # The job is over: nothing it started may outlive it.
    _stop_tree(child, grace_seconds=2.0)
    record = _exit_record(returncode, _terminate_requested)
    if events is not None:
        events.close(log, record.status)
    write_exit(job_dir, record)
    _record_exit(spec, record)
    return 0


def _tensorboard_events(spec: LaunchSpec) -> "JobEvents | None":
    """The job's metric lines as a TensorBoard run, when the server named a runs folder."""
    runs_dir = os.environ.get(RUNS_DIR_ENV, "")
    if not runs_dir:
        return None
    # TensorBoard's protos load here, after the job has started: they never delay it.
    try:
        from ..tensorboard.events import args_hparams
        from ..tensorboard.job_events import JobEvents
    except ImportError as exc:  # the job and its record matter more than its TensorBoard run
        print(f"jlab_platform: no TensorBoard run for job {spec.job_id}: {exc}", file=sys.stderr)
        return None
    return JobEvents(Path(runs_dir), spec.name or spec.job_id, spec.job_id, args_hparams(spec.args))


def _start(spec: LaunchSpec) -> "subprocess.Popen[bytes]":
    log_fd = os.open(spec.log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        return subprocess.Popen(
            spec.command,
            cwd=spec.cwd,
            env=spec.launch_env(),
            stdin=subprocess.DEVNULL,
            stdout=log_fd,
            stderr=log_fd,
            process_group=0,
            preexec_fn=_die_with_supervisor,
        )
    finally:
        os.close(log_fd)


def _die_with_supervisor() -> None:
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _on_terminate(_signum: int, _frame: object) -> None:
    global _terminate_requested
    _terminate_requested = True


def _stop_tree(child: "subprocess.Popen[bytes]", grace_seconds: float) -> None:
    """SIGTERM the job's group and every descendant, SIGKILL what is left after the grace period."""
    import psutil  # only now: the job's start must not wait for it

    me = psutil.Process()
    _signal_all(child.pid, me.children(recursive=True), signal.SIGTERM)
    deadline = time.monotonic() + grace_seconds
    while time.monotonic() < deadline:
        _reap()
        if not me.children(recursive=True):
            return
        time.sleep(0.05)
    _signal_all(child.pid, me.children(recursive=True), signal.SIGKILL)
    deadline = time.monotonic() + 5
    while me.children(recursive=True) and time.monotonic() < deadline:
        _reap()
        time.sleep(0.02)


def _signal_all(pgid: int, processes: "list[psutil.Process]", sig: int) -> None:
    import psutil

    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass
    for process in processes:
        try:
            process.send_signal(sig)
        except psutil.NoSuchProcess:
            pass


def _reap() -> None:
    """Collect exited orphans (we are their subreaper) so they do not linger as zombies."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _exit_record(returncode: int, terminated: bool) -> ExitRecord:
    now = dt.datetime.now(dt.UTC).isoformat()
    if terminated:
        return ExitRecord(TERMINATED, returncode, "terminated on request", now)
    if returncode == 0:
        return ExitRecord(SUCCESS, 0, None, now)
    if returncode < 0:
        name = signal.Signals(-returncode).name
        return ExitRecord(FAILED, returncode, f"killed by signal {name}", now)
    return ExitRecord(FAILED, returncode, f"exited with code {returncode}", now)


def _record_start(spec: LaunchSpec, pgid: int) -> None:
    from .store_records import record_pgid

    record_pgid(spec.db_url, spec.job_id, pgid)


def _record_exit(spec: LaunchSpec, record: ExitRecord) -> None:
    from .store_records import record_exit

    record_exit(spec.db_url, spec.job_id, record)


def _prctl(option: int, value: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(option, value, 0, 0, 0)


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
