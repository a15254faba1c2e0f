"""Jobs: submit, schedule on CPU/GPU slots, watch, terminate, restart, retain.

Every state change is written by whoever knows it: this service (submitted,
started, lost), the job's supervisor (its exit). ``tick()`` reconciles the two
and starts pending jobs when slots free up.
"""

import datetime as dt
import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from sqlalchemy import func, select

from ..errors import Conflict, InvalidInput, NotFound, PlatformError, Unavailable
from ..files.atomic import make_private_dir
from ..paths import PathResolver
from ..settings import option_default
from ..store import Store
from ..store.models import JobRow
from ..tensorboard.runs import job_run_name
from ..timeutil import parse_iso, to_iso, utcnow
from ..vcs import current_commit
from . import metrics as job_metrics
from . import models
from .executor import JobExecutor, JobUpdate
from .launch import build_launch
from .logs import note_vanished, read_chunk
from .quota import MIB, SnapshotSpace, check_pending
from .records import LOG_FILE, ExitRecord, scrub_old_specs
from .snapshot import ExcludeRules
from .states import ACTIVE, ENDED, ENDED_STATUSES, FAILED, PENDING, RUNNING, STATUSES, TERMINATED, EndedStatus
from .store_records import apply_exit
from .views import NO_CLUSTER_GPU, NO_GPU, clean_name, job_model, parse_args, restart_name

ENVIRONMENTS = ("console", "cpu", "gpu")
SCRIPT_SUFFIXES = (".py", ".ipynb")
_RETENTION_SWEEP_SECONDS = 600

JobListener = Callable[[models.Job], None]


class JobPage(NamedTuple):
    """One page of jobs, newest first, and how many match in all."""

    jobs: list[models.Job]
    total: int


class ConsoleKernels(Protocol):
    """The kernels of JupyterLab consoles, which run ``console`` jobs."""

    def alive(self, kernel_id: str) -> bool: ...

    def interrupt(self, kernel_id: str) -> None: ...


@dataclass(frozen=True)
class JobSettings:
    data_dir: Path
    results_dir: Path
    db_url: str
    max_cpu_jobs: int
    gpu_count: int
    grace_seconds: float
    retention_days: float
    # This server's identity in a store that several servers may share:
    # each supervises (starts, polls, reconciles) only the jobs it created.
    origin: str = "local"
    # CPUs a job asks of an executor that places jobs itself (Ray's entrypoint_num_cpus).
    cpus_per_job: float = option_default("job_cpus")
    # Quotas (0: none), see quota.py.
    max_pending_jobs: int = option_default("max_pending_jobs_per_user")
    max_snapshot_bytes: int = int(option_default("max_snapshot_total_mb") * MIB)
    # Where jobs' TensorBoard runs go (tensorboard_runs_dir), to name each job's run; None: none named.
    tensorboard_runs_dir: Path | None = None


class JobService:
    def __init__(
        self,
        store: Store,
        paths: PathResolver,
        settings: JobSettings,
        executor: JobExecutor,
        consoles: ConsoleKernels | None = None,
    ) -> None:
        self.store = store
        self.paths = paths
        self.settings = settings
        self.executor = executor
        self._consoles = consoles
        self._jobs_dir = settings.data_dir / "jobs"
        self._snapshots_dir = settings.data_dir / "snapshots"
        # Root-relative, worked out once: every listed job names its run (GET /jobs lists 100).
        runs_dir = settings.tensorboard_runs_dir
        self._tensorboard_runs = None if runs_dir is None else paths.inside(runs_dir.resolve())
        make_private_dir(self._jobs_dir)
        make_private_dir(self._snapshots_dir)
        scrub_old_specs(self._jobs_dir)
        self._lock = threading.RLock()
        self._listeners: list[JobListener] = []
        self._watched: set[str] = set()
        self._metrics: dict[str, job_metrics.MetricsState] = {}
        self._last_sweep = 0.0
        self.snapshots = SnapshotSpace(
            self._snapshots_dir, settings.max_snapshot_bytes, settings.retention_days
        )

    # -- queries -----------------------------------------------------------

    def environments(self) -> models.JobEnvironments:
        def environment(
            name: models.Environment, slots: float | None, reason: str | None = None
        ) -> models.JobEnvironment:
            return models.JobEnvironment(name=name, available=reason is None, reason=reason, slots=slots)

        console = environment("console", None)
        if not self.executor.queues_itself:
            gpus = self.settings.gpu_count
            cpu = environment("cpu", self.settings.max_cpu_jobs)
            return models.JobEnvironments(
                environments=[console, cpu, environment("gpu", gpus, None if gpus else NO_GPU)]
            )
        try:
            cluster = self.cluster()
        except Unavailable as exc:
            down = f"{exc.message}. {exc.detail}"
            unavailable = [environment("cpu", None, down), environment("gpu", None, down)]
            return models.JobEnvironments(environments=[console, *unavailable])
        gpus = int(cluster.gpus or 0)
        cpu = environment("cpu", int(cluster.cpus))
        return models.JobEnvironments(
            environments=[console, cpu, environment("gpu", gpus, None if gpus else NO_CLUSTER_GPU)]
        )

    def cluster(self) -> models.Cluster:
        """Where jobs run: the cluster's nodes and CPUs/GPUs in use, or this machine's job slots."""
        info = self.executor.cluster()
        if info is None:
            with self.store.session() as session:
                running = session.scalars(
                    select(JobRow).where(JobRow.status == RUNNING, JobRow.env != "console", self._ours())
                ).all()
            this_machine = models.ClusterNode(
                name=socket.gethostname(), head=True, cpus=os.cpu_count() or 1, gpus=self.settings.gpu_count
            )
            info = models.Cluster(
                executor=self.executor.name,
                address=None,
                nodes=[this_machine],
                cpus=self.settings.max_cpu_jobs,
                cpus_used=sum(1 for row in running if row.env == "cpu"),
                gpus=self.settings.gpu_count,
                gpus_used=sum(1 for row in running if row.env == "gpu"),
            )
        return info

    def list_jobs(
        self, status: str | None = None, limit: int = 100, offset: int = 0, finished_after: str | None = None
    ) -> JobPage:
        if status is not None and status not in STATUSES:
            raise InvalidInput(f"Unknown status {status!r}", f"Use one of: {', '.join(STATUSES)}.")
        if not 1 <= limit <= 1000 or offset < 0:
            raise InvalidInput(
                "limit must be 1..1000 and offset at least 0", f"Got limit={limit}, offset={offset}."
            )
        query = select(JobRow)
        if status is not None:
            query = query.where(JobRow.status == status)
        if finished_after is not None:
            query = query.where(JobRow.finished_at > parse_iso(finished_after, "finished_after"))
        with self.store.session() as session:
            total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
            rows = session.scalars(query.order_by(JobRow.created_at.desc()).limit(limit).offset(offset)).all()
            now = utcnow()
            return JobPage([self._to_model(row, now) for row in rows], total)

    def get(self, job_id: str) -> models.Job:
        with self.store.session() as session:
            return self._to_model(self._row(session, job_id), utcnow())

    def log(self, job_id: str, offset: int, max_bytes: int) -> models.LogChunk:
        job = self.get(job_id)
        chunk = read_chunk(self._jobs_dir / job_id / LOG_FILE, offset, max_bytes)
        return models.LogChunk(
            data=chunk.data,
            offset=chunk.offset,
            next_offset=chunk.next_offset,
            size=chunk.size,
            complete=job.status in ENDED and chunk.next_offset >= chunk.size,
        )

    def log_path(self, job_id: str) -> Path:
        self.get(job_id)
        return self._jobs_dir / job_id / LOG_FILE

    def metrics(self, job_id: str) -> models.JobMetrics:
        with self.store.session() as session:
            row = self._row(session, job_id)
            started, finished = row.started_at, row.finished_at
        # Not under self._lock: reading a large log must not hold up submissions or the scheduler.
        state = self._metrics.setdefault(job_id, job_metrics.MetricsState())
        with state.lock:
            job_metrics.update(state, self._jobs_dir / job_id / LOG_FILE)
            elapsed = ((finished or utcnow()) - started).total_seconds() if started else None
            return state.to_model(elapsed)

    # -- commands ----------------------------------------------------------

    def submit(
        self,
        script: str,
        env: str = "cpu",
        name: str | None = None,
        args: list[str] | str | None = None,
        kernel_id: str | None = None,
    ) -> models.Job:
        if env not in ENVIRONMENTS:
            raise InvalidInput(f"Unknown environment {env!r}", f"Use one of: {', '.join(ENVIRONMENTS)}.")
        script_path = self.paths.resolve(script, must_exist=True)
        if not script_path.is_file() or script_path.suffix not in SCRIPT_SUFFIXES:
            raise InvalidInput(
                f"{script!r} is not a Python script or notebook", "Choose a .py or .ipynb file."
            )
        if env == "gpu":
            gpu = next(e for e in self.environments().environments if e.name == "gpu")
            if not gpu.available:
                raise Conflict("No GPU to run on", gpu.reason or "")
        if env == "console" and not kernel_id:
            raise InvalidInput("A console job needs the kernel_id of its console", "Open a console first.")
        if env != "console":
            with self.store.session() as session:
                self._check_pending_quota(session)
        now = utcnow()
        row = JobRow(
            id=uuid.uuid4().hex[:12],
            name=clean_name(name, script_path),
            env=env,
            script=self.paths.relative(script_path),
            args=parse_args(args),
            created_at=now,
            commit=current_commit(self.paths.root),
            kernel_id=kernel_id,
            outputs=[],
            origin=self.settings.origin,
        )
        vanished: list[str] = []
        if env == "console":
            row.status, row.started_at = RUNNING, now
        else:
            row.status, row.snapshot_id = PENDING, row.id
            vanished = self._snapshot(row.id)
        with self.store.session() as session:
            session.add(row)
        if vanished:
            make_private_dir(self._jobs_dir / row.id)
            note_vanished(self._jobs_dir / row.id / LOG_FILE, vanished)
        if self.executor.queues_itself and env != "console":
            self._hand_over(row.id, own_snapshot=True)
        self.dispatch()
        return self.get(row.id)

    def restart(self, job_id: str) -> models.Job:
        with self.store.session() as session:
            old = self._own_row(session, job_id)
            if old.status not in ENDED:
                raise Conflict(
                    f"Job {old.name!r} is still {old.status}", "Wait for it to end, or terminate it."
                )
            if old.env == "console":
                raise Conflict("Console jobs run in their console", "Run the script again from the console.")
            if old.snapshot_deleted_at is not None:
                raise Conflict(
                    f"The snapshot of job {old.name!r} was deleted on {old.snapshot_deleted_at:%Y-%m-%d}",
                    f"Snapshots are kept {self.settings.retention_days:g} days after a job ends "
                    "(c.JlabPlatform.job_retention_days). Submit the script again to run the current code.",
                )
            self._check_pending_quota(session)
            # Copies share the snapshot: number the new one after them, "train (2)", "train (3)".
            copies = session.scalars(select(JobRow.name).where(JobRow.snapshot_id == old.snapshot_id)).all()
            new = JobRow(
                id=uuid.uuid4().hex[:12],
                name=restart_name(old.name, list(copies)),
                env=old.env,
                script=old.script,
                args=list(old.args),
                status=PENDING,
                created_at=utcnow(),
                snapshot_id=old.snapshot_id,
                restarted_from=old.id,
                commit=old.commit,
                outputs=[],
                origin=self.settings.origin,
            )
            session.add(new)
        if self.executor.queues_itself:
            self._hand_over(new.id, own_snapshot=False)
        self.dispatch()
        return self.get(new.id)

    def terminate(self, job_id: str) -> models.Job:
        with self._lock, self.store.session() as session:
            row = self._own_row(session, job_id)
            if row.status in ENDED:
                raise Conflict(
                    f"Job {row.name!r} already ended ({row.status})", "Only pending or running jobs stop."
                )
            if (row.status == PENDING and row.submitted_at is None) or row.env == "console":
                reason = "terminated before it started" if row.status == PENDING else "terminated on request"
                if row.env == "console" and row.kernel_id and self._consoles is not None:
                    self._consoles.interrupt(row.kernel_id)  # stop the run in its console
                apply_exit(row, ExitRecord(TERMINATED, None, reason, to_iso(utcnow()) or ""))
                finished = self._to_model(row, utcnow())
            else:
                self.executor.terminate(row, self._jobs_dir / row.id)
                finished = None
        if finished is not None:
            self._notify([finished])
            return finished
        deadline = time.monotonic() + self.settings.grace_seconds + 15
        while time.monotonic() < deadline:
            self.tick()
            job = self.get(job_id)
            if job.status in ENDED:
                return job
            time.sleep(0.1)
        return self.get(job_id)

    def finish(self, job_id: str, status: EndedStatus, reason: str | None = None) -> models.Job:
        if status not in ENDED:
            raise InvalidInput(
                f"Unknown final status {status!r}", f"Use one of: {', '.join(ENDED_STATUSES)}."
            )
        with self.store.session() as session:
            row = self._row(session, job_id)
            if row.env != "console":
                raise Conflict(
                    "Only console jobs are finished by their frontend", "Its supervisor records the exit."
                )
            if not apply_exit(row, ExitRecord(status, None, reason, to_iso(utcnow()) or "")):
                raise Conflict(f"Job {row.name!r} already ended ({row.status})", "Nothing to record.")
            job = self._to_model(row, utcnow())
        self._notify([job])
        return job

    def delete(self, job_id: str) -> None:
        with self._lock, self.store.session() as session:
            row = self._own_row(session, job_id)
            if row.status not in ENDED:
                raise Conflict(f"Job {row.name!r} is {row.status}", "Terminate it before deleting it.")
            snapshot_id = row.snapshot_id
            session.delete(row)
            session.flush()
            shared = snapshot_id and session.scalar(
                select(func.count()).select_from(JobRow).where(JobRow.snapshot_id == snapshot_id)
            )
        shutil.rmtree(self._jobs_dir / job_id, ignore_errors=True)
        self._metrics.pop(job_id, None)
        if snapshot_id and not shared:
            self.snapshots.remove(snapshot_id)

    def on_finished(self, listener: JobListener) -> None:
        self._listeners.append(listener)

    # -- scheduling --------------------------------------------------------

    def dispatch(self) -> None:
        """Start pending jobs, oldest first: on free CPU slots and GPUs, or all of them when
        the executor queues jobs itself (a cluster)."""
        with self._lock, self.store.session() as session:
            pending = session.scalars(
                select(JobRow)
                .where(JobRow.status == PENDING, JobRow.submitted_at.is_(None), self._ours())
                .order_by(JobRow.created_at)
            ).all()
            if self.executor.queues_itself:
                for row in pending:
                    self._launch_or_record_failure(row, None)
                return
            running = session.scalars(select(JobRow).where(JobRow.status == RUNNING, self._ours())).all()
            cpu_busy = sum(1 for row in running if row.env == "cpu")
            gpus_busy = {row.gpu for row in running if row.env == "gpu"}
            for row in pending:
                gpu = None
                if row.env == "cpu":
                    if cpu_busy >= self.settings.max_cpu_jobs:
                        continue
                    cpu_busy += 1
                else:
                    free = [str(i) for i in range(self.settings.gpu_count) if str(i) not in gpus_busy]
                    if not free:
                        continue
                    gpu = free[0]
                    gpus_busy.add(gpu)
                self._launch_or_record_failure(row, gpu)

    def tick(self) -> None:
        """Record exits and lost jobs, notify, start what can start, apply retention."""
        ended: list[models.Job] = []
        with self._lock:
            with self.store.session() as session:
                now = utcnow()
                started = (JobRow.status == RUNNING) | JobRow.submitted_at.is_not(None)
                for row in session.scalars(
                    select(JobRow).where(JobRow.status.in_(ACTIVE), started, self._ours())
                ).all():
                    self._watched.add(row.id)
                    update = self._poll(row)
                    if isinstance(update, ExitRecord):
                        apply_exit(row, update)
                    elif update == RUNNING and row.status == PENDING:
                        row.status, row.started_at = RUNNING, utcnow()
                if self._watched:
                    rows = session.scalars(select(JobRow).where(JobRow.id.in_(self._watched))).all()
                    ended = [self._to_model(row, now) for row in rows if row.status in ENDED]
                    self._watched -= {job.id for job in ended}
            self.dispatch()
            if time.monotonic() - self._last_sweep > _RETENTION_SWEEP_SECONDS:
                self.sweep_snapshots()
        self._notify(ended)

    def sweep_snapshots(self, now: dt.datetime | None = None) -> list[str]:
        """Delete snapshots whose jobs all ended more than the retention period ago."""
        self._last_sweep = time.monotonic()
        cutoff = (now or utcnow()) - dt.timedelta(days=self.settings.retention_days)
        with self.store.session() as session:
            groups = session.execute(
                select(
                    JobRow.snapshot_id,
                    func.max(JobRow.finished_at),
                    func.count(JobRow.finished_at),
                    func.count(),
                )
                .where(JobRow.snapshot_id.is_not(None), JobRow.snapshot_deleted_at.is_(None), self._ours())
                .group_by(JobRow.snapshot_id)
            ).all()
            expired = [
                sid
                for sid, last, ended, total in groups
                if ended == total and last is not None and last < cutoff
            ]
            for snapshot_id in expired:
                for row in session.scalars(select(JobRow).where(JobRow.snapshot_id == snapshot_id)):
                    row.snapshot_deleted_at = utcnow()
        for snapshot_id in expired:
            self.snapshots.remove(str(snapshot_id))
        return [str(s) for s in expired]

    # -- internals ---------------------------------------------------------

    def _snapshot(self, snapshot_id: str) -> list[str]:
        """Copy the workspace within the snapshot quota; return the paths that vanished meanwhile."""
        rules = ExcludeRules.for_workspace(
            self.paths.root, [self.settings.results_dir, self.settings.data_dir]
        )
        return self.snapshots.take(snapshot_id, self.paths.root, rules)

    def _check_pending_quota(self, session: Any) -> None:
        pending = session.scalar(
            select(func.count()).select_from(JobRow).where(JobRow.status == PENDING, self._ours())
        )
        check_pending(pending or 0, self.settings.max_pending_jobs)

    def _launch(self, row: JobRow, gpu: str | None) -> None:
        job_dir = self._jobs_dir / row.id
        make_private_dir(job_dir)
        spec, outputs = build_launch(
            row,
            self.paths.root,
            self._snapshots_dir / str(row.snapshot_id),
            job_dir,
            self.settings.results_dir,
            self.settings.db_url,
            self.settings.grace_seconds,
            gpu,
            self.settings.cpus_per_job,
        )
        started = self.executor.start(job_dir, spec)
        if self.executor.queues_itself:
            row.submitted_at, row.gpu = utcnow(), gpu  # pending until the executor runs it
        else:
            row.status, row.started_at, row.gpu = RUNNING, utcnow(), gpu
        row.supervisor_pid, row.supervisor_started = started.supervisor_pid, started.supervisor_started
        row.outputs = [self.paths.relative(path) for path in outputs if self.paths.contains(path)]

    def _hand_over(self, job_id: str, own_snapshot: bool) -> None:
        """Give a new job to a self-queueing executor now; on refusal leave nothing behind."""
        try:
            with self._lock, self.store.session() as session:
                self._launch(self._row(session, job_id), None)
                self._watched.add(job_id)
        except PlatformError:
            with self.store.session() as session:
                session.delete(self._row(session, job_id))
            shutil.rmtree(self._jobs_dir / job_id, ignore_errors=True)
            if own_snapshot:
                self.snapshots.remove(job_id)
            raise

    def _launch_or_record_failure(self, row: JobRow, gpu: str | None) -> None:
        """Start ``row``; a job that cannot start fails alone, never holding up the jobs after it."""
        try:
            self._launch(row, gpu)
            self._watched.add(row.id)
            return
        except Unavailable:
            return  # the cluster is down: the job stays pending and is handed over later
        except PlatformError as exc:
            reason = f"{exc.message}. {exc.detail}"
        except OSError as exc:
            reason = f"Could not start the job: {exc.strerror or exc} ({exc.filename or 'its run folder'})"
        apply_exit(row, ExitRecord(FAILED, None, reason, to_iso(utcnow()) or ""))
        self._watched.add(row.id)  # the next tick tells the listeners it failed

    def _poll(self, row: JobRow) -> JobUpdate:
        if row.env == "console":
            if self._consoles is not None and row.kernel_id and not self._consoles.alive(row.kernel_id):
                return ExitRecord(FAILED, None, "lost: the console's kernel is gone", to_iso(utcnow()) or "")
            return None
        return self.executor.poll(row, self._jobs_dir / row.id)

    def _ours(self) -> Any:
        return JobRow.origin == self.settings.origin

    def _notify(self, jobs: list[models.Job]) -> None:
        for job in jobs:
            for listener in self._listeners:
                listener(job)

    def _row(self, session: Any, job_id: str) -> JobRow:
        row: JobRow | None = session.get(JobRow, job_id)
        if row is None:
            raise NotFound(
                f"No job with id {job_id!r}", "It may have been deleted; list jobs to see those that exist."
            )
        return row

    def _own_row(self, session: Any, job_id: str) -> JobRow:
        """The row of a job this server supervises; another server's job is refused."""
        row = self._row(session, job_id)
        if row.origin not in (None, self.settings.origin):
            raise Conflict(
                f"Job {row.name!r} was started by another server ({row.origin})",
                "Its processes and snapshot live there: terminate, restart or delete it from that server.",
            )
        return row

    def _to_model(self, row: JobRow, now: dt.datetime) -> models.Job:
        return job_model(row, now, self.settings.retention_days, self._tensorboard_run(row))

    def _tensorboard_run(self, row: JobRow) -> str | None:
        """The job's run folder relative to the root; None for console jobs (their kernel's
        trainings write their own runs) and when runs go outside the root (no TensorBoard opens there)."""
        if self._tensorboard_runs is None or row.env == "console":
            return None
        name = job_run_name(row.name, row.id)
        return f"{self._tensorboard_runs}/{name}" if self._tensorboard_runs else name
