import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from jlab_platform._version import __version__
from jlab_platform.errors import Conflict
from jlab_platform.store import Store
from jlab_platform.store.migrations import LATEST_VERSION


def test_migrations_run_once_and_record_the_version(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'p.db'}"
    store = Store(url)
    assert store.migrate() == LATEST_VERSION
    created = store.meta()["created_at"]
    store.dispose()

    again = Store(url)
    assert again.migrate() == LATEST_VERSION
    meta = again.meta()
    assert meta["created_at"] == created
    assert meta["last_opened_by_version"] == __version__
    again.dispose()


def test_sqlite_store_uses_wal(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    store = Store(f"sqlite:///{db}")
    store.migrate()
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    store.dispose()
    assert sqlite3.connect(db).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_store_from_a_newer_release_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'p.db'}"
    store = Store(url)
    store.migrate()
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE schema_version SET version = :v"), {"v": LATEST_VERSION + 5})
    with pytest.raises(Conflict, match="newer"):
        store.migrate()
    store.dispose()


def test_failed_migration_leaves_the_previous_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jlab_platform.store import migrations

    def broken(conn: object) -> None:
        conn.execute(text("CREATE TABLE half_done (x INTEGER)"))  # type: ignore[attr-defined]
        raise RuntimeError("boom")

    url = f"sqlite:///{tmp_path / 'p.db'}"
    Store(url).migrate()
    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, broken])
    monkeypatch.setattr("jlab_platform.store.db.MIGRATIONS", migrations.MIGRATIONS)
    monkeypatch.setattr("jlab_platform.store.db.LATEST_VERSION", LATEST_VERSION + 1)
    store = Store(url)
    with pytest.raises(RuntimeError):
        store.migrate()
    assert store.schema_version() == LATEST_VERSION
    with store.engine.connect() as conn:
        tables = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))}
    assert "half_done" not in tables
    store.dispose()
