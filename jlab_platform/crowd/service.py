"""Labeling tasks and their rounds: create, score (a job), label, next round, finish.

The module runs as a job (its log and failure show in Jobs); when the job ends the
service selects the round's samples from what it scored. Every state lives in the
store, and jobs that ended while the server was down are picked up by ``reconcile``.
"""

import datetime as dt
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Literal, NamedTuple

import numpy as np
from sqlalchemy import delete, func, select

from ..errors import Conflict, InvalidInput, NotFound, PlatformError, about_field
from ..jobs.service import JobService
from ..jobs.states import ENDED as JOB_ENDED
from ..jobs.states import SUCCESS as JOB_SUCCESS
from ..paths import PathResolver
from ..settings import option_default
from ..store import Store
from ..store.models import (
    CrowdLabelerRow,
    CrowdLabelRow,
    CrowdLeaseRow,
    CrowdRoundRow,
    CrowdSampleRow,
    CrowdSkipRow,
    CrowdTaskRow,
)
from ..timeutil import utcnow
from . import results
from .engine import LabelingEngine
from .identity import INVITED, OWNER, Identity
from .models import (
    Labeler,
    LabelingAnswer,
    LabelList,
    NewTaskRequest,
    Remaining,
    RemainingSample,
    RoundRow,
    Task,
    TaskList,
)
from .runs import RoundRunner
from .samples import SampleNames, list_samples
from .selection import select as select_samples
from .states import FAILED, FINISHED, LABELING, SCORING, WAITING_REASON
from .status import TaskStatus
from .taskmodule import ModuleLookup, TaskModule, resolve_module
from .taskspec import check_classes, check_names, parse_new_task
from .tokens import FailureLimiter, TokenGate, make_token, new_secret


class RoundEvent(NamedTuple):
    """A round changed: what the server's ``crowd-round`` event carries (``round-event.yaml``)."""

    kind: Literal["round_ready", "round_complete", "round_failed"]
    task_id: str
    name: str
    round: int


CrowdListener = Callable[[RoundEvent], None]


class LabelerLink(NamedTuple):
    """A new labeling link: its labeler and the token it carries (shown once; the handler builds the URL)."""

    labeler: Labeler
    token: str


class CreatedTask(NamedTuple):
    """A new task and the links of the people invited with it (the handler builds their URLs)."""

    task: Task
    links: list[LabelerLink]


@dataclass(frozen=True)
class CrowdSettings:
    data_dir: Path
    results_dir: Path
    max_rounds: int = option_default("crowd_max_rounds")
    lease_seconds: float = option_default("crowd_lease_seconds")
    token_guess_limit: int = option_default("crowd_token_guess_limit")


class CrowdService:
    def __init__(
        self,
        store: Store,
        paths: PathResolver,
        jobs: JobService,
        settings: CrowdSettings,
        module_lookup: ModuleLookup | None = None,
    ) -> None:
        self.store = store
        self.paths = paths
        self.jobs = jobs
        self.settings = settings
        self._lookup = module_lookup
        self.runner = RoundRunner(jobs, paths, settings.data_dir, settings.results_dir)
        self.labeling = LabelingEngine(store, settings.lease_seconds, self._round_changed)
        self.status = TaskStatus(store, paths)
        self.gate = TokenGate(self._invite_hash, FailureLimiter(settings.token_guess_limit, 60.0))
        self._listeners: list[CrowdListener] = []
        self._reconcile_lock = threading.Lock()
        jobs.on_finished(lambda _job: self.reconcile())

    def close(self) -> None:
        """Finish the queued labeling calls (their labels are committed), then stop."""
        self.labeling.close()

    def _invite_hash(self, labeler_id: str) -> str | None:
        """The stored hash of an invited labeler's token (None: no such invitation)."""
        query = select(CrowdLabelerRow.token_hash).where(
            CrowdLabelerRow.id == labeler_id, CrowdLabelerRow.kind == INVITED
        )
        with self.store.session() as session:
            return session.execute(query).scalar()

    def on_event(self, listener: CrowdListener) -> None:
        """Called with each ``RoundEvent``."""
        self._listeners.append(listener)

    # -- tasks --------------------------------------------------------------

    def create_task(self, request: NewTaskRequest, owner: str) -> CreatedTask:
        spec = parse_new_task(request, self.settings.max_rounds)
        with about_field("dataset"):
            dataset = self.paths.resolve(spec.dataset, must_exist=True)
            if not dataset.is_dir():
                raise InvalidInput(
                    f"{spec.dataset!r} is not a folder", "Give the folder of the dataset's images."
                )
            if not list_samples(dataset):
                raise InvalidInput(
                    f"{spec.dataset!r} has no images", "Labeling works on .png/.jpg/... files."
                )
        with about_field("module"):
            module = resolve_module(spec.module, self.paths, self._lookup)
        classes = spec.classes or module.classes
        with about_field("classes"):
            if not classes:
                raise InvalidInput("The task needs its classes", 'Send "classes": ["cat", "dog", ...].')
            check_classes(list(classes))
            if module.classes and tuple(classes) != module.classes:
                raise InvalidInput(
                    f"The classes differ from the module's ({', '.join(module.classes)})",
                    "Leave 'classes' out to use the module's, or give the same list.",
                )
        now = utcnow()
        task = CrowdTaskRow(
            id=uuid.uuid4().hex[:12],
            name=spec.name,
            description=spec.description,
            dataset=self.paths.relative(dataset),
            module=module.ref,
            module_format=module.format,
            classes=list(classes),
            max_choose=spec.max_choose,
            overlap=spec.overlap,
            strategy=spec.strategy,
            seed=spec.seed,
            max_rounds=spec.max_rounds,
            env=spec.env,
            train_options=spec.train_options,
            state=SCORING,
            round=1,
            owner=owner,
            created_at=now,
            finished_incomplete=False,
        )
        with self.store.session() as session:
            session.add(task)
            session.flush()  # the round refers to the task
            session.add(_new_round(task.id, 1))
        try:
            self._submit(task, module, 1, ["predict"])
        except BaseException:
            with self.store.session() as session:
                session.execute(delete(CrowdTaskRow).where(CrowdTaskRow.id == task.id))
            raise
        links = [self.invite(task.id, name) for name in spec.labelers]
        return CreatedTask(self.get_task(task.id), links)

    def list_tasks(self) -> TaskList:
        self.reconcile()
        return self.status.overview()

    def get_task(self, task_id: str) -> Task:
        self.reconcile()
        return self.status.detail(task_id)

    def next_round(self, task_id: str, force: bool = False) -> Task:
        """Close the round and score the next one (``train`` then ``predict``); a failed round runs again."""
        with self.store.session() as session:
            task = self._task(session, task_id)
            round_row = _round(session, task)
            advancing = task.state != FAILED
            if advancing:
                self._check_can_advance(task, round_row, force)
                round_row.closed_at = utcnow()
                session.add(_new_round(task.id, task.round + 1))
                session.execute(delete(CrowdLeaseRow).where(CrowdLeaseRow.task_id == task.id))
                task.round += 1
            task.state, task.error = SCORING, None
        if advancing:
            self._write_results(task_id, task.round - 1)
        actions = ["predict"] if task.round == 1 else ["train", "predict"]
        self._submit(task, self._module(task), task.round, actions)
        return self.get_task(task_id)

    def finish(self, task_id: str, allow_unlabeled: bool = False) -> Task:
        with self.store.session() as session:
            task = self._task(session, task_id)
            if task.state == FINISHED:
                raise Conflict(
                    "The task is already finished", "Reopen it to go on (when nothing was left unlabeled)."
                )
            if task.state == SCORING:
                raise Conflict("The module's job is still choosing samples", "Wait for it, then finish.")
            round_row = _round(session, task)
            missing = round_row.needed - round_row.labels if task.state == LABELING else 0
            if missing > 0 and not allow_unlabeled:
                raise Conflict(
                    f"{missing} label(s) are still missing in round {task.round}",
                    "Finishing now is final: a task left with unlabeled samples cannot be reopened. "
                    "Confirm with allow_unlabeled to finish anyway.",
                )
            task.state, task.finished_at, task.finished_incomplete = FINISHED, utcnow(), missing > 0
            round_row.closed_at = round_row.closed_at or utcnow()
            session.execute(delete(CrowdLeaseRow).where(CrowdLeaseRow.task_id == task.id))
        self._write_results(task_id, task.round)
        return self.get_task(task_id)

    def reopen(self, task_id: str) -> Task:
        with self.store.session() as session:
            task = self._task(session, task_id)
            if task.state != FINISHED:
                raise Conflict("Only a finished task can be reopened", f"It is {task.state}.")
            if task.finished_incomplete:
                raise Conflict(
                    "This task was finished with unlabeled samples and cannot be reopened",
                    "Create a new task on the dataset to label more.",
                )
            task.state, task.finished_at = LABELING, None
            _round(session, task).closed_at = None
        return self.get_task(task_id)

    # -- labelers -----------------------------------------------------------

    def invite(self, task_id: str, name: str, expires_hours: float | None = None) -> LabelerLink:
        """A new link for ``name`` (an earlier link of the same name stops working)."""
        (name,) = check_names([name])
        if expires_hours is not None and (
            isinstance(expires_hours, bool) or not 0 < expires_hours <= 24 * 365
        ):
            raise InvalidInput(
                "expires_hours must be more than 0 and at most a year", f"Got {expires_hours!r}."
            )
        secret, digest = new_secret()
        now = utcnow()
        with self.store.session() as session:
            task = self._task(session, task_id)
            if task.state == FINISHED:
                raise Conflict("The task is finished", "Invite people to a task that is still open.")
            row = session.scalar(
                select(CrowdLabelerRow).where(
                    CrowdLabelerRow.task_id == task_id,
                    CrowdLabelerRow.kind == INVITED,
                    CrowdLabelerRow.name == name,
                )
            )
            if row is None:
                row = CrowdLabelerRow(
                    id=uuid.uuid4().hex[:16], task_id=task_id, name=name, kind=INVITED, created_at=now
                )
                session.add(row)
            row.token_hash, row.invited_at, row.revoked_at = digest, now, None
            row.expires_at = now + dt.timedelta(hours=expires_hours) if expires_hours else None
            session.flush()
            labeler = self.status.labeler_model(session, row)
        return LabelerLink(labeler, make_token(labeler.id, secret))

    def revoke(self, task_id: str, labeler_id: str) -> Labeler:
        with self.store.session() as session:
            row = session.get(CrowdLabelerRow, labeler_id)
            if row is None or row.task_id != task_id or row.kind != INVITED:
                raise NotFound(f"No invited labeler {labeler_id!r} in this task", "List the task's labelers.")
            row.revoked_at = row.revoked_at or utcnow()
            session.execute(delete(CrowdLeaseRow).where(CrowdLeaseRow.labeler_id == labeler_id))
            return self.status.labeler_model(session, row)

    # -- the owner labels what is left --------------------------------------

    def remaining(self, task_id: str, limit: int) -> Remaining:
        """The current round's samples that still want labels, most uncertain first (``limit`` of them).

        Each says how many labels it has, whether the owner gave one, whether a labeler holds
        it now (their page shows it) and how many labelers skipped it.
        """
        with self.store.session() as session:
            task = session.get(CrowdTaskRow, task_id)
            if task is None:
                raise NotFound(f"No labeling task {task_id!r}", "List the tasks to see those that exist.")
            if task.state != LABELING:
                return Remaining(
                    round=task.round,
                    classes=list(task.classes),
                    total=0,
                    samples=[],
                    waiting=WAITING_REASON[task.state],
                )
            open_samples = (
                (CrowdSampleRow.task_id == task_id)
                & (CrowdSampleRow.round == task.round)
                & (CrowdSampleRow.label_count < CrowdSampleRow.wanted)
            )
            total = session.scalar(select(func.count()).select_from(CrowdSampleRow).where(open_samples))
            rows = session.scalars(
                select(CrowdSampleRow).where(open_samples).order_by(CrowdSampleRow.rank).limit(limit)
            ).all()
            ids = [row.id for row in rows]
            owner = (CrowdLabelerRow.task_id == task_id) & (CrowdLabelerRow.kind == OWNER)
            owner_id = session.scalar(select(CrowdLabelerRow.id).where(owner))
            mine = set(
                session.scalars(
                    select(CrowdLabelRow.sample_id).where(
                        CrowdLabelRow.sample_id.in_(ids),
                        CrowdLabelRow.labeler_id == owner_id,
                        CrowdLabelRow.retracted_at.is_(None),
                    )
                )
            )
            held = set(
                session.scalars(
                    select(CrowdLeaseRow.sample_id).where(
                        CrowdLeaseRow.sample_id.in_(ids),
                        CrowdLeaseRow.expires_at > time.time(),
                        CrowdLeaseRow.labeler_id != owner_id,
                    )
                )
            )
            skips = dict(
                session.execute(
                    select(CrowdSkipRow.sample_id, func.count())
                    .where(CrowdSkipRow.sample_id.in_(ids))
                    .group_by(CrowdSkipRow.sample_id)
                )
                .tuples()
                .all()
            )
            samples = [
                RemainingSample(
                    id=row.id,
                    name=PurePosixPath(row.path).name,
                    labels=row.label_count,
                    wanted=row.wanted,
                    mine=row.id in mine,
                    held=row.id in held,
                    skipped=int(skips.get(row.id, 0)),
                )
                for row in rows
            ]
            return Remaining(
                round=task.round,
                classes=list(task.classes),
                total=int(total or 0),
                samples=samples,
                waiting=None,
            )

    def label_as_owner(
        self, task_id: str, sample_id: str, label: str, request_id: str | None
    ) -> "Future[LabelingAnswer]":
        """The owner labels a sample of the round they chose (one a labeler skipped, say).

        The labeling path of every labeler (its checks, counters and group commit) with the
        owner as labeler; it leases nothing (prefetch 0), so labelers keep getting samples.
        """
        return self.labeling.submit(Identity.task_owner(task_id), sample_id, label, request_id, 0)

    # -- exports ------------------------------------------------------------

    def labels(self, task_id: str) -> LabelList:
        return self.status.labels(task_id)

    def round_rows(self, task_id: str) -> list[RoundRow]:
        """The round files' rows, as the seed's ``read_csv()`` reads them."""
        detail = self.status.detail(task_id)
        dataset = self.paths.resolve(detail.dataset, must_exist=True)
        return [
            RoundRow(sample=s, label=label)
            for s, label in results.read_rounds(results.task_folder(dataset, task_id))
        ]

    # -- scoring jobs -------------------------------------------------------

    def reconcile(self) -> None:
        """Select the samples of rounds whose scoring job ended (also while the server was down)."""
        with self._reconcile_lock:
            with self.store.session() as session:
                waiting = session.execute(
                    select(CrowdTaskRow.id, CrowdTaskRow.round, CrowdRoundRow.job_id)
                    .join(
                        CrowdRoundRow,
                        (CrowdRoundRow.task_id == CrowdTaskRow.id)
                        & (CrowdRoundRow.number == CrowdTaskRow.round),
                    )
                    .where(CrowdTaskRow.state == SCORING, CrowdRoundRow.job_id.is_not(None))
                ).all()
            for task_id, number, job_id in waiting:
                self._settle(task_id, number, str(job_id))

    def _settle(self, task_id: str, number: int, job_id: str) -> None:
        try:
            job = self.jobs.get(job_id)
        except NotFound:
            self._fail(task_id, number, f"The module's job {job_id} was deleted before it reported.")
            return
        if job.status not in JOB_ENDED:
            return
        if job.status != JOB_SUCCESS:
            tail = self._log_tail(job_id)
            reason = job.reason or job.status
            self._fail(task_id, number, f"The module's job {job_id} {job.status} ({reason}). {tail}".strip())
            return
        try:
            self._select(task_id, number)
        except PlatformError as exc:
            self._fail(task_id, number, f"{exc.message}. {exc.detail}".strip())
        except (ValueError, OSError) as exc:
            self._fail(task_id, number, f"Cannot read what the module scored: {exc}")

    def _select(self, task_id: str, number: int) -> None:
        scored = self.runner.load(task_id, number)
        with self.store.session() as session:
            task = self._task(session, task_id)
            if task.state != SCORING or task.round != number:
                return
            labeled = set(
                session.scalars(
                    select(CrowdSampleRow.path).where(
                        CrowdSampleRow.task_id == task_id, CrowdSampleRow.label_count > 0
                    )
                )
            )
        # Listing the dataset and ranking happen outside any transaction: labelers of
        # other tasks never wait for them.
        dataset = self.paths.resolve(task.dataset, must_exist=True)
        names = SampleNames(dataset, list_samples(dataset))
        keep: list[tuple[int, str]] = []
        seen: set[str] = set()
        for index, reported in enumerate(scored.samples):
            name = names.name_of(reported)
            if name is not None and name not in labeled and name not in seen:
                seen.add(name)
                keep.append((index, name))
        unknown = sum(1 for reported in scored.samples if names.name_of(reported) is None)
        limit = min(task.max_choose, scored.max_choose or task.max_choose)
        rows = scored.probabilities[np.asarray([index for index, _ in keep], dtype=np.intp)]
        chosen = select_samples(rows, task.strategy, limit, task.seed + number)
        picked = [
            (keep[row][1], float(score))
            for row, score in zip(chosen.indices.tolist(), chosen.scores.tolist(), strict=True)
        ]
        notes = list(scored.notes)
        if unknown:
            notes.append(f"{unknown} sample name(s) from predict are not images of the dataset; ignored")
        with self.store.session() as session:
            task = self._task(session, task_id)
            if task.state != SCORING or task.round != number:
                return
            self._store_selection(session, task, picked, len(keep), notes)
            event = RoundEvent("round_ready", task_id, task.name, number)
        self._emit(event)

    def _store_selection(
        self, session: Any, task: CrowdTaskRow, picked: list[tuple[str, float]], scored: int, notes: list[str]
    ) -> None:
        # Samples selected before and left without labels are selected again in place.
        paths = [path for path, _ in picked]
        existing = (
            {
                row.path: row
                for row in session.scalars(
                    select(CrowdSampleRow).where(
                        CrowdSampleRow.task_id == task.id, CrowdSampleRow.path.in_(paths)
                    )
                )
            }
            if paths
            else {}
        )
        for rank, (path, score) in enumerate(picked):
            sample = existing.get(path) or CrowdSampleRow(
                id=uuid.uuid4().hex[:16], task_id=task.id, path=path
            )
            sample.round, sample.rank, sample.score = task.round, rank, score
            sample.wanted, sample.label_count = task.overlap, 0
            session.add(sample)
        round_row = _round(session, task)
        round_row.scored, round_row.selected = scored, len(picked)
        round_row.needed, round_row.done, round_row.labels = len(picked) * task.overlap, 0, 0
        round_row.ready_at = utcnow()
        round_row.completed_at = None if picked else round_row.ready_at
        round_row.notes = notes
        task.state = LABELING

    def _fail(self, task_id: str, number: int, reason: str) -> None:
        with self.store.session() as session:
            task = self._task(session, task_id)
            if task.state != SCORING or task.round != number:
                return
            task.state, task.error = FAILED, reason
            event = RoundEvent("round_failed", task_id, task.name, number)
        self._emit(event)

    def _log_tail(self, job_id: str) -> str:
        try:
            text = self.jobs.log(job_id, -2000, 2000).data
        except PlatformError:
            return ""
        lines = [line for line in text.splitlines() if line.strip()]
        return f"Last line of its log: {lines[-1].strip()}" if lines else ""

    def _submit(self, task: CrowdTaskRow, module: TaskModule, number: int, actions: list[str]) -> None:
        job_id = self.runner.submit(task, module, number, actions)
        with self.store.session() as session:
            round_row = session.get(CrowdRoundRow, (task.id, number))
            assert round_row is not None
            round_row.job_id = job_id
        self.reconcile()  # a job may end before its id was recorded

    # -- results and events -------------------------------------------------

    def _round_changed(self, task_id: str, number: int, complete: bool) -> None:
        if complete:
            self._write_results(task_id, number)
            name = self.status.detail(task_id).name
            self._emit(RoundEvent("round_complete", task_id, name, number))
        else:
            dataset = self._dataset_of(task_id)
            results.remove_round(results.task_folder(dataset, task_id), number)

    def _write_results(self, task_id: str, number: int) -> None:
        dataset = self._dataset_of(task_id)
        folder = results.task_folder(dataset, task_id)
        results.write_round(folder, number, self.status.votes(task_id, number))
        results.write_export(folder, self.status.export(task_id))

    def _dataset_of(self, task_id: str) -> Path:
        with self.store.session() as session:
            dataset = self._task(session, task_id).dataset
        return self.paths.resolve(dataset, must_exist=True)

    def _emit(self, event: RoundEvent) -> None:
        for listener in self._listeners:
            listener(event)

    def _module(self, task: CrowdTaskRow) -> TaskModule:
        return resolve_module(task.module, self.paths, self._lookup)

    def _check_can_advance(self, task: CrowdTaskRow, round_row: CrowdRoundRow, force: bool) -> None:
        if task.state != LABELING:
            raise Conflict(f"The task is {task.state}", "A next round starts from a round being labeled.")
        if task.round >= task.max_rounds:
            raise Conflict(f"The task has had all its {task.max_rounds} round(s)", "Finish it to close it.")
        if round_row.completed_at is None and not force:
            missing = round_row.needed - round_row.labels
            raise Conflict(
                f"Round {task.round} still misses {missing} label(s)",
                "Wait for the labelers, or confirm (force) to start the next round now.",
            )

    def _task(self, session: Any, task_id: str) -> CrowdTaskRow:
        task: CrowdTaskRow | None = session.get(CrowdTaskRow, task_id, with_for_update=True)
        if task is None:
            raise NotFound(f"No labeling task {task_id!r}", "List the tasks to see those that exist.")
        return task


def _new_round(task_id: str, number: int) -> CrowdRoundRow:
    return CrowdRoundRow(
        task_id=task_id,
        number=number,
        created_at=utcnow(),
        scored=0,
        selected=0,
        done=0,
        labels=0,
        needed=0,
        notes=[],
    )


def _round(session: Any, task: CrowdTaskRow) -> CrowdRoundRow:
    row: CrowdRoundRow | None = session.get(CrowdRoundRow, (task.id, task.round))
    assert row is not None, "every task has a row for its current round"
    return row
