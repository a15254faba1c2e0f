import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from jlab_platform._version import __version__
from jlab_platform.errors import Conflict, Unavailable
from jlab_platform.store import Store
from jlab_platform.store.migrations import LATEST_VERSION


def test_migrations_run_once_and_record_the_version(db_url: str) -> None:
    url = db_url
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


def test_a_store_from_a_newer_release_is_refused(db_url: str) -> None:
    store = Store(db_url)
    store.migrate()
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE schema_version SET version = :v"), {"v": LATEST_VERSION + 5})
    with pytest.raises(Conflict, match="newer"):
        store.migrate()
    store.dispose()


def test_failed_migration_leaves_the_previous_version(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from jlab_platform.store import migrations

    def broken(conn: object) -> None:
        conn.execute(text("CREATE TABLE half_done (x INTEGER)"))  # type: ignore[attr-defined]
        raise RuntimeError("boom")

    url = db_url
    first = Store(url)
    first.migrate()
    first.dispose()
    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, broken])
    monkeypatch.setattr("jlab_platform.store.db.MIGRATIONS", migrations.MIGRATIONS)
    monkeypatch.setattr("jlab_platform.store.db.LATEST_VERSION", LATEST_VERSION + 1)
    store = Store(url)
    with pytest.raises(RuntimeError):
        store.migrate()
    assert store.schema_version() == LATEST_VERSION
    assert "half_done" not in inspect(store.engine).get_table_names()
    store.dispose()


def test_servers_starting_together_migrate_once(db_url: str) -> None:
    import threading

    stores = [Store(db_url) for _ in range(4)]
    versions: list[int] = []
    threads = [threading.Thread(target=lambda s=s: versions.append(s.migrate())) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert versions == [LATEST_VERSION] * 4
    assert stores[0].schema_version() == LATEST_VERSION
    for store in stores:
        store.dispose()


def test_a_damaged_file_is_unavailable_with_what_to_do(tmp_path: Path) -> None:
    db = tmp_path / "platform.db"
    db.write_bytes(b"\x00not SQLite\x00" * 1000)
    with pytest.raises(Unavailable) as info:
        Store(f"sqlite:///{db}").migrate()
    assert info.value.message == f"The platform's store {db} cannot be opened: file is not a database"
    assert info.value.detail.startswith(f"Move {db} (with its -wal and -shm files) aside and restart")
    with pytest.raises(Unavailable, match="cannot be opened: unable to open database file"):
        Store(f"sqlite:///{tmp_path / 'missing' / 'platform.db'}").migrate()
