"""One writer thread for labeling calls; the calls that queue up meanwhile share one commit.

A label is acknowledged only once it is on disk, and a commit that reaches the disk (fsync)
costs far more than the label's few statements. So while one transaction commits, the calls
that arrive wait in the queue, and the next transaction takes all of them; one commit makes
them all durable, and only then is each caller's future completed. Nothing is acknowledged
before its commit. A call that raises is taken out of the batch with its error as its answer,
and the batch runs again without it from the start (its work is only statements, so running
it again is safe): no savepoint round trips for the usual batch, where nothing fails.
SQLite takes one writer at a time anyway; one thread also keeps this process's calls from
contending for the database lock and the interpreter's.

On PostgreSQL (psycopg) a call may also offer its statements up front (``Pipelined``): the
batch's offered statements go out together in pipeline mode and the server runs them back to
back, one round trip for all of them instead of one per statement, each waiting for the
interpreter. They are written before their results are read, so the call's ``finish`` checks
the rows and raises when they show the call had to be refused or answered otherwise (or its
statement fails); then the batch is rolled back and runs again with that call as ordinary
work, which gives it its own answer, and the others pipelined again.
"""

import queue
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine

T = TypeVar("T")

MAX_BATCH = 64
# While calls keep coming, the writer keeps its connection from one batch to the next (taking
# one from the pool, and pinging it, costs a round trip a batch); idle this long, it gives it back.
KEEP_CONNECTION_SECONDS = 1.0


@dataclass
class Transaction:
    """What a call gets: the batch's connection, and callbacks to run once its work is committed."""

    conn: Connection
    committed: list[Callable[[], None]] = field(default_factory=list)

    def after_commit(self, callback: Callable[[], None]) -> None:
        self.committed.append(callback)


@dataclass(frozen=True)
class Pipelined:
    """A call's statements (psycopg's SQL and parameters), sent without waiting for results,
    and ``finish``, which makes the call's answer of each statement's rows or raises."""

    statements: Sequence[tuple[str, Mapping[str, Any]]]
    finish: Callable[[Transaction, list[list[Any]]], Any]


Plan = Callable[[], Pipelined | None]  # None: the call runs as ordinary work


@dataclass
class _Call:
    work: Callable[[Transaction], Any]
    future: "Future[Any]"
    plan: Plan | None = None


class GroupCommit:
    def __init__(self, engine: Engine, name: str, on_error: Callable[[BaseException], None]) -> None:
        self._engine = engine
        self._name = name
        self._on_error = on_error  # for after-commit callbacks, whose callers have their answer
        self._queue: queue.SimpleQueue[_Call | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._conn: Connection | None = None  # the writer thread's, between batches
        self._start_lock = threading.Lock()
        self.pipelines = engine.dialect.name == "postgresql" and engine.dialect.driver == "psycopg"
        self.pipelined_statements = 0  # sent in pipelines so far (tests pin the round trips)

    def call(self, work: Callable[[Transaction], T], plan: Plan | None = None) -> "Future[T]":
        """Queue ``work``; its future completes after the commit that holds it (or with its error).

        ``plan``: the same call as statements sent up front (on PostgreSQL), when it can say them.
        """
        future: Future[T] = Future()
        self._ensure_started()
        self._queue.put(_Call(work, future, plan))
        return future

    def close(self) -> None:
        """Finish the queued calls, then stop the thread."""
        with self._start_lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join()

    def _ensure_started(self) -> None:
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                first = self._queue.get(timeout=KEEP_CONNECTION_SECONDS if self._conn else None)
            except queue.Empty:
                self._release()
                continue
            if first is None:
                self._release()
                return
            batch = [first]
            stop = False
            while len(batch) < MAX_BATCH:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                batch.append(more)
            self._commit(batch)
            if stop:
                self._release()
                return

    def _connection(self) -> Connection:
        if self._conn is None:
            self._conn = self._engine.connect()
        return self._conn

    def _release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    def _commit(self, batch: list[_Call]) -> None:
        failed: list[tuple[_Call, Exception]] = []
        pending = list(batch)
        results: list[tuple[_Call, Any]] = []
        callbacks: list[Callable[[], None]] = []
        pipeline = self.pipelines
        try:
            while pending:
                attempt = self._attempt(pending, pipeline)
                if isinstance(attempt, _Missed):
                    if attempt.call is None:
                        pipeline = False
                    else:
                        attempt.call.plan = None  # it runs as ordinary work from now on
                    continue
                if isinstance(attempt, _Failure):
                    failed.append((pending.pop(attempt.index), attempt.error))
                    continue
                results, callbacks = attempt
                break
        except Exception as exc:  # the batch's commit (or its start) failed: nothing of it is stored
            self._release()  # the next batch starts on a connection from the pool, pinged
            for call in pending:
                call.future.set_exception(exc)
        # Callbacks first (a completed round's results are written before its last label is
        # answered, so whoever hears the answer finds them); they are rare and short.
        for callback in callbacks:
            try:
                callback()
            except Exception as exc:
                self._on_error(exc)
        for call, value in results:
            call.future.set_result(value)
        for call, error in failed:
            call.future.set_exception(error)

    def _attempt(
        self, batch: list[_Call], pipeline: bool
    ) -> "tuple[list[tuple[_Call, Any]], list[Callable[[], None]]] | _Failure | _Missed":
        """Run ``batch`` in one transaction and commit it, or roll back at its first failing call.

        ``pipeline``: the calls that offer statements send them last, together.
        """
        results: list[tuple[_Call, Any]] = []
        callbacks: list[Callable[[], None]] = []
        conn = self._connection()
        with conn.begin():
            planned: list[tuple[_Call, Pipelined]] = []
            for index, call in enumerate(batch):
                plan = call.plan() if pipeline and call.plan is not None else None
                if plan is not None:
                    planned.append((call, plan))
                    continue
                transaction = Transaction(conn)
                try:
                    results.append((call, call.work(transaction)))
                except Exception as exc:
                    conn.rollback()
                    return _Failure(index, exc)
                callbacks.extend(transaction.committed)
            if planned:
                try:
                    self._send_pipelined(conn, planned, results, callbacks)
                except _Missed as missed:
                    conn.rollback()
                    return missed
        return results, callbacks

    def _send_pipelined(
        self,
        conn: Connection,
        planned: list[tuple[_Call, Pipelined]],
        results: list[tuple[_Call, Any]],
        callbacks: list[Callable[[], None]],
    ) -> None:
        """Send the statements of ``planned``, then finish each call of its rows; raises
        ``_Missed`` naming the call that raised (None when it cannot be told)."""
        import psycopg  # the store's PostgreSQL driver (an extra)
        from psycopg.rows import namedtuple_row

        driver = conn.connection.driver_connection
        assert driver is not None  # a checked-out connection
        sent: list[list[Any]] = []  # the cursors of each call's statements, in order
        current: _Call | None = None
        try:
            with driver.pipeline():  # leaving it sends the sync
                for _call, plan in planned:
                    sent.append([])
                    for sql, params in plan.statements:
                        cursor = driver.cursor(row_factory=namedtuple_row)
                        sent[-1].append(cursor)
                        cursor.execute(sql, params)
                        self.pipelined_statements += 1
                # A call's rows are read as they come: its answer is made while the server
                # runs the statements of the calls after it.
                for (call, plan), cursors in zip(planned, sent, strict=True):
                    current = call
                    transaction = Transaction(conn)
                    rows = [cursor.fetchall() for cursor in cursors]
                    results.append((call, plan.finish(transaction, rows)))
                    callbacks.extend(transaction.committed)
        except psycopg.Error as exc:
            # Raised by whichever read met it: the results are taken in order, and the failed
            # statement is the first left without one.
            failed = next(
                (
                    call
                    for (call, _plan), cursors in zip(planned, sent, strict=False)  # sent: maybe fewer
                    if any(c.pgresult is None for c in cursors)
                ),
                None,
            )
            raise _Missed(failed) from exc
        except Exception as exc:
            raise _Missed(current) from exc


class _Missed(Exception):
    """A pipelined call raised: ``call`` (None: not told) runs again as ordinary work."""

    def __init__(self, call: _Call | None) -> None:
        super().__init__()
        self.call = call


@dataclass
class _Failure:
    index: int
    error: Exception
