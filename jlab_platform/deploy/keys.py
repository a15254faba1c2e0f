"""API keys of a deployment name: random, shown once, stored as sha256, revocable.

The service reads the digests of the name's valid keys from a keys file (JSON list) and
re-reads it when it changes, so a new or revoked key takes effect without a restart.
"""

import hashlib
import secrets
import uuid
from pathlib import Path

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ..errors import NotFound
from ..files.atomic import write_json_atomic
from ..store import Store
from ..store.models import DeploymentKeyRow
from ..timeutil import to_iso, utcnow
from .models import KeyInfo, NewKey

_KEY_BYTES = 32
_PREFIX_CHARS = 6


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class KeyRing:
    def __init__(self, store: Store, folder: Path) -> None:
        self.store = store
        self.folder = folder

    def keys_file(self, name: str) -> Path:
        return self.folder / f"{name}.json"

    def create(self, name: str) -> NewKey:
        key = secrets.token_urlsafe(_KEY_BYTES)
        row = DeploymentKeyRow(
            id=uuid.uuid4().hex,
            name=name,
            digest=digest(key),
            prefix=key[:_PREFIX_CHARS],
            created_at=utcnow(),
        )
        with self.store.session() as session:
            session.add(row)
            session.flush()
            info = _info(row)
        self.write_file(name)
        return NewKey(id=info.id, key=key, created_at=info.created_at, prefix=info.prefix)

    def revoke(self, name: str, key_id: str) -> None:
        with self.store.session() as session:
            row = session.get(DeploymentKeyRow, key_id)
            if row is None or row.name != name or row.revoked_at is not None:
                raise NotFound(
                    f"Deployment {name!r} has no key {key_id!r}", "List the deployment to see its keys' ids."
                )
            row.revoked_at = utcnow()
        self.write_file(name)

    def list(self, session: Session, name: str) -> list[KeyInfo]:
        """The name's valid keys, read in the caller's session (SQLite allows one writer at a time)."""
        rows = session.scalars(_valid(name).order_by(DeploymentKeyRow.created_at)).all()
        return [_info(row) for row in rows]

    def write_file(self, name: str) -> Path:
        """Replace the name's keys file with the digests of its valid keys (atomically: the
        service never reads half a file)."""
        with self.store.session() as session:
            digests = [row.digest for row in session.scalars(_valid(name))]
        path = self.keys_file(name)
        write_json_atomic(path, digests, private=True)
        return path

    def delete_all(self, name: str) -> None:
        with self.store.session() as session:
            for row in session.scalars(select(DeploymentKeyRow).where(DeploymentKeyRow.name == name)):
                session.delete(row)
        self.keys_file(name).unlink(missing_ok=True)


def _valid(name: str) -> Select[DeploymentKeyRow]:
    return select(DeploymentKeyRow).where(
        DeploymentKeyRow.name == name, DeploymentKeyRow.revoked_at.is_(None)
    )


def _info(row: DeploymentKeyRow) -> KeyInfo:
    return KeyInfo(id=row.id, created_at=to_iso(row.created_at) or "", prefix=row.prefix)
