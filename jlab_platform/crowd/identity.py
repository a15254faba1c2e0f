"""Who is labeling: an invited person holding a token, or the task's owner (Jupyter login).

Resolved inside the labeling transaction, so a revoked token stops working at once. On
PostgreSQL the task's row is locked for the transaction, which serialises the labelers
of one task across servers sharing the store (SQLite's BEGIN IMMEDIATE already does).
"""

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Connection, DateTime, TextualSelect, bindparam, text

from ..errors import NotFound
from ..timeutil import utcnow
from .tokens import TokenRejected, parse_token, secret_matches

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
    state: str
    round: int
    max_rounds: int


class Resolver:
    def __init__(self, dialect: str) -> None:
        lock = " FOR UPDATE OF t" if dialect == "postgresql" else ""
        self._invited = _typed(
            "SELECT l.id, l.kind, l.name, l.token_hash, l.revoked_at, l.expires_at, "
            f"{_TASK} FROM crowd_labelers l JOIN crowd_tasks t ON t.id = l.task_id "
            f"WHERE l.id = :labeler{lock}"
        )
        self._task = _typed(f"SELECT {_TASK} FROM crowd_tasks t WHERE t.id = :task{lock}")
        self._owner = text(
            "SELECT id FROM crowd_labelers WHERE task_id = :task AND kind = :kind AND name = :name"
        )
        self._add_owner = text(
            "INSERT INTO crowd_labelers (id, task_id, name, kind, created_at) "
            "VALUES (:id, :task, :name, :kind, :now)"
        ).bindparams(bindparam("now", type_=DateTime()))

    def resolve(self, conn: Connection, who: Identity) -> Seat:
        if who.owner is not None:
            assert who.task_id is not None
            task = conn.execute(self._task, {"task": who.task_id}).first()
            if task is None:
                raise NotFound(f"No labeling task {who.task_id!r}", "List the tasks to see those that exist.")
            return _seat(self._owner_id(conn, who.task_id, who.owner), OWNER, task)
        parsed = parse_token(who.token)
        row = conn.execute(self._invited, {"labeler": parsed.labeler_id}).first()
        stored = row.token_hash if row is not None and row.kind == INVITED else None
        if not secret_matches(parsed.secret, stored) or row is None:
            raise TokenRejected("The labeling link is not valid")
        if row.revoked_at is not None:
            raise TokenRejected("This labeling link was revoked by the task's owner", guess=False)
        if row.expires_at is not None and row.expires_at <= utcnow():
            raise TokenRejected("This labeling link has expired", guess=False)
        return _seat(row.id, row.name, row)

    def _owner_id(self, conn: Connection, task_id: str, name: str) -> str:
        found = conn.execute(self._owner, {"task": task_id, "kind": OWNER, "name": name}).scalar()
        if found is not None:
            return str(found)
        labeler_id = uuid.uuid4().hex[:16]
        conn.execute(
            self._add_owner, {"id": labeler_id, "task": task_id, "name": name, "kind": OWNER, "now": utcnow()}
        )
        return labeler_id


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
