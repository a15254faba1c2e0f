import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from jlab_platform.crowd.groupcommit import GroupCommit, Transaction
from jlab_platform.store import Store


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
