"""Engine, sessions and start-up migrations of the store."""

import datetime as dt
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from .._version import __version__
from ..errors import Conflict, Unavailable
from .migrations import LATEST_VERSION, MIGRATIONS
from .models import PlatformMeta, SchemaVersion

# Any fixed 64-bit number; identifies "jlab_platform migrations" among advisory locks.
_MIGRATION_LOCK_KEY = 0x6A6C6162
# How long a writer waits for another one's lock before giving up (SQLite).
_BUSY_SECONDS = 30.0


class Store:
    """Owns the engine; every domain module gets its sessions from here."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = _make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on any error."""
        with self._sessions.begin() as session:
            yield session

    def migrate(self) -> int:
        """Apply pending migrations; return the schema version now in force.

        Several servers may share one PostgreSQL store and start together: an
        advisory lock lets one of them migrate while the others wait. A store that cannot
        be opened (a damaged file, an unreachable server) is ``Unavailable``, saying what to do.
        """
        try:
            with self._migration_lock():
                return self._migrate()
        except DBAPIError as exc:
            self.engine.dispose()
            raise _unavailable(self.url, exc) from exc

    @contextmanager
    def _migration_lock(self) -> Iterator[None]:
        if self.engine.dialect.name != "postgresql":
            yield  # SQLite: BEGIN IMMEDIATE already serialises writers
            return
        with self.engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _MIGRATION_LOCK_KEY})
                conn.commit()

    def _migrate(self) -> int:
        with self.engine.begin() as conn:
            conn.execute(
                text(
                    "CREATE TABLE IF NOT EXISTS schema_version ("
                    " id INTEGER NOT NULL PRIMARY KEY, version INTEGER NOT NULL)"
                )
            )
        # One transaction reads the version and applies what is missing: on
        # SQLite its BEGIN IMMEDIATE is the lock that keeps two starting servers
        # from applying the same migration; a failure rolls all of them back.
        with self.engine.begin() as conn:
            row = conn.execute(text("SELECT version FROM schema_version WHERE id = 1")).scalar()
            current = int(row) if row is not None else 0
            if current > LATEST_VERSION:
                raise Conflict(
                    f"The store at {self.url} has schema version {current}, newer than this "
                    f"jlab_platform ({__version__}) knows ({LATEST_VERSION})",
                    "Upgrade jlab_platform, or point c.JlabPlatform.db_url at another database.",
                )
            for number in range(current + 1, LATEST_VERSION + 1):
                MIGRATIONS[number - 1](conn)
            if current != LATEST_VERSION:
                conn.execute(text("DELETE FROM schema_version"))
                conn.execute(
                    text("INSERT INTO schema_version (id, version) VALUES (1, :v)"), {"v": LATEST_VERSION}
                )
        self._record_opened()
        return LATEST_VERSION

    def schema_version(self) -> int:
        with self.session() as session:
            row = session.scalar(select(SchemaVersion.version).where(SchemaVersion.id == 1))
            return int(row) if row is not None else 0

    def meta(self) -> dict[str, str]:
        with self.session() as session:
            return {row.key: row.value for row in session.scalars(select(PlatformMeta))}

    def dispose(self) -> None:
        self.engine.dispose()

    def _record_opened(self) -> None:
        now = dt.datetime.now(dt.UTC).isoformat()
        with self.session() as session:
            if session.get(PlatformMeta, "created_at") is None:
                session.add(PlatformMeta(key="created_at", value=now))
                session.add(PlatformMeta(key="created_by_version", value=__version__))
            session.merge(PlatformMeta(key="last_opened_at", value=now))
            session.merge(PlatformMeta(key="last_opened_by_version", value=__version__))


def _unavailable(url: str, exc: DBAPIError) -> Unavailable:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        where = parsed.database or "(in memory)"
        fix = (
            f"Move {where} (with its -wal and -shm files) aside and restart the server to start a "
            "new store, or put a backup in its place."
        )
    else:
        where = parsed.render_as_string(hide_password=True)
        fix = "Check that the database server runs and c.JlabPlatform.db_url, then restart the server."
    return Unavailable(f"The platform's store {where} cannot be opened: {exc.orig}", fix)


def _make_engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        engine = create_engine(url, pool_pre_ping=True)
        if engine.dialect.name == "postgresql":
            event.listen(engine, "connect", _generic_plans)
        return engine
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": _BUSY_SECONDS})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
        # WAL lets the server read while a job's supervisor writes; the busy
        # timeout makes writers wait instead of failing on a brief lock. FULL syncs
        # every commit to disk: what was acknowledged survives a power loss too
        # (labels share one commit per batch, see crowd.groupcommit).
        # pysqlite would otherwise commit before every DDL statement; taking over
        # BEGIN makes a migration (DDL included) all-or-nothing.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        _use_wal(cursor)
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(_BUSY_SECONDS * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # IMMEDIATE takes the write lock up front: a transaction that read first
        # and writes later would otherwise fail when another process (a job's
        # supervisor) committed in between, instead of waiting its turn.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _generic_plans(dbapi_conn: Any, _record: Any) -> None:
    """PostgreSQL: a prepared statement keeps one plan, made again when its tables' statistics change.

    Left to choose, PostgreSQL plans the labeling path's statements afresh on every call (0.3 ms
    each) once its tables have statistics; those are kept current while labels pour in (see
    crowd.planstats), so the plan they give holds. Needs PostgreSQL 12 or later.
    """
    dbapi_conn.autocommit = True  # outside a transaction, so that no rollback undoes it
    dbapi_conn.execute("SET plan_cache_mode = force_generic_plan")
    dbapi_conn.autocommit = False


def _use_wal(cursor: Any) -> None:
    """Put the database in WAL mode (a lasting property of the file, so the first one sets it).

    Switching a new database takes an exclusive lock, and while other connections do the same
    SQLite answers "database is locked" at once, without waiting in its busy handler: retry
    until the mode is set, by this connection or another, within the usual busy timeout.
    """
    deadline = time.monotonic() + _BUSY_SECONDS
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)
