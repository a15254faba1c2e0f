"""The labeling engine's SQL: each step of a labeling call is one statement.

Labeling calls run one after another under the task's lock, so on PostgreSQL the round
trips of a call are what limits the labeling rate. Hence: one read fetches everything a
call decides on; the writes of a step go out as one statement (on PostgreSQL, data-modifying
WITH queries; SQLite takes no writes in WITH and runs them one after another in-process,
where a statement costs little); leases are renewed and topped up by one upsert that
returns them, on PostgreSQL in the same statement as the call's writes (``Settle``). The
writes chained in one statement never read each other's effects in the tables: PostgreSQL
runs them on one snapshot, so the chained lease steps decide from that snapshot what the
separate steps read after the writes (see ``SETTLE_LEASES``), and touch each lease row once;
what one needs of another comes through its RETURNING rows (``COUNT_ROUND_OF_LABEL``).

Parameters: ``:now`` is the wall-clock time stored in TIMESTAMP columns; ``:clock`` and
``:expires`` are epoch seconds (leases expire at a stored epoch time).
"""

import re
from dataclasses import dataclass

from sqlalchemy import DateTime, TextClause, bindparam, text

from .identity import Probe

Steps = tuple[TextClause, ...]

_NOW = re.compile(r":now\b")


def _mine(labeler: str, round_number: str) -> str:
    """The labeler's own labels in the round (the page's "yours: n"), from ix_crowd_labels_mine."""
    return (
        f"(SELECT COUNT(*) FROM crowd_labels y WHERE y.labeler_id = {labeler} AND y.round = {round_number} "
        "AND y.retracted_at IS NULL)"
    )


# The round's counters and the labeler's count (a row of NULLs and 0 if the round has no row).
PROGRESS = (
    f"SELECT r.selected, r.done, r.labels, r.needed, r.completed_at, {_mine(':me', ':round')} AS mine "
    "FROM (SELECT 1 AS one) AS o LEFT JOIN crowd_rounds r ON r.task_id = :task AND r.number = :round"
)
# Read with the seat (see identity.Probe) by a submission or a skip: the sample ``:sample`` of
# the task (NULLs if none), whether this labeler labeled it, and the label that the request
# key ``:key`` already stored.
CHECK = Probe(
    "s.id AS sample_id, s.round AS sample_round, s.label_count, s.wanted, "
    "(SELECT COUNT(*) FROM crowd_labels x WHERE x.sample_id = s.id AND x.labeler_id = l.id "
    "AND x.retracted_at IS NULL) AS mine, "
    f"{_mine('l.id', 't.round')} AS mine_in_round, p.sample_id AS previous_sample, p.label AS previous_label",
    "LEFT JOIN crowd_samples s ON s.id = :sample AND s.task_id = t.id "
    "LEFT JOIN crowd_labels p ON p.labeler_id = l.id AND p.request_key = :key",
)
SAMPLE_PATH = "SELECT path FROM crowd_samples WHERE id = :sample AND task_id = :task"
# The labeler's last label of the round, with its sample's counters (undo).
LAST_LABEL = (
    "SELECT l.id, l.sample_id, l.label, s.label_count, s.wanted FROM crowd_labels l "
    "JOIN crowd_samples s ON s.id = l.sample_id WHERE l.labeler_id = :me AND l.round = :round "
    "AND l.retracted_at IS NULL ORDER BY l.created_at DESC LIMIT 1"
)

ADD_LABEL = (
    "INSERT INTO crowd_labels (id, task_id, round, sample_id, labeler_id, label, created_at, request_key) "
    "VALUES (:id, :task, :round, :sample, :me, :label, :now, :key)"
)
RETRACT = "UPDATE crowd_labels SET retracted_at = :now WHERE id = :id"
ADD_SKIP = (
    "INSERT INTO crowd_skips (sample_id, labeler_id, task_id, created_at) VALUES (:sample, :me, :task, :now) "
    "ON CONFLICT (sample_id, labeler_id) DO NOTHING"
)
COUNT_SAMPLE = "UPDATE crowd_samples SET label_count = label_count + :step WHERE id = :sample"


def _count_round(crossed: str) -> str:
    """``crossed``: 1 when the sample reaches its wanted number of labels, -1 when it leaves it.
    The label that makes every sample of the round complete also stamps the round complete."""
    return (
        f"UPDATE crowd_rounds SET labels = labels + :step, done = done + {crossed}, completed_at = "
        f"CASE WHEN {crossed} > 0 AND done + {crossed} = selected THEN :now ELSE completed_at END "
        "WHERE task_id = :task AND number = :round RETURNING selected, done, labels, needed, completed_at"
    )


COUNT_ROUND = _count_round(":crossed")
# A label on PostgreSQL: whether it completes its sample is read from the sample's count as the
# label's own step leaves it (the second write, ``w1``), not passed in: a pipelined submission
# is written before its checks are read (see ``groupcommit``).
COUNT_SAMPLE_RETURNING = f"{COUNT_SAMPLE} RETURNING label_count, wanted"
COUNT_ROUND_OF_LABEL = _count_round("(SELECT COUNT(*) FROM w1 WHERE w1.label_count = w1.wanted)")
REOPEN_ROUND = "UPDATE crowd_rounds SET completed_at = NULL WHERE task_id = :task AND number = :round"
# leased_at 0 puts the sample before the labeler's other leases: it is shown next (undo).
HOLD_FIRST = (
    "INSERT INTO crowd_leases (sample_id, labeler_id, task_id, leased_at, expires_at) "
    "VALUES (:sample, :me, :task, 0, :expires) "
    "ON CONFLICT (sample_id, labeler_id) DO UPDATE SET leased_at = 0, expires_at = excluded.expires_at"
)


def _kept(columns: str) -> str:
    """The labeler's first ``:prefetch`` leases (by lease time) that still stand: unexpired, of
    this task and round, not the sample just labeled or skipped (``:done``), and wanting labels."""
    return (
        f"SELECT {columns} FROM crowd_leases k JOIN crowd_samples s ON s.id = k.sample_id "
        "WHERE k.labeler_id = :me AND k.task_id = :task AND k.expires_at > :clock AND k.sample_id <> :done "
        "AND s.round = :round AND s.label_count < s.wanted ORDER BY k.leased_at, s.rank LIMIT :prefetch"
    )


# The open samples ``s`` of the round that the labeler may take: room left after the labels and
# the others' unexpired leases, and not labeled or skipped by them.
_OPEN = (
    "s.task_id = :task AND s.round = :round AND s.label_count < s.wanted "
    "AND s.label_count + (SELECT COUNT(*) FROM crowd_leases o WHERE o.sample_id = s.id "
    "AND o.expires_at > :clock AND o.labeler_id <> :me) < s.wanted "
    "AND NOT EXISTS (SELECT 1 FROM crowd_labels x WHERE x.sample_id = s.id AND x.labeler_id = :me "
    "AND x.retracted_at IS NULL) "
    "AND NOT EXISTS (SELECT 1 FROM crowd_skips k WHERE k.sample_id = s.id AND k.labeler_id = :me)"
)
_LEASED = (
    "RETURNING sample_id, leased_at, "
    "(SELECT s.path FROM crowd_samples s WHERE s.id = crowd_leases.sample_id) AS path, "
    "(SELECT s.rank FROM crowd_samples s WHERE s.id = crowd_leases.sample_id) AS rank"
)
# Let go of the labeler's leases but the kept ones.
RELEASE = f"DELETE FROM crowd_leases WHERE labeler_id = :me AND sample_id NOT IN ({_kept('k.sample_id')})"
# Renew the labeler's leases and top them up to ``:prefetch`` with the open samples of the
# round, most uncertain first, not held by them. Returns every lease they hold.
# (Run after RELEASE, which leaves at most ``:prefetch``: the LIMIT is never negative.)
OFFER = (
    "INSERT INTO crowd_leases (sample_id, labeler_id, task_id, leased_at, expires_at) "
    "SELECT sample_id, labeler_id, task_id, leased_at, :expires FROM crowd_leases WHERE labeler_id = :me "
    "UNION ALL SELECT * FROM (SELECT s.id, :me, :task, :clock, :expires FROM crowd_samples s "
    f"WHERE {_OPEN} "
    "AND NOT EXISTS (SELECT 1 FROM crowd_leases m WHERE m.sample_id = s.id AND m.labeler_id = :me) "
    "ORDER BY s.rank LIMIT :prefetch - (SELECT COUNT(*) FROM crowd_leases c WHERE c.labeler_id = :me)"
    ") AS added WHERE true "  # WHERE: SQLite's parser needs it before ON CONFLICT
    f"ON CONFLICT (sample_id, labeler_id) DO UPDATE SET expires_at = excluded.expires_at {_LEASED}"
)
# RELEASE then OFFER as WITH queries of the call's statement (PostgreSQL), deciding from the
# snapshot before the call's writes: the samples added are not ``:done`` (its new label or skip
# is not seen yet) and not kept; a lease let go whose sample is added again (one that expired)
# is taken again by the upsert instead of deleted, so no row is written twice.
SETTLE_LEASES = (
    f"kept AS ({_kept('k.sample_id, k.leased_at')}), "
    f"added AS (SELECT s.id AS sample_id, :clock AS leased_at FROM crowd_samples s WHERE {_OPEN} "
    "AND s.id <> :done AND s.id NOT IN (SELECT sample_id FROM kept) "
    "ORDER BY s.rank LIMIT :prefetch - (SELECT COUNT(*) FROM kept)), "
    "released AS (DELETE FROM crowd_leases WHERE labeler_id = :me "
    "AND sample_id NOT IN (SELECT sample_id FROM kept UNION ALL SELECT sample_id FROM added)), "
    "leases AS (INSERT INTO crowd_leases (sample_id, labeler_id, task_id, leased_at, expires_at) "
    "SELECT u.sample_id, :me, :task, u.leased_at, :expires FROM "
    "(SELECT sample_id, leased_at FROM kept UNION ALL SELECT sample_id, leased_at FROM added) AS u "
    "ON CONFLICT (sample_id, labeler_id) DO UPDATE SET leased_at = excluded.leased_at, "
    f"expires_at = excluded.expires_at {_LEASED})"
)


def statement(sql: str) -> TextClause:
    clause = text(sql)
    return clause.bindparams(bindparam("now", type_=DateTime())) if _NOW.search(sql) else clause


@dataclass(frozen=True)
class Settle:
    """A call's writes and RELEASE, ending in the round's counters, then OFFER.

    ``offer`` runs after ``steps`` (SQLite); None: the rows of ``steps`` carry the counters
    and the leases, one row per lease, or one with NULL lease columns (PostgreSQL).
    """

    steps: Steps
    offer: TextClause | None


class Statements:
    """The statements of one dialect, built once (SQLAlchemy caches them compiled)."""

    def __init__(self, dialect: str) -> None:
        self._with = dialect == "postgresql"
        self.progress = self.chain(then=PROGRESS)
        self.sample_path = self.chain(then=SAMPLE_PATH)
        self.last_label = self.chain(then=LAST_LABEL)
        self.reopen_round = self.chain(then=REOPEN_ROUND)
        # A label: stored, counted, the labeler's stale leases let go and the others renewed.
        self.label = (
            self.settle(ADD_LABEL, COUNT_SAMPLE_RETURNING, then=COUNT_ROUND_OF_LABEL)
            if self._with
            else self.settle(ADD_LABEL, COUNT_SAMPLE, then=COUNT_ROUND)
        )
        self.skip = self.settle(ADD_SKIP, then=PROGRESS)
        self.release = self.settle(then=PROGRESS)
        # An undo: the label retracted and uncounted, its sample shown to the labeler first.
        self.unlabel = self.chain(RETRACT, COUNT_SAMPLE, HOLD_FIRST, then=COUNT_ROUND)

    def chain(self, *writes: str, then: str) -> Steps:
        """``writes`` (none reading another's effects), then ``then``, whose rows are the answer.

        One statement on PostgreSQL, one after another elsewhere.
        """
        if self._with and writes:
            queries = ", ".join(f"w{index} AS ({sql})" for index, sql in enumerate(writes))
            return (statement(f"WITH {queries} {then}"),)
        return tuple(statement(sql) for sql in (*writes, then))

    def settle(self, *writes: str, then: str) -> Settle:
        """``writes``, RELEASE, ``then`` (the round's counters), OFFER: one statement on PostgreSQL."""
        if not self._with:
            return Settle(self.chain(*writes, RELEASE, then=then), statement(OFFER))
        queries = "".join(f"w{index} AS ({sql}), " for index, sql in enumerate(writes))
        combined = (
            f"WITH {queries}counters AS ({then}), {SETTLE_LEASES} "
            "SELECT c.*, l.sample_id, l.leased_at, l.path, l.rank FROM (SELECT 1 AS one) AS o "
            "LEFT JOIN counters AS c ON true LEFT JOIN leases AS l ON true"
        )
        return Settle((statement(combined),), None)
