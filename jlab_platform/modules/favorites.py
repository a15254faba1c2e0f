"""Favorite modules and datasets, per Jupyter user, in the platform's store."""

import re

from sqlalchemy import select

from ..errors import InvalidInput
from ..store import Store
from ..store.models import FavoriteRow
from ..timeutil import utcnow
from .models import EntryKind

KINDS: tuple[EntryKind, ...] = ("module", "dataset")
# The names jupyter_server's token and password logins make up at each login (uuid4().hex).
_PER_LOGIN_NAME = re.compile(r"[0-9a-f]{32}")


class Favorites:
    def __init__(self, store: Store) -> None:
        self.store = store

    def names(self, username: str, kind: str) -> set[str]:
        with self.store.session() as session:
            rows = session.scalars(
                select(FavoriteRow.name).where(FavoriteRow.username == username, FavoriteRow.kind == kind)
            )
            return set(rows)

    def set(self, username: str, kind: str, name: str, favorite: bool) -> None:
        check_kind(kind)
        with self.store.session() as session:
            row = session.get(FavoriteRow, (username, kind, name))
            if favorite and row is None:
                session.add(FavoriteRow(username=username, kind=kind, name=name, created_at=utcnow()))
            elif not favorite and row is not None:
                session.delete(row)

    def claim_per_login(self, owner: str) -> int:
        """Give ``owner`` the favorites kept under made-up per-login names; how many moved.

        Favorites were once keyed by those names, so they were lost at the next login.
        """
        with self.store.session() as session:
            rows = list(session.scalars(select(FavoriteRow)))
            owned = {(row.kind, row.name) for row in rows if row.username == owner}
            moved = [row for row in rows if _PER_LOGIN_NAME.fullmatch(row.username)]
            for row in moved:
                if (row.kind, row.name) not in owned:
                    owned.add((row.kind, row.name))
                    session.add(
                        FavoriteRow(username=owner, kind=row.kind, name=row.name, created_at=row.created_at)
                    )
                session.delete(row)
            return len(moved)


def check_kind(kind: str) -> EntryKind:
    for known in KINDS:
        if kind == known:
            return known
    raise InvalidInput(f"Unknown kind {kind!r}", f"Use one of: {', '.join(KINDS)}.")
