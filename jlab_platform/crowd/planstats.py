"""Fresh planner statistics for the labeling tables while a round fills them (PostgreSQL).

Labels arrive at hundreds per second into tables that were nearly empty a moment before.
PostgreSQL keeps the plan of each labeling statement (they are prepared) until the tables'
statistics change, and autovacuum refreshes those about once a minute: plans made over
near-empty tables walk every label of the task, so after 10,000 labels a label took twice the
database time (2 ms instead of 0.7 ms, measured), and more as they grow. So each time the
labels this server stored double (from ``FIRST``), the tables are analyzed on a thread of
their own; PostgreSQL plans the statements again with what they now hold. SQLite, whose
plans do not go stale this way, is left alone.
"""

import logging
import threading

from sqlalchemy import Engine

FIRST = 500
_TABLES = "crowd_labels, crowd_samples, crowd_leases, crowd_skips"

log = logging.getLogger(__name__)


class TableStatistics:
    def __init__(self, engine: Engine, first: int = FIRST) -> None:
        self._engine = engine
        self._enabled = engine.dialect.name == "postgresql"
        self._labels = 0
        self._next = first
        self._thread: threading.Thread | None = None

    def labeled(self) -> None:
        """One more label stored (called by the labeling writer thread only)."""
        self._labels += 1
        if not self._enabled or self._labels < self._next:
            return
        self._next *= 2
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._analyze, name="jlab-crowd-analyze", daemon=True)
            self._thread.start()

    def close(self) -> None:
        if self._thread is not None:
            self._thread.join()

    def _analyze(self) -> None:
        try:
            with self._engine.connect() as conn:
                # Another owner's tables are skipped with a warning, not an error.
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(f"ANALYZE {_TABLES}")
        except Exception:
            log.warning("jlab_platform: analyzing the labeling tables failed", exc_info=True)
