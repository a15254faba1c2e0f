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


MIGRATIONS: list[Migration] = [
    _create_platform_meta,
]

LATEST_VERSION = len(MIGRATIONS)
