"""Who is labeling: an invited person holding a token, or the task's owner (Jupyter login).

Resolved inside the labeling transaction, so a revoked token stops working at once. On
PostgreSQL the task's row is locked for the transaction, which serialises the labelers
of one task across servers sharing the store (SQLite's BEGIN IMMEDIATE already does).
A call may read more in the same statement (a ``Probe``): one round trip fewer.
"""

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Connection, DateTime, TextualSelect, bindparam, text

from ..errors import NotFound
from ..timeutil import utcnow
from .states import CrowdState
from .tokens import ParsedToken, TokenRejected, parse_token, secret_matches

INVITED = "invited"
OWNER = "owner"

_TASK = (
    "t.id AS task_id, t.name AS task_name, t.description, t.dataset, t.classes, t.state, t.round, "
    "t.max_rounds"
)


@dataclass(frozen=True)
class Identity:
    """Exactly one of ``token`` (an invite link's token) or ``owner`` (with ``task_id``)."""

    token: str | None = None
    owner: str | None = None
    task_id: str | None = None

    @classmethod
    def invited(cls, token: str | None) -> "Identity":
        return cls(token=token or "")

    @classmethod
    def task_owner(cls, task_id: str) -> "Identity":
        # One owner labeler per task: whoever passes Jupyter's login labels as the owner
        # (a token-authenticated client gets a new anonymous user name on every request).
        return cls(owner=OWNER, task_id=task_id)


@dataclass(frozen=True)
class Seat:
    """A labeler at a task, as one labeling transaction sees them."""

    labeler_id: str
    labeler: str  # the name shown
    task_id: str
    task_name: str
    description: str
    dataset: str
    classes: list[str]
    state: CrowdState
    round: int
    max_rounds: int


@dataclass(frozen=True)
class Probe:
    """Columns read with the seat, in its statement: over the labeler ``l`` (NULLs for an owner
    not seen yet) and the task ``t``, and the tables that ``joins`` adds (outer joins)."""

    columns: str
    joins: str


class Resolver:
    def __init__(self, dialect: str, probe: Probe) -> None:
        lock = " FOR UPDATE OF t" if dialect == "postgresql" else ""

        def statements(columns: str, joins: str) -> tuple[TextualSelect, TextualSelect]:
            invited = _typed(
                "SELECT l.id, l.kind, l.name, l.token_hash, l.revoked_at, l.expires_at, "
                f"{_TASK}{columns} FROM crowd_labelers l JOIN crowd_tasks t ON t.id = l.task_id{joins} "
                f"WHERE l.id = :labeler{lock}"
            )
            # One owner labeler per task, created at their first call.
            owner = _typed(
                f"SELECT l.id, {_TASK}{columns} FROM crowd_tasks t LEFT JOIN crowd_labelers l "
                f"ON l.task_id = t.id AND l.kind = :kind AND l.name = :name{joins} WHERE t.id = :task{lock}"
            )
            return invited, owner

        self._plain = statements("", "")
        self._probed = statements(f", {probe.columns}", f" {probe.joins}")
        self._add_owner = text(
            "INSERT INTO crowd_labelers (id, task_id, name, kind, created_at) "
            "VALUES (:id, :task, :name, :kind, :now)"
        ).bindparams(bindparam("now", type_=DateTime()))

    def resolve(self, conn: Connection, who: Identity) -> Seat:
        return self._resolve(conn, who, self._plain, {})[0]

    def probe(self, conn: Connection, who: Identity, params: dict[str, Any]) -> tuple[Seat, Any]:
        """The seat, and the row with the probe's columns (read with ``params``)."""
        return self._resolve(conn, who, self._probed, params)

    @property
    def invited_probe(self) -> TextualSelect:
        """The probe of an invited labeler (parameters ``labeler`` and the probe's), whose row
        ``invited_seat`` checks."""
        return self._probed[0]

    def _resolve(
        self,
        conn: Connection,
        who: Identity,
        statements: tuple[TextualSelect, TextualSelect],
        params: dict[str, Any],
    ) -> tuple[Seat, Any]:
        invited, owner = statements
        if who.owner is not None:
            assert who.task_id is not None
            task = conn.execute(
                owner, {**params, "task": who.task_id, "kind": OWNER, "name": who.owner}
            ).first()
            if task is None:
                raise NotFound(f"No labeling task {who.task_id!r}", "List the tasks to see those that exist.")
            labeler_id = task.id or self._add(conn, who.task_id, who.owner)
            return _seat(labeler_id, OWNER, task), task
        parsed = parse_token(who.token)
        row = conn.execute(invited, {**params, "labeler": parsed.labeler_id}).first()
        return invited_seat(parsed, row), row

    def _add(self, conn: Connection, task_id: str, name: str) -> str:
        labeler_id = uuid.uuid4().hex[:16]
        conn.execute(
            self._add_owner, {"id": labeler_id, "task": task_id, "name": name, "kind": OWNER, "now": utcnow()}
        )
        return labeler_id


def invited_seat(parsed: ParsedToken, row: Any) -> Seat:
    """The seat of the token's labeler, from its row (None if there is none): the token checked."""
    stored = row.token_hash if row is not None and row.kind == INVITED else None
    if not secret_matches(parsed.secret, stored) or row is None:
        raise TokenRejected("The labeling link is not valid")
    if row.revoked_at is not None:
        raise TokenRejected("This labeling link was revoked by the task's owner", guess=False)
    if row.expires_at is not None and row.expires_at <= utcnow():
        raise TokenRejected("This labeling link has expired", guess=False)
    return _seat(row.id, row.name, row)


def display_name(kind: str, name: str) -> str:
    """Invited names are unique in a task (and may not be "owner"); the owner's row shows as "owner"."""
    return OWNER if kind == OWNER else name


def _typed(sql: str) -> TextualSelect:
    return text(sql).columns(classes=JSON, revoked_at=DateTime(), expires_at=DateTime())


def _seat(labeler_id: str, labeler: str, task: Any) -> Seat:
    return Seat(
        labeler_id=labeler_id,
        labeler=labeler,
        task_id=task.task_id,
        task_name=task.task_name,
        description=task.description,
        dataset=task.dataset,
        classes=list(task.classes),
        state=task.state,
        round=int(task.round),
        max_rounds=int(task.max_rounds),
    )
