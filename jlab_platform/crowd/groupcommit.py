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
"""

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine

T = TypeVar("T")

MAX_BATCH = 64


@dataclass
class Transaction:
    """What a call gets: the batch's connection, and callbacks to run once its work is committed."""

    conn: Connection
    committed: list[Callable[[], None]] = field(default_factory=list)

    def after_commit(self, callback: Callable[[], None]) -> None:
        self.committed.append(callback)


@dataclass
class _Call:
    work: Callable[[Transaction], Any]
    future: "Future[Any]"


class GroupCommit:
    def __init__(self, engine: Engine, name: str, on_error: Callable[[BaseException], None]) -> None:
        self._engine = engine
        self._name = name
        self._on_error = on_error  # for after-commit callbacks, whose callers have their answer
        self._queue: queue.SimpleQueue[_Call | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def call(self, work: Callable[[Transaction], T]) -> "Future[T]":
        """Queue ``work``; its future completes after the commit that holds it (or with its error)."""
        future: Future[T] = Future()
        self._ensure_started()
        self._queue.put(_Call(work, future))
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
            first = self._queue.get()
            if first is None:
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
                return

    def _commit(self, batch: list[_Call]) -> None:
        failed: list[tuple[_Call, Exception]] = []
        pending = list(batch)
        results: list[tuple[_Call, Any]] = []
        callbacks: list[Callable[[], None]] = []
        try:
            while pending:
                attempt = self._attempt(pending)
                if isinstance(attempt, _Failure):
                    failed.append((pending.pop(attempt.index), attempt.error))
                    continue
                results, callbacks = attempt
                break
        except Exception as exc:  # the batch's commit (or its start) failed: nothing of it is stored
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
        self, batch: list[_Call]
    ) -> "tuple[list[tuple[_Call, Any]], list[Callable[[], None]]] | _Failure":
        """Run ``batch`` in one transaction and commit it, or roll back at its first failing call."""
        results: list[tuple[_Call, Any]] = []
        callbacks: list[Callable[[], None]] = []
        with self._engine.connect() as conn:
            with conn.begin():
                for index, call in enumerate(batch):
                    transaction = Transaction(conn)
                    try:
                        results.append((call, call.work(transaction)))
                    except Exception as exc:
                        conn.rollback()
                        return _Failure(index, exc)
                    callbacks.extend(transaction.committed)
        return results, callbacks


@dataclass
class _Failure:
    index: int
    error: Exception
