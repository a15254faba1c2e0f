"""Favorite modules and datasets, per Jupyter user, in the platform's store."""

from sqlalchemy import select

from ..errors import InvalidInput
from ..store import Store
from ..store.models import FavoriteRow
from ..timeutil import utcnow

KINDS = ("module", "dataset")


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


def check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise InvalidInput(f"Unknown kind {kind!r}", f"Use one of: {', '.join(KINDS)}.")
