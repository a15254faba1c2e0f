"""Labeling: leases, labels, skips and undo, each in one short transaction.

A labeler holds up to ``prefetch`` leased samples (the one shown and the next, already
loading). A sample is offered only while its labels plus the unexpired leases of others
stay below the labels it wants, so two people get the same sample only when overlap asks
for it. Leases expire at a stored wall-clock time: a restart neither loses nor frees one.
A label is committed before the answer that carries the next sample is sent (each call
returns a future that completes after its commit, see ``groupcommit``), and a retried
submission (same ``request_id``) is answered again without counting twice.

This is the path every labeler's keystroke takes, so it speaks SQL through SQLAlchemy
Core, one statement per step (see ``statements``), on SQLite and PostgreSQL alike: a
submission is two statements on PostgreSQL (who is asking with what the checks need; the
label's writes, the round's counters and the leases). A labeler seen before submits in
pipeline mode (see ``groupcommit``): both statements are sent with the batch's other
submissions without waiting, the labeler's seat taken as last seen; the rows then show
whether the seat and the checks held, and if not the batch is rolled back and that call
runs again as ``_submit``, which answers it (a retry, a 409, a revoked link...).
"""

import logging
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import Connection, CursorResult

from ..errors import Conflict, InvalidInput, NotFound
from ..store import Store
from ..timeutil import utcnow
from .groupcommit import GroupCommit, Pipelined, Transaction
from .identity import Identity, Resolver, Seat, invited_seat
from .models import LabelingAnswer, LabelingProgress, LabelingTask, OfferedSample, Session, Undone
from .planstats import TableStatistics
from .statements import CHECK, Settle, Statements, Steps
from .states import LABELING, WAITING_REASON
from .tokens import TokenRejected, parse_token

MAX_PREFETCH = 3
_REQUEST_KEY_LENGTH = 64
_SEATS_KEPT = 10_000  # labelers whose seat is remembered for pipelined submissions

RoundListener = Callable[[str, int, bool], None]  # task id, round, complete (False: reopened by undo)

log = logging.getLogger(__name__)


class LabelingEngine:
    """The labeling calls; each returns a future that completes once its work is committed."""

    def __init__(self, store: Store, lease_seconds: float, on_round: RoundListener) -> None:
        self.store = store
        self.lease_seconds = lease_seconds
        self._on_round = on_round
        self._resolver = Resolver(store.engine.dialect.name, CHECK)
        self._sql = Statements(store.engine.dialect.name)
        self._writer = GroupCommit(store.engine, "jlab-crowd-labeling", _log_round_error)
        self._statistics = TableStatistics(store.engine)
        # Pipelined submissions (PostgreSQL): the statements as psycopg runs them, and the
        # seat each invited labeler had at their last call (the writer thread's alone).
        dialect = store.engine.dialect
        self._native = (
            (
                str(self._resolver.invited_probe.compile(dialect=dialect)),
                str(self._sql.label.steps[0].compile(dialect=dialect)),
            )
            if self._writer.pipelines
            else None
        )
        self._seats: dict[str, Seat] = {}

    def close(self) -> None:
        self._writer.close()
        self._statistics.close()

    @property
    def pipelined_statements(self) -> int:
        """Statements sent in pipeline mode so far (PostgreSQL)."""
        return self._writer.pipelined_statements

    # -- the calls of the labeling page and the notebook widget ---------------

    def overview(self, who: Identity) -> "Future[Session]":
        def work(tx: Transaction) -> Session:
            seat = self._seat(tx, who)
            progress = _run(tx.conn, self._sql.progress, _where(seat)).one()
            return Session(
                task=LabelingTask(
                    name=seat.task_name,
                    description=seat.description,
                    classes=seat.classes,
                    state=seat.state,
                    round=seat.round,
                    max_rounds=seat.max_rounds,
                ),
                labeler=seat.labeler,
                progress=_progress(seat, progress, progress.mine),
                waiting=_waiting(seat),
            )

        return self._writer.call(work)

    def next(self, who: Identity, prefetch: int = 2) -> "Future[LabelingAnswer]":
        return self._writer.call(lambda tx: self._answer(tx.conn, self._seat(tx, who), prefetch))

    def submit(
        self, who: Identity, sample_id: str, label: str, request_id: str | None, prefetch: int = 2
    ) -> "Future[LabelingAnswer]":
        return self._writer.call(
            lambda tx: self._submit(tx, who, sample_id, label, request_id, prefetch),
            plan=lambda: self._pipelined_submit(who, sample_id, label, request_id, prefetch),
        )

    def skip(self, who: Identity, sample_id: str, prefetch: int = 2) -> "Future[LabelingAnswer]":
        def work(tx: Transaction) -> LabelingAnswer:
            seat, sample = self._probe(tx, who, sample_id, None)
            _require_labeling(seat)
            _require_current(sample, seat, sample_id)
            skipped = {"sample": sample_id, "now": utcnow()}
            return self._answer(tx.conn, seat, prefetch, sample_id, self._sql.skip, skipped)

        return self._writer.call(work)

    def undo(self, who: Identity, prefetch: int = 2) -> "Future[LabelingAnswer]":
        """Retract this labeler's last label of the round; its sample is shown to them again first."""
        return self._writer.call(lambda tx: self._undo(tx, who, prefetch))

    def image(self, who: Identity, sample_id: str) -> "Future[tuple[str, str]]":
        """(dataset, sample path) of one of the task's selected samples, for streaming its file."""

        def work(tx: Transaction) -> tuple[str, str]:
            seat = self._seat(tx, who)
            path = _run(tx.conn, self._sql.sample_path, {"sample": sample_id, "task": seat.task_id}).scalar()
            if path is None:
                raise NotFound("No such sample in this task", "Only the task's selected samples are shown.")
            return seat.dataset, str(path)

        return self._writer.call(work)

    # -- internals ----------------------------------------------------------

    def _seat(self, tx: Transaction, who: Identity) -> Seat:
        return self._seen(who, self._resolver.resolve(tx.conn, who))

    def _probe(
        self, tx: Transaction, who: Identity, sample_id: str, request_id: str | None
    ) -> tuple[Seat, Any]:
        """The seat, and what ``statements.CHECK`` reads about the sample and the request key."""
        seat, row = self._resolver.probe(tx.conn, who, {"sample": sample_id, "key": request_id})
        return self._seen(who, seat), row

    def _seen(self, who: Identity, seat: Seat) -> Seat:
        if self._native is not None and who.token is not None:
            if len(self._seats) >= _SEATS_KEPT:
                self._seats.clear()
            self._seats[seat.labeler_id] = seat
        return seat

    def _pipelined_submit(
        self, who: Identity, sample_id: str, label: str, request_id: str | None, prefetch: int
    ) -> Pipelined | None:
        """``_submit`` as two statements sent up front, for an invited labeler seen labeling;
        None when it cannot be (the call then runs as ``_submit``)."""
        if self._native is None or who.token is None or not _valid_key(request_id):
            return None
        try:
            parsed = parse_token(who.token)
        except TokenRejected:
            return None
        seat = self._seats.get(parsed.labeler_id)
        if seat is None or seat.state != LABELING:
            return None
        probe_sql, label_sql = self._native
        values = _label_values(sample_id, label, request_id)  # ``:crossed`` is the statement's own

        def finish(tx: Transaction, rows: list[list[Any]]) -> LabelingAnswer:
            probed, settled = rows
            # Raising rolls the batch back; this call then runs as ``_submit``, which answers.
            if not probed or invited_seat(parsed, probed[0]) != seat:
                raise _Stale()
            sample = probed[0]
            if sample.previous_sample is not None:  # a retry: answered as such by ``_submit``
                raise _Stale()
            crossed = _check_label(seat, sample, sample_id, label)
            counters, samples = _offered(seat, settled, settled)
            return self._labeled(tx, seat, sample, crossed, counters, samples)

        return Pipelined(
            (
                (probe_sql, {"labeler": parsed.labeler_id, "sample": sample_id, "key": request_id}),
                (label_sql, self._settle_values(seat, prefetch, sample_id, values)),
            ),
            finish,
        )

    def _submit(
        self,
        tx: Transaction,
        who: Identity,
        sample_id: str,
        label: str,
        request_id: str | None,
        prefetch: int,
    ) -> LabelingAnswer:
        conn = tx.conn
        seat, sample = self._probe(tx, who, sample_id, request_id)
        if not _valid_key(request_id):
            raise InvalidInput(
                "request_id must be 1 to 64 characters", "Send a random id (a UUID) for each new label."
            )
        if sample.previous_sample is not None:
            if sample.previous_sample != sample_id or sample.previous_label != label:
                raise Conflict(
                    "This request id was already used for another label",
                    "Send a new request id for each new label.",
                )
            return self._answer(conn, seat, prefetch).model_copy(update={"duplicate": True})
        crossed = _check_label(seat, sample, sample_id, label)
        counters, samples = self._settle(
            conn,
            seat,
            prefetch,
            sample_id,
            self._sql.label,
            {**_label_values(sample_id, label, request_id), "crossed": crossed},
        )
        return self._labeled(tx, seat, sample, crossed, counters, samples)

    def _labeled(
        self,
        tx: Transaction,
        seat: Seat,
        sample: Any,
        crossed: int,
        counters: Any,
        samples: list[OfferedSample],
    ) -> LabelingAnswer:
        """The answer to a label stored (``sample``: the probe's row, read before it)."""
        self._statistics.labeled()
        if crossed and counters.done == counters.selected:  # this label completed the round
            tx.after_commit(lambda: self._on_round(seat.task_id, seat.round, True))
        return _reply(seat, samples, counters, sample.mine_in_round + 1, duplicate=False)

    def _undo(self, tx: Transaction, who: Identity, prefetch: int) -> LabelingAnswer:
        conn, seat = tx.conn, self._seat(tx, who)
        _require_labeling(seat)
        last = _run(conn, self._sql.last_label, _where(seat)).first()
        if last is None:
            raise Conflict("Nothing to undo", "You have no label in this round to take back.")
        retracted = {
            **_where(seat),
            "id": last.id,
            "sample": last.sample_id,
            "now": utcnow(),
            "expires": time.time() + self.lease_seconds,
            "step": -1,
            "crossed": -1 if last.label_count == last.wanted else 0,
        }
        counters = _run(conn, self._sql.unlabel, retracted).one()
        if counters.completed_at is not None:  # the round was complete: no longer
            _run(conn, self._sql.reopen_round, _where(seat))
            tx.after_commit(lambda: self._on_round(seat.task_id, seat.round, False))
        undone = Undone(sample_id=last.sample_id, label=last.label)
        return self._answer(conn, seat, prefetch).model_copy(update={"undone": undone})

    def _answer(
        self,
        conn: Connection,
        seat: Seat,
        prefetch: int,
        done: str | None = None,
        steps: Settle | None = None,
        values: dict[str, Any] | None = None,
    ) -> LabelingAnswer:
        """The page's samples (``done``: the one it just labeled or skipped) and the progress.

        ``steps``: the call's writes (with their ``values``) chained before the round's counters.
        """
        counters, samples = self._settle(conn, seat, prefetch, done, steps or self._sql.release, values or {})
        return _reply(seat, samples, counters, counters.mine)

    def _settle(
        self,
        conn: Connection,
        seat: Seat,
        prefetch: int,
        done: str | None,
        steps: Settle,
        values: dict[str, Any],
    ) -> tuple[Any, list[OfferedSample]]:
        """Run ``steps``: the call's writes, stale leases let go, the round's counters, and the
        labeler's leases renewed and topped up to ``prefetch`` from the open samples.

        ``prefetch`` 0 (the owner labeling chosen samples) holds none: its leases are let go.
        Outside labeling nothing is written or leased: the counters only.
        """
        if seat.state != LABELING:
            return _run(conn, self._sql.progress, _where(seat)).first(), []
        params = self._settle_values(seat, prefetch, done, values)
        rows = _run(conn, steps.steps, params).all()
        return _offered(seat, rows, rows if steps.offer is None else conn.execute(steps.offer, params).all())

    def _settle_values(
        self, seat: Seat, prefetch: int, done: str | None, values: dict[str, Any]
    ) -> dict[str, Any]:
        clock = time.time()
        return {
            **_where(seat),
            "clock": clock,
            "expires": clock + self.lease_seconds,
            "prefetch": max(0, min(prefetch, MAX_PREFETCH)),
            "done": done or "",  # a sample id is never empty
            **values,
        }


def _offered(seat: Seat, rows: Sequence[Any], offered: Sequence[Any]) -> tuple[Any, list[OfferedSample]]:
    """The round's counters (the first of ``rows``) and the labeler's leases in ``offered``, in
    the order they are shown."""
    leases = sorted(
        (row for row in offered if row.sample_id is not None), key=lambda row: (row.leased_at, row.rank)
    )
    samples = [
        OfferedSample(id=row.sample_id, name=PurePosixPath(row.path).name, round=seat.round) for row in leases
    ]
    return (rows[0] if rows else None), samples


def _run(conn: Connection, steps: Steps, params: dict[str, Any]) -> CursorResult[Any]:
    """Run ``steps`` in order; the last one's result."""
    for step in steps[:-1]:
        conn.execute(step, params)
    return conn.execute(steps[-1], params)


def _where(seat: Seat) -> dict[str, Any]:
    return {"me": seat.labeler_id, "task": seat.task_id, "round": seat.round}


def _reply(
    seat: Seat, samples: list[OfferedSample], counters: Any, mine: int, duplicate: bool | None = None
) -> LabelingAnswer:
    return LabelingAnswer(
        samples=samples,
        state=seat.state,
        waiting=_waiting(seat),
        progress=_progress(seat, counters, mine),
        duplicate=duplicate,
    )


def _progress(seat: Seat, counters: Any, mine: int) -> LabelingProgress:
    """``counters``: the round's (None, or NULLs, when it has no row)."""
    return LabelingProgress(
        round=seat.round,
        labels=int(counters.labels or 0) if counters else 0,
        needed=int(counters.needed or 0) if counters else 0,
        samples=int(counters.selected or 0) if counters else 0,
        complete_samples=int(counters.done or 0) if counters else 0,
        round_complete=bool(counters and counters.completed_at is not None),
        mine=int(mine or 0),
    )


def _waiting(seat: Seat) -> str | None:
    """Why there is nothing to label (None while labeling)."""
    return None if seat.state == LABELING else WAITING_REASON[seat.state]


def _require_current(sample: Any, seat: Seat, sample_id: str) -> None:
    if sample.sample_id is None:
        raise NotFound("No such sample in this task", "Label the samples the page offers.")
    if sample.sample_round != seat.round:
        raise Conflict(f"Sample {sample_id} belongs to round {sample.sample_round}, which is over", "Go on.")


def _log_round_error(error: BaseException) -> None:
    # The labels are committed and answered; only the round's results files or its event failed.
    log.error("jlab_platform: handling a completed labeling round failed", exc_info=error)


def _label_values(sample_id: str, label: str, request_id: str | None) -> dict[str, Any]:
    """The parameters of a new label's row and its counts (``statements.ADD_LABEL``, ``COUNT_SAMPLE``)."""
    return {
        "id": uuid.uuid4().hex[:16],
        "label": label,
        "now": utcnow(),
        "key": request_id,
        "sample": sample_id,
        "step": 1,
    }


def _valid_key(request_id: str | None) -> bool:
    return request_id is None or 0 < len(request_id) <= _REQUEST_KEY_LENGTH


def _check_label(seat: Seat, sample: Any, sample_id: str, label: str) -> int:
    """Refuse a label the probe's ``sample`` row does not allow; 1 if it completes the sample."""
    _require_labeling(seat)
    if label not in seat.classes:
        raise InvalidInput(f"Unknown class {label!r}", f"Use one of: {', '.join(seat.classes)}.")
    _require_current(sample, seat, sample_id)
    if sample.mine:
        raise Conflict("You already labeled this sample", "Undo (Backspace) to change your label.")
    if sample.label_count >= sample.wanted:
        raise Conflict("This sample already has all its labels", "Go on with the next one.")
    return int(sample.label_count + 1 == sample.wanted)


class _Stale(Exception):
    """A pipelined submission's rows show a seat or a request other than it was sent for."""


def _require_labeling(seat: Seat) -> None:
    if seat.state != LABELING:
        raise Conflict("This task is not collecting labels right now", WAITING_REASON[seat.state])
