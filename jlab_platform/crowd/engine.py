"""Labeling: leases, labels, skips and undo, each in one short transaction.

A labeler holds up to ``prefetch`` leased samples (the one shown and the next, already
loading). A sample is offered only while its labels plus the unexpired leases of others
stay below the labels it wants, so two people get the same sample only when overlap asks
for it. Leases expire at a stored wall-clock time: a restart neither loses nor frees one.
A label is committed before the answer that carries the next sample is sent (each call
returns a future that completes after its commit, see ``groupcommit``), and a retried
submission (same ``request_id``) is answered again without counting twice.

This is the path every labeler's keystroke takes, so it speaks SQL through SQLAlchemy
Core, a handful of indexed statements per call, on SQLite and PostgreSQL alike.
"""

import logging
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import Connection, DateTime, bindparam, text

from ..errors import Conflict, InvalidInput, NotFound
from ..store import Store
from ..timeutil import utcnow
from .groupcommit import GroupCommit, Transaction
from .identity import Identity, Resolver, Seat
from .states import LABELING, WAITING_REASON

MAX_PREFETCH = 3
_REQUEST_KEY_LENGTH = 64

RoundListener = Callable[[str, int, bool], None]  # task id, round, complete (False: reopened by undo)
Answer = dict[str, Any]

log = logging.getLogger(__name__)


def _sql(statement: str, *times: str) -> Any:
    return text(statement).bindparams(*(bindparam(name, type_=DateTime()) for name in times))


_BY_REQUEST = _sql("SELECT sample_id, label FROM crowd_labels WHERE labeler_id = :me AND request_key = :key")
_SAMPLE = _sql(
    "SELECT s.id, s.round, s.path, s.label_count, s.wanted, (SELECT COUNT(*) FROM crowd_labels x "
    "WHERE x.sample_id = s.id AND x.labeler_id = :me AND x.retracted_at IS NULL) AS mine "
    "FROM crowd_samples s WHERE s.id = :sample AND s.task_id = :task"
)
_ADD_LABEL = _sql(
    "INSERT INTO crowd_labels (id, task_id, round, sample_id, labeler_id, label, created_at, request_key) "
    "VALUES (:id, :task, :round, :sample, :me, :label, :now, :key)",
    "now",
)
_COUNT_SAMPLE = _sql("UPDATE crowd_samples SET label_count = label_count + :step WHERE id = :sample")
_COUNT_ROUND = _sql(
    "UPDATE crowd_rounds SET labels = labels + :step, done = done + :crossed "
    "WHERE task_id = :task AND number = :round RETURNING selected, done, labels, needed, completed_at"
)
_ROUND = _sql(
    "SELECT selected, done, labels, needed, completed_at FROM crowd_rounds "
    "WHERE task_id = :task AND number = :round"
)
_SET_COMPLETED = _sql(
    "UPDATE crowd_rounds SET completed_at = :now WHERE task_id = :task AND number = :round", "now"
)
_MINE = _sql(
    "SELECT COUNT(*) FROM crowd_labels WHERE labeler_id = :me AND round = :round AND retracted_at IS NULL"
)
_LAST_LABEL = _sql(
    "SELECT id, sample_id, label FROM crowd_labels WHERE labeler_id = :me AND round = :round "
    "AND retracted_at IS NULL ORDER BY created_at DESC LIMIT 1"
)
_RETRACT = _sql("UPDATE crowd_labels SET retracted_at = :now WHERE id = :id", "now")
_SKIPPED = _sql("SELECT 1 FROM crowd_skips WHERE sample_id = :sample AND labeler_id = :me")
_ADD_SKIP = _sql(
    "INSERT INTO crowd_skips (sample_id, labeler_id, task_id, created_at) VALUES (:sample, :me, :task, :now)",
    "now",
)
_FORGET_LEASE = _sql("DELETE FROM crowd_leases WHERE sample_id = :sample AND labeler_id = :me")
_ADD_LEASE = _sql(
    "INSERT INTO crowd_leases (sample_id, labeler_id, task_id, leased_at, expires_at) "
    "VALUES (:sample, :me, :task, :leased, :expires)"
)
_DROP_OLD_LEASES = _sql(
    "DELETE FROM crowd_leases WHERE labeler_id = :me "
    "AND (expires_at <= :now OR task_id <> :task OR sample_id = :done)"
)
_MY_LEASES = _sql(
    "SELECT s.id, s.path, s.round, s.label_count, s.wanted FROM crowd_leases l "
    "JOIN crowd_samples s ON s.id = l.sample_id WHERE l.labeler_id = :me ORDER BY l.leased_at"
)
_RENEW_LEASES = _sql("UPDATE crowd_leases SET expires_at = :expires WHERE labeler_id = :me")
# The open samples of the round, most uncertain first, that this labeler may take: room left
# after the labels and the others' unexpired leases, and not labeled, skipped or held by them.
_OPEN_SAMPLES = _sql(
    "SELECT s.id, s.path FROM crowd_samples s "
    "WHERE s.task_id = :task AND s.round = :round AND s.label_count < s.wanted "
    "AND s.label_count + (SELECT COUNT(*) FROM crowd_leases o WHERE o.sample_id = s.id "
    "AND o.expires_at > :now AND o.labeler_id <> :me) < s.wanted "
    "AND NOT EXISTS (SELECT 1 FROM crowd_labels x WHERE x.sample_id = s.id AND x.labeler_id = :me "
    "AND x.retracted_at IS NULL) "
    "AND NOT EXISTS (SELECT 1 FROM crowd_skips k WHERE k.sample_id = s.id AND k.labeler_id = :me) "
    "AND NOT EXISTS (SELECT 1 FROM crowd_leases m WHERE m.sample_id = s.id AND m.labeler_id = :me) "
    "ORDER BY s.rank LIMIT :limit"
)


class LabelingEngine:
    """The labeling calls; each returns a future that completes once its work is committed."""

    def __init__(self, store: Store, lease_seconds: float, on_round: RoundListener) -> None:
        self.store = store
        self.lease_seconds = lease_seconds
        self._on_round = on_round
        self._resolver = Resolver(store.engine.dialect.name)
        self._writer = GroupCommit(store.engine, "jlab-crowd-labeling", _log_round_error)

    def close(self) -> None:
        self._writer.close()

    # -- the calls of the labeling page and the notebook widget ---------------

    def overview(self, who: Identity) -> "Future[Answer]":
        def work(tx: Transaction) -> Answer:
            seat = self._seat(tx, who)
            return {
                "task": {
                    "name": seat.task_name,
                    "description": seat.description,
                    "classes": seat.classes,
                    "state": seat.state,
                    "round": seat.round,
                    "max_rounds": seat.max_rounds,
                },
                "labeler": seat.labeler,
                "progress": self._progress(tx.conn, seat),
                "waiting": None if seat.state == LABELING else WAITING_REASON[seat.state],
            }

        return self._writer.call(work)

    def next(self, who: Identity, prefetch: int = 2) -> "Future[Answer]":
        return self._writer.call(lambda tx: self._answer(tx.conn, self._seat(tx, who), prefetch))

    def submit(
        self, who: Identity, sample_id: str, label: str, request_id: str | None, prefetch: int = 2
    ) -> "Future[Answer]":
        return self._writer.call(lambda tx: self._submit(tx, who, sample_id, label, request_id, prefetch))

    def skip(self, who: Identity, sample_id: str, prefetch: int = 2) -> "Future[Answer]":
        def work(tx: Transaction) -> Answer:
            conn, seat = tx.conn, self._seat(tx, who)
            _require_labeling(seat)
            sample = self._current_sample(conn, seat, sample_id)
            me = {"sample": sample.id, "me": seat.labeler_id}
            if conn.execute(_SKIPPED, me).first() is None:
                conn.execute(_ADD_SKIP, {**me, "task": seat.task_id, "now": utcnow()})
            return self._answer(conn, seat, prefetch, sample.id)

        return self._writer.call(work)

    def undo(self, who: Identity, prefetch: int = 2) -> "Future[Answer]":
        """Retract this labeler's last label of the round; its sample is shown to them again first."""
        return self._writer.call(lambda tx: self._undo(tx, who, prefetch))

    def image(self, who: Identity, sample_id: str) -> "Future[tuple[str, str]]":
        """(dataset, sample path) of one of the task's selected samples, for streaming its file."""

        def work(tx: Transaction) -> tuple[str, str]:
            seat = self._seat(tx, who)
            query = {"sample": sample_id, "task": seat.task_id, "me": None}
            sample = tx.conn.execute(_SAMPLE, query).first()
            if sample is None:
                raise NotFound("No such sample in this task", "Only the task's selected samples are shown.")
            return seat.dataset, str(sample.path)

        return self._writer.call(work)

    # -- internals ----------------------------------------------------------

    def _seat(self, tx: Transaction, who: Identity) -> Seat:
        return self._resolver.resolve(tx.conn, who)

    def _submit(
        self,
        tx: Transaction,
        who: Identity,
        sample_id: str,
        label: str,
        request_id: str | None,
        prefetch: int,
    ) -> Answer:
        conn, seat = tx.conn, self._seat(tx, who)
        if request_id is not None:
            previous = self._by_request(conn, seat.labeler_id, request_id)
            if previous is not None:
                if previous.sample_id != sample_id or previous.label != label:
                    raise Conflict(
                        "This request id was already used for another label",
                        "Send a new request id for each new label.",
                    )
                return {"duplicate": True, **self._answer(conn, seat, prefetch)}
        _require_labeling(seat)
        if label not in seat.classes:
            raise InvalidInput(f"Unknown class {label!r}", f"Use one of: {', '.join(seat.classes)}.")
        sample = self._current_sample(conn, seat, sample_id)
        if sample.mine:
            raise Conflict("You already labeled this sample", "Undo (Backspace) to change your label.")
        if sample.label_count >= sample.wanted:
            raise Conflict("This sample already has all its labels", "Go on with the next one.")
        conn.execute(
            _ADD_LABEL,
            {
                "sample": sample.id,
                "me": seat.labeler_id,
                "id": uuid.uuid4().hex[:16],
                "task": seat.task_id,
                "round": seat.round,
                "label": label,
                "now": utcnow(),
                "key": request_id,
            },
        )
        crossed = sample.label_count + 1 == sample.wanted
        completed, counters = self._count(conn, seat, sample.id, +1, crossed)
        if completed:
            tx.after_commit(lambda: self._on_round(seat.task_id, seat.round, True))
        return {"duplicate": False, **self._answer(conn, seat, prefetch, sample.id, counters)}

    def _undo(self, tx: Transaction, who: Identity, prefetch: int) -> Answer:
        conn, seat = tx.conn, self._seat(tx, who)
        _require_labeling(seat)
        last = conn.execute(_LAST_LABEL, {"me": seat.labeler_id, "round": seat.round}).first()
        if last is None:
            raise Conflict("Nothing to undo", "You have no label in this round to take back.")
        conn.execute(_RETRACT, {"id": last.id, "now": utcnow()})
        sample = conn.execute(_SAMPLE, {"sample": last.sample_id, "task": seat.task_id, "me": None}).one()
        reopened, _ = self._count(conn, seat, sample.id, -1, sample.label_count == sample.wanted)
        me = {"sample": sample.id, "me": seat.labeler_id}
        conn.execute(_FORGET_LEASE, me)
        # leased_at 0 puts it before the labeler's other leases: it is shown next.
        lease = {"task": seat.task_id, "leased": 0.0, "expires": time.time() + self.lease_seconds}
        conn.execute(_ADD_LEASE, {**me, **lease})
        if reopened:
            tx.after_commit(lambda: self._on_round(seat.task_id, seat.round, False))
        return {"undone": {"sample_id": sample.id, "label": last.label}, **self._answer(conn, seat, prefetch)}

    def _answer(
        self, conn: Connection, seat: Seat, prefetch: int, done: str | None = None, counters: Any = None
    ) -> dict[str, Any]:
        """The page's samples (``done``: the one it just labeled or skipped) and the progress."""
        samples = self._lease(conn, seat, prefetch, done) if seat.state == LABELING else []
        return {
            "samples": samples,
            "state": seat.state,
            "waiting": None if seat.state == LABELING else WAITING_REASON[seat.state],
            "progress": self._progress(conn, seat, counters),
        }

    def _lease(self, conn: Connection, seat: Seat, prefetch: int, done: str | None) -> list[dict[str, Any]]:
        """This labeler's leased samples (renewed), topped up to ``prefetch`` from the open ones.

        ``prefetch`` 0 (the owner labeling chosen samples) holds none: its leases are let go.
        """
        prefetch = max(0, min(prefetch, MAX_PREFETCH))
        now = time.time()
        expires = now + self.lease_seconds
        me = seat.labeler_id
        conn.execute(_DROP_OLD_LEASES, {"me": me, "now": now, "task": seat.task_id, "done": done})
        leased: list[tuple[str, str]] = []
        for row in conn.execute(_MY_LEASES, {"me": me}).all():
            still_open = row.round == seat.round and row.label_count < row.wanted
            if still_open and len(leased) < prefetch:
                leased.append((row.id, row.path))
            else:
                conn.execute(_FORGET_LEASE, {"sample": row.id, "me": me})
        if leased:
            conn.execute(_RENEW_LEASES, {"me": me, "expires": expires})
        missing = prefetch - len(leased)
        if missing > 0:
            query = {"task": seat.task_id, "round": seat.round, "now": now, "me": me, "limit": missing}
            for offset, row in enumerate(conn.execute(_OPEN_SAMPLES, query).all()):
                lease = {"sample": row.id, "me": me, "task": seat.task_id, "expires": expires}
                conn.execute(_ADD_LEASE, {**lease, "leased": now + offset * 1e-6})
                leased.append((row.id, row.path))
        return [{"id": sid, "name": PurePosixPath(path).name, "round": seat.round} for sid, path in leased]

    def _count(
        self, conn: Connection, seat: Seat, sample_id: str, step: int, crossed: bool
    ) -> tuple[bool, Any]:
        """Keep the sample's and the round's counters in step with one label more (+1) or less (-1).

        ``crossed``: the sample reaches (+1) or leaves (-1) its wanted number of labels.
        Returns whether this label completed the round (+1) or reopened it (-1), and the
        round's counters when they are still current.
        """
        where = {"task": seat.task_id, "round": seat.round}
        conn.execute(_COUNT_SAMPLE, {"sample": sample_id, "step": step})
        counters = conn.execute(
            _COUNT_ROUND, {**where, "step": step, "crossed": step if crossed else 0}
        ).one()
        if step > 0 and crossed and counters.done == counters.selected:
            conn.execute(_SET_COMPLETED, {**where, "now": utcnow()})
            return True, None
        if step < 0 and counters.completed_at is not None:
            conn.execute(_SET_COMPLETED, {**where, "now": None})
            return True, None
        return False, counters

    def _progress(self, conn: Connection, seat: Seat, counters: Any = None) -> dict[str, Any]:
        if counters is None:
            counters = conn.execute(_ROUND, {"task": seat.task_id, "round": seat.round}).first()
        mine = conn.execute(_MINE, {"me": seat.labeler_id, "round": seat.round}).scalar()
        return {
            "round": seat.round,
            "labels": counters.labels if counters else 0,
            "needed": counters.needed if counters else 0,
            "samples": counters.selected if counters else 0,
            "complete_samples": counters.done if counters else 0,
            "round_complete": bool(counters and counters.completed_at is not None),
            "mine": int(mine or 0),
        }

    def _current_sample(self, conn: Connection, seat: Seat, sample_id: str) -> Any:
        sample = conn.execute(
            _SAMPLE, {"sample": sample_id, "task": seat.task_id, "me": seat.labeler_id}
        ).first()
        if sample is None:
            raise NotFound("No such sample in this task", "Label the samples the page offers.")
        if sample.round != seat.round:
            raise Conflict(f"Sample {sample_id} belongs to round {sample.round}, which is over", "Go on.")
        return sample

    def _by_request(self, conn: Connection, labeler_id: str, request_id: str) -> Any:
        if not request_id or len(request_id) > _REQUEST_KEY_LENGTH:
            raise InvalidInput(
                "request_id must be 1 to 64 characters", "Send a random id (a UUID) for each new label."
            )
        return conn.execute(_BY_REQUEST, {"me": labeler_id, "key": request_id}).first()


def _log_round_error(error: BaseException) -> None:
    # The labels are committed and answered; only the round's results files or its event failed.
    log.error("jlab_platform: handling a completed labeling round failed", exc_info=error)


def _require_labeling(seat: Seat) -> None:
    if seat.state != LABELING:
        raise Conflict("This task is not collecting labels right now", WAITING_REASON[seat.state])
