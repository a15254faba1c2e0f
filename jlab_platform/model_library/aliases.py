"""Aliases of a model (``production``, ``staging``, any name) and the history of every move."""

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import InvalidInput, NotFound
from ..store import Store
from ..store.models import ModelAliasMoveRow, ModelAliasRow
from ..timeutil import utcnow
from . import lookups, views
from .models import Alias, AliasList, check_alias_name


def list_aliases(store: Store, name: str) -> AliasList:
    with store.session() as session:
        lookups.model_row(session, name)
        rows = session.scalars(
            select(ModelAliasRow).where(ModelAliasRow.model == name).order_by(ModelAliasRow.alias)
        ).all()
        moves = session.scalars(
            select(ModelAliasMoveRow)
            .where(ModelAliasMoveRow.model == name)
            .order_by(ModelAliasMoveRow.moved_at.desc(), ModelAliasMoveRow.id.desc())
        ).all()
    return AliasList(
        aliases=[views.alias_model(r) for r in rows], history=[views.move_model(m) for m in moves]
    )


def set_alias(store: Store, name: str, alias: str, version: str, user: str) -> Alias:
    """Point ``alias`` at ``version`` (create or move it); every move is kept."""
    _alias_name(alias)
    with store.session() as session:
        lookups.model_row(session, name)
        target = lookups.version_row(session, name, version)
        row = session.get(ModelAliasRow, (name, alias))
        previous = row.version if row is not None else None
        if previous == target.version:
            assert row is not None
            return views.alias_model(row)
        now = utcnow()
        if row is None:
            row = ModelAliasRow(model=name, alias=alias, version=target.version, set_by=user, set_at=now)
            session.add(row)
        else:
            row.version, row.set_by, row.set_at = target.version, user, now
        _record_move(session, name, alias, previous, target.version, user)
        return views.alias_model(row)


def delete_alias(store: Store, name: str, alias: str, user: str) -> None:
    with store.session() as session:
        lookups.model_row(session, name)
        row = session.get(ModelAliasRow, (name, alias))
        if row is None:
            raise NotFound(f"Model {name!r} has no alias {alias!r}", "List its aliases to see them.")
        _record_move(session, name, alias, row.version, None, user)
        session.delete(row)


def _record_move(
    session: Session, name: str, alias: str, old: str | None, new: str | None, user: str
) -> None:
    now = utcnow()
    session.add(
        ModelAliasMoveRow(
            id=uuid.uuid4().hex,
            model=name,
            alias=alias,
            from_version=old,
            to_version=new,
            moved_by=user,
            moved_at=now,
        )
    )
    model = lookups.model_row(session, name)
    model.updated_by, model.updated_at = user, now


def _alias_name(alias: str) -> None:
    try:
        check_alias_name(alias)
    except ValueError as exc:
        raise InvalidInput(
            f"{alias!r} is not an alias name",
            "An alias has at most 63 characters: a letter first, then letters, digits, '-' or '_' "
            "(it must not look like a version such as 1.02).",
            field="alias",
        ) from exc
