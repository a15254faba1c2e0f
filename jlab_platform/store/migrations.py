"""Ordered schema migrations, applied at start-up inside one transaction each.

A migration is DDL frozen at the time it was written: later changes to the ORM
models never alter what an old migration does. Append new ones; never edit or
reorder the list.
"""

from collections.abc import Callable

from sqlalchemy import Connection, text

Migration = Callable[[Connection], None]


def _create_platform_meta(conn: Connection) -> None:
    conn.execute(
        text(
            "CREATE TABLE platform_meta ( key VARCHAR(64) NOT NULL PRIMARY KEY, value VARCHAR(1024) NOT NULL)"
        )
    )


def _create_jobs(conn: Connection) -> None:
    conn.execute(
        text(
            "CREATE TABLE jobs ("
            " id VARCHAR(32) NOT NULL PRIMARY KEY,"
            " name VARCHAR(256) NOT NULL,"
            " env VARCHAR(16) NOT NULL,"
            " script TEXT NOT NULL,"
            " args JSON NOT NULL,"
            " status VARCHAR(16) NOT NULL,"
            " created_at TIMESTAMP NOT NULL,"
            " started_at TIMESTAMP,"
            " finished_at TIMESTAMP,"
            " exit_code INTEGER,"
            " reason TEXT,"
            " gpu VARCHAR(32),"
            " snapshot_id VARCHAR(32),"
            " snapshot_deleted_at TIMESTAMP,"
            " restarted_from VARCHAR(32),"
            ' "commit" VARCHAR(64),'
            " kernel_id VARCHAR(64),"
            " supervisor_pid INTEGER,"
            " supervisor_started FLOAT,"
            " pgid INTEGER,"
            " outputs JSON NOT NULL)"
        )
    )
    for column in ("status", "created_at", "finished_at", "snapshot_id"):
        conn.execute(text(f"CREATE INDEX ix_jobs_{column} ON jobs ({column})"))


def _create_favorites(conn: Connection) -> None:
    conn.execute(
        text(
            "CREATE TABLE favorites ("
            " username VARCHAR(256) NOT NULL,"
            " kind VARCHAR(16) NOT NULL,"
            " name VARCHAR(128) NOT NULL,"
            " created_at TIMESTAMP NOT NULL,"
            " PRIMARY KEY (username, kind, name))"
        )
    )


def _add_job_origin(conn: Connection) -> None:
    # Which server supervises a job: servers of a team may share one store.
    conn.execute(text("ALTER TABLE jobs ADD COLUMN origin VARCHAR(512)"))
    conn.execute(text("CREATE INDEX ix_jobs_origin ON jobs (origin)"))


MIGRATIONS: list[Migration] = [
    _create_platform_meta,
    _create_jobs,
    _create_favorites,
    _add_job_origin,
]

LATEST_VERSION = len(MIGRATIONS)
