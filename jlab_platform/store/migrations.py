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


def _add_job_submitted_at(conn: Connection) -> None:
    # When an executor that queues jobs itself (Ray) accepted the job; it stays
    # pending until the executor reports it running.
    conn.execute(text("ALTER TABLE jobs ADD COLUMN submitted_at TIMESTAMP"))


def _create_crowd(conn: Connection) -> None:
    """Labeling and crowdsourcing: tasks, rounds, selected samples, labelers, labels, leases, skips."""
    statements = [
        "CREATE TABLE crowd_tasks ("
        " id VARCHAR(32) NOT NULL PRIMARY KEY,"
        " name VARCHAR(256) NOT NULL,"
        " description TEXT NOT NULL,"
        " dataset TEXT NOT NULL,"
        " module TEXT NOT NULL,"
        " module_format VARCHAR(16) NOT NULL,"
        " classes JSON NOT NULL,"
        " max_choose INTEGER NOT NULL,"
        " overlap INTEGER NOT NULL,"
        " strategy VARCHAR(32) NOT NULL,"
        " seed INTEGER NOT NULL,"
        " max_rounds INTEGER NOT NULL,"
        " env VARCHAR(16) NOT NULL,"
        " train_options JSON NOT NULL,"
        " state VARCHAR(16) NOT NULL,"
        " round INTEGER NOT NULL,"
        " error TEXT,"
        " owner VARCHAR(256) NOT NULL,"
        " created_at TIMESTAMP NOT NULL,"
        " finished_at TIMESTAMP,"
        " finished_incomplete BOOLEAN NOT NULL)",
        "CREATE INDEX ix_crowd_tasks_dataset ON crowd_tasks (dataset)",
        "CREATE TABLE crowd_rounds ("
        " task_id VARCHAR(32) NOT NULL REFERENCES crowd_tasks (id) ON DELETE CASCADE,"
        " number INTEGER NOT NULL,"
        " job_id VARCHAR(32),"
        " created_at TIMESTAMP NOT NULL,"
        " ready_at TIMESTAMP,"
        " completed_at TIMESTAMP,"
        " closed_at TIMESTAMP,"
        " scored INTEGER NOT NULL,"
        " selected INTEGER NOT NULL,"
        " done INTEGER NOT NULL,"
        " labels INTEGER NOT NULL,"
        " needed INTEGER NOT NULL,"
        " notes JSON NOT NULL,"
        " PRIMARY KEY (task_id, number))",
        "CREATE TABLE crowd_samples ("
        " id VARCHAR(32) NOT NULL PRIMARY KEY,"
        " task_id VARCHAR(32) NOT NULL REFERENCES crowd_tasks (id) ON DELETE CASCADE,"
        " round INTEGER NOT NULL,"
        " path TEXT NOT NULL,"
        " rank INTEGER NOT NULL,"
        " score FLOAT NOT NULL,"
        " wanted INTEGER NOT NULL,"
        " label_count INTEGER NOT NULL,"
        " UNIQUE (task_id, path))",
        # Assignment walks the open samples of a round in rank order.
        "CREATE INDEX ix_crowd_samples_open ON crowd_samples (task_id, round, rank)"
        " WHERE label_count < wanted",
        "CREATE TABLE crowd_labelers ("
        " id VARCHAR(32) NOT NULL PRIMARY KEY,"
        " task_id VARCHAR(32) NOT NULL REFERENCES crowd_tasks (id) ON DELETE CASCADE,"
        " name VARCHAR(128) NOT NULL,"
        " kind VARCHAR(8) NOT NULL,"
        " token_hash VARCHAR(64),"
        " created_at TIMESTAMP NOT NULL,"
        " invited_at TIMESTAMP,"
        " expires_at TIMESTAMP,"
        " revoked_at TIMESTAMP,"
        " UNIQUE (task_id, kind, name))",
        "CREATE TABLE crowd_labels ("
        " id VARCHAR(32) NOT NULL PRIMARY KEY,"
        " task_id VARCHAR(32) NOT NULL REFERENCES crowd_tasks (id) ON DELETE CASCADE,"
        " round INTEGER NOT NULL,"
        " sample_id VARCHAR(32) NOT NULL REFERENCES crowd_samples (id) ON DELETE CASCADE,"
        " labeler_id VARCHAR(32) NOT NULL REFERENCES crowd_labelers (id) ON DELETE CASCADE,"
        " label VARCHAR(256) NOT NULL,"
        " created_at TIMESTAMP NOT NULL,"
        " request_key VARCHAR(64),"
        " retracted_at TIMESTAMP,"
        " UNIQUE (labeler_id, request_key))",
        "CREATE UNIQUE INDEX ix_crowd_labels_once ON crowd_labels (sample_id, labeler_id)"
        " WHERE retracted_at IS NULL",
        "CREATE INDEX ix_crowd_labels_task ON crowd_labels (task_id, round)",
        "CREATE INDEX ix_crowd_labels_labeler ON crowd_labels (labeler_id, created_at)",
        "CREATE TABLE crowd_leases ("
        " sample_id VARCHAR(32) NOT NULL REFERENCES crowd_samples (id) ON DELETE CASCADE,"
        " labeler_id VARCHAR(32) NOT NULL REFERENCES crowd_labelers (id) ON DELETE CASCADE,"
        " task_id VARCHAR(32) NOT NULL,"
        " leased_at FLOAT NOT NULL,"
        " expires_at FLOAT NOT NULL,"
        " PRIMARY KEY (sample_id, labeler_id))",
        "CREATE INDEX ix_crowd_leases_labeler ON crowd_leases (labeler_id)",
        "CREATE TABLE crowd_skips ("
        " sample_id VARCHAR(32) NOT NULL REFERENCES crowd_samples (id) ON DELETE CASCADE,"
        " labeler_id VARCHAR(32) NOT NULL REFERENCES crowd_labelers (id) ON DELETE CASCADE,"
        " task_id VARCHAR(32) NOT NULL,"
        " created_at TIMESTAMP NOT NULL,"
        " PRIMARY KEY (sample_id, labeler_id))",
    ]
    for statement in statements:
        conn.execute(text(statement))


def _index_labels_by_labeler_round(conn: Connection) -> None:
    # Every labeling answer counts the labeler's labels in the round ("yours: n"): from this
    # index alone, instead of reading each of their label rows.
    conn.execute(
        text(
            "CREATE INDEX ix_crowd_labels_mine ON crowd_labels (labeler_id, round) WHERE retracted_at IS NULL"
        )
    )


MIGRATIONS: list[Migration] = [
    _create_platform_meta,
    _create_jobs,
    _create_favorites,
    _add_job_origin,
    _add_job_submitted_at,
    _create_crowd,
    _index_labels_by_labeler_round,
]

LATEST_VERSION = len(MIGRATIONS)
