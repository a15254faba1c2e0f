"""One writer thread for labeling calls; the calls that queue up meanwhile share one commit.

A label is acknowledged only once it is on disk, and a commit that reaches the disk (fsync)
costs far more than the label's few statements. So while one transaction commits, the calls
that arrive wait in the queue, and the next transaction takes all of them: each runs in its
own savepoint (an error undoes that call alone), one commit makes them all durable, and
only then is each caller's future completed. Nothing is acknowledged before its commit.
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
        outcomes: list[tuple[_Call, bool, Any]] = []
        callbacks: list[Callable[[], None]] = []
        try:
            with self._engine.begin() as conn:
                for call in batch:
                    transaction = Transaction(conn)
                    savepoint = conn.begin_nested()
                    try:
                        value = call.work(transaction)
                    except Exception as exc:
                        savepoint.rollback()
                        outcomes.append((call, False, exc))
                    else:
                        savepoint.commit()
                        outcomes.append((call, True, value))
                        callbacks.extend(transaction.committed)
        except Exception as exc:  # the batch's commit (or its start) failed: nothing of it is stored
            for call in batch:
                call.future.set_exception(exc)
            return
        # Callbacks first (a completed round's results are written before its last label is
        # answered, so whoever hears the answer finds them); they are rare and short.
        for callback in callbacks:
            try:
                callback()
            except Exception as exc:
                self._on_error(exc)
        for call, succeeded, value in outcomes:
            if succeeded:
                call.future.set_result(value)
            else:
                call.future.set_exception(value)
