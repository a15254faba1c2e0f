"""Statements per labeling call: on PostgreSQL each one is a round trip under the task's lock,
except a known labeler's submission, whose two go out with the batch's others in one pipeline.

The labeling rate on PostgreSQL is bound by them (12 per submission gave 434 labels/s, 3 about
530/s, 2 pipelined about 900/s), so their number is pinned here. SQLite runs a step's writes one
after another in-process.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from jlab_platform.crowd import CrowdService
from jlab_platform.crowd.identity import Identity
from tests.crowd.conftest import labeling_task

# Per call, the group commit's BEGIN and COMMIT (one each per batch) left out.
EXPECTED = {
    "postgresql": {"submit": 2, "next": 2, "skip": 2, "undo": 4, "overview": 2, "owner submit": 2},
    "sqlite": {"submit": 6, "next": 4, "skip": 5, "undo": 9, "overview": 2, "owner submit": 6},
}


@contextmanager
def counting(service: CrowdService) -> Iterator[list[str]]:
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.startswith("BEGIN"):  # SQLite's BEGIN IMMEDIATE, once per batch
            statements.append(statement)

    engine = service.store.engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", seen)


def statements_of(service: CrowdService, call: Callable[[], Any]) -> int:
    """Statements ``call`` runs: through SQLAlchemy, and sent in pipeline mode (PostgreSQL)."""
    pipelined = service.labeling.pipelined_statements
    with counting(service) as statements:
        call()
    return len(statements) + service.labeling.pipelined_statements - pipelined


def test_statements_per_labeling_call_are_pinned(store_crowd: CrowdService) -> None:
    service, engine = store_crowd, store_crowd.labeling
    task = labeling_task(service, samples=12)
    ann = Identity.invited(service.invite(task, "ann").token)
    owner = Identity.task_owner(task)
    engine.next(ann).result()
    engine.next(owner).result()  # the owner's labeler row is created at their first call
    seen: dict[str, int] = {}

    def label(who: Identity, key: str) -> Callable[[], Any]:
        def call() -> Any:
            sample = engine.next(who).result().samples[0].id
            return engine.submit(who, sample, "cat", key).result()

        return call

    seen["next"] = statements_of(service, lambda: engine.next(ann).result())
    seen["submit"] = statements_of(service, label(ann, "k1")) - seen["next"]
    seen["owner submit"] = statements_of(service, label(owner, "k2")) - statements_of(
        service, lambda: engine.next(owner).result()
    )
    sample = engine.next(ann).result().samples[0].id
    seen["skip"] = statements_of(service, lambda: engine.skip(ann, sample).result())
    seen["undo"] = statements_of(service, lambda: engine.undo(ann).result())
    seen["overview"] = statements_of(service, lambda: engine.overview(ann).result())
    assert seen == EXPECTED[service.store.engine.dialect.name]


def test_a_known_labelers_submission_is_pipelined_on_postgresql(store_crowd: CrowdService) -> None:
    """Both statements go out with the batch's others, without waiting (one round trip for all)."""
    service, engine = store_crowd, store_crowd.labeling
    task = labeling_task(service, samples=4)
    ann = Identity.invited(service.invite(task, "ann").token)
    sample = engine.next(ann).result().samples[0].id  # ann's seat is seen
    pipelined = engine.pipelined_statements
    with counting(service) as statements:
        engine.submit(ann, sample, "cat", "k1").result()
    if service.store.engine.dialect.name == "postgresql":
        assert (len(statements), engine.pipelined_statements - pipelined) == (0, 2)
    else:
        assert engine.pipelined_statements == 0 and len(statements) == EXPECTED["sqlite"]["submit"]
