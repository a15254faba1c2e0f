import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from jlab_platform.crowd import groupcommit
from jlab_platform.crowd.groupcommit import GroupCommit, Pipelined, Transaction
from jlab_platform.store import Store
from tests.helpers.postgres import create_database


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """The store's own engine (BEGIN IMMEDIATE, foreign keys on, FULL sync) on a scratch table."""
    store = Store(f"sqlite:///{tmp_path / 'batch.db'}")
    with store.engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER PRIMARY KEY)"))
    yield store.engine
    store.dispose()


def stored(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return [row.n for row in conn.execute(text("SELECT n FROM t ORDER BY n"))]


def insert(n: int) -> Callable[[Transaction], int]:
    def work(tx: Transaction) -> int:
        tx.conn.execute(text("INSERT INTO t (n) VALUES (:n)"), {"n": n})
        return n

    return work


def test_calls_queued_meanwhile_share_a_commit_and_a_failing_one_leaves_nothing(engine: Engine) -> None:
    writer = GroupCommit(engine, "test-writer", on_error=lambda exc: None)
    gate, entered = threading.Event(), threading.Event()

    def held(tx: Transaction) -> int:
        entered.set()
        gate.wait(5)
        return insert(0)(tx)

    first = writer.call(held)
    assert entered.wait(5)
    # While the first call holds the writer, these queue up: they form the next batch.
    good = [writer.call(insert(n)) for n in (1, 2)]
    duplicate = writer.call(insert(1))  # violates the primary key inside the batch

    def writes_then_fails(tx: Transaction) -> None:
        insert(50)(tx)
        raise ValueError("checked after writing")

    half_done = writer.call(writes_then_fails)
    last = writer.call(insert(3))
    gate.set()
    assert first.result(5) == 0
    assert [future.result(5) for future in good] == [1, 2]
    with pytest.raises(Exception, match="UNIQUE"):
        duplicate.result(5)
    with pytest.raises(ValueError, match="after writing"):
        half_done.result(5)
    assert last.result(5) == 3
    assert stored(engine) == [0, 1, 2, 3]  # nothing of the failed calls, all of the others
    writer.close()


def test_an_answer_comes_only_after_its_commit_and_callbacks_run_after_it(engine: Engine) -> None:
    writer = GroupCommit(engine, "test-writer", on_error=lambda exc: None)
    seen_by_callback: list[list[int]] = []

    def work(tx: Transaction) -> None:
        insert(7)(tx)
        tx.after_commit(lambda: seen_by_callback.append(stored(engine)))

    writer.call(work).result(5)
    assert seen_by_callback == [[7]]  # another connection already saw the row
    assert stored(engine) == [7]
    writer.close()


def test_a_failed_commit_fails_every_call_of_the_batch(engine: Engine) -> None:
    writer = GroupCommit(engine, "test-writer", on_error=lambda exc: None)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE parent (id INTEGER PRIMARY KEY)"))
        conn.execute(
            text("CREATE TABLE child (p INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)")
        )
    gate, entered = threading.Event(), threading.Event()

    def held(tx: Transaction) -> None:
        entered.set()
        gate.wait(5)

    def orphan(tx: Transaction) -> None:
        # A deferred foreign key is checked at COMMIT: the statement passes, the commit fails.
        tx.conn.execute(text("INSERT INTO child (p) VALUES (42)"))

    writer.call(held)
    assert entered.wait(5)
    batch = [writer.call(insert(1)), writer.call(orphan)]
    gate.set()
    for future in batch:
        with pytest.raises(Exception, match="FOREIGN KEY"):
            future.result(5)
    assert stored(engine) == []  # the label of the batch's other call is not kept either
    writer.close()


def test_after_commit_errors_are_reported_not_raised_to_the_caller(engine: Engine) -> None:
    errors: list[BaseException] = []
    writer = GroupCommit(engine, "test-writer", on_error=errors.append)

    def work(tx: Transaction) -> int:
        tx.after_commit(lambda: 1 / 0)  # type: ignore[func-returns-value]
        return insert(5)(tx)

    assert writer.call(work).result(5) == 5
    assert len(errors) == 1 and isinstance(errors[0], ZeroDivisionError)
    writer.close()
    assert stored(engine) == [5]


def test_close_finishes_what_is_queued(engine: Engine) -> None:
    writer = GroupCommit(engine, "test-writer", on_error=lambda exc: None)
    futures = [writer.call(insert(n)) for n in range(20)]
    writer.close()
    assert all(future.done() for future in futures)
    assert stored(engine) == list(range(20))


def test_pipelined_calls_share_one_round_trip_and_one_that_raises_runs_as_work(
    postgres_admin_url: str,
) -> None:
    """On PostgreSQL: offered statements are sent together; a call whose rows refuse it, or whose
    statement fails, is rolled back with its batch and runs again as ordinary work, alone."""
    store = Store(create_database(postgres_admin_url, f"test_{uuid.uuid4().hex[:12]}"))
    engine = store.engine
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER PRIMARY KEY)"))
    writer = GroupCommit(engine, "test-writer", on_error=lambda exc: None)
    assert writer.pipelines
    worked: list[int] = []  # the calls that ran as ordinary work

    def work(n: int) -> Callable[[Transaction], str]:
        def run(tx: Transaction) -> str:
            worked.append(n)
            if n == 2:
                raise ValueError("refused as work too")
            insert(n)(tx)
            return f"work {n}"

        return run

    def plan(n: int) -> Callable[[], Pipelined]:
        def finish(_tx: Transaction, rows: list[list[Any]]) -> str:
            (row,) = rows[0]
            if row.n in (2, 3):  # what the rows show makes this call run as work instead
                raise LookupError("refused by its rows")
            return f"pipelined {row.n}"

        sql = "INSERT INTO t (n) VALUES (%(n)s) RETURNING n"
        return lambda: Pipelined(((sql, {"n": n}),), finish)

    gate, entered = threading.Event(), threading.Event()
    first = writer.call(lambda tx: (entered.set(), gate.wait(5), insert(0)(tx))[-1])
    assert entered.wait(5)
    futures = {n: writer.call(work(n), plan=plan(n)) for n in (1, 2, 3, 4)}
    duplicate = writer.call(work(5), plan=plan(1))  # its statement fails (the key of call 1)
    gate.set()
    assert first.result(5) == 0
    assert futures[1].result(5) == "pipelined 1" and futures[4].result(5) == "pipelined 4"
    with pytest.raises(ValueError, match="refused as work too"):
        futures[2].result(5)
    assert futures[3].result(5) == "work 3"
    assert duplicate.result(5) == "work 5"
    assert set(worked) == {2, 3, 5}  # each attempt of the batch runs its ordinary work again
    assert stored(engine) == [0, 1, 3, 4, 5]
    writer.close()
    store.dispose()


def test_the_writer_keeps_its_connection_while_busy_and_gives_it_back_when_idle(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(groupcommit, "KEEP_CONNECTION_SECONDS", 0.3)
    writer = GroupCommit(engine, "test-writer", on_error=lambda exc: None)
    writer.call(insert(1)).result(5)
    assert engine.pool.checkedout() == 1  # kept for the next batch
    writer.call(insert(2)).result(5)
    assert engine.pool.checkedout() == 1
    deadline = time.monotonic() + 5
    while engine.pool.checkedout() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert engine.pool.checkedout() == 0  # idle: back in the pool
    writer.call(insert(3)).result(5)  # and taken again
    writer.close()
    assert engine.pool.checkedout() == 0 and stored(engine) == [1, 2, 3]
