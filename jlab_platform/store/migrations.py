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


def _create_deployments(conn: Connection) -> None:
    statements = [
        "CREATE TABLE deployments ("
        " id VARCHAR(32) NOT NULL PRIMARY KEY,"
        " name VARCHAR(64) NOT NULL,"
        " description TEXT NOT NULL,"
        " source TEXT NOT NULL,"
        " kind VARCHAR(16) NOT NULL,"
        " module VARCHAR(128),"
        " checkpoint VARCHAR(255),"
        ' "commit" VARCHAR(64),'
        " uncommitted BOOLEAN NOT NULL,"
        " model_version VARCHAR(256),"
        " status VARCHAR(16) NOT NULL,"
        " reason TEXT,"
        " active BOOLEAN NOT NULL,"
        " backend VARCHAR(16) NOT NULL,"
        " host VARCHAR(256) NOT NULL,"
        " port INTEGER NOT NULL,"
        " workers INTEGER NOT NULL,"
        " batch_max_size INTEGER NOT NULL,"
        " batch_window_ms FLOAT NOT NULL,"
        " snapshot_id VARCHAR(32) NOT NULL,"
        " rolled_back_from VARCHAR(32),"
        " created_by VARCHAR(256),"
        " created_at TIMESTAMP NOT NULL,"
        " started_at TIMESTAMP,"
        " stopped_at TIMESTAMP,"
        " supervisor_pid INTEGER,"
        " supervisor_started FLOAT,"
        " inputs JSON NOT NULL,"
        " outputs JSON NOT NULL)",
        "CREATE INDEX ix_deployments_name ON deployments (name)",
        "CREATE TABLE deployment_keys ("
        " id VARCHAR(32) NOT NULL PRIMARY KEY,"
        " name VARCHAR(64) NOT NULL,"
        " digest VARCHAR(64) NOT NULL,"
        " prefix VARCHAR(16) NOT NULL,"
        " created_at TIMESTAMP NOT NULL,"
        " revoked_at TIMESTAMP)",
        "CREATE INDEX ix_deployment_keys_name ON deployment_keys (name)",
    ]
    for statement in statements:
        conn.execute(text(statement))


def _create_model_library(conn: Connection) -> None:
    """Model library: models, trainings, immutable versions, aliases (and every move), batch predictions."""
    statements = [
        "CREATE TABLE model_library_models ("
        " name VARCHAR(60) NOT NULL PRIMARY KEY,"
        " template VARCHAR(128) NOT NULL,"
        " template_version VARCHAR(64) NOT NULL,"
        " task VARCHAR(64) NOT NULL,"
        " description TEXT NOT NULL,"
        " data_paths JSON NOT NULL,"
        " fixed_data_paths JSON NOT NULL,"
        " config JSON NOT NULL,"
        " created_by VARCHAR(256) NOT NULL,"
        " created_at TIMESTAMP NOT NULL,"
        " updated_by VARCHAR(256) NOT NULL,"
        " updated_at TIMESTAMP NOT NULL)",
        "CREATE TABLE model_library_trainings ("
        " id VARCHAR(32) NOT NULL PRIMARY KEY,"
        " model VARCHAR(60) NOT NULL REFERENCES model_library_models (name) ON DELETE CASCADE,"
        " job_id VARCHAR(32) NOT NULL,"
        " job_ids JSON NOT NULL,"
        " template_version VARCHAR(64) NOT NULL,"
        " data_paths JSON NOT NULL,"
        " config JSON NOT NULL,"
        " env VARCHAR(16) NOT NULL,"
        " from_version VARCHAR(16),"
        " version VARCHAR(16),"
        " created_by VARCHAR(256) NOT NULL,"
        " created_at TIMESTAMP NOT NULL)",
        "CREATE INDEX ix_model_library_trainings_model ON model_library_trainings (model, created_at)",
        "CREATE INDEX ix_model_library_trainings_job ON model_library_trainings (job_id)",
        "CREATE TABLE model_library_versions ("
        " model VARCHAR(60) NOT NULL REFERENCES model_library_models (name) ON DELETE CASCADE,"
        " version VARCHAR(16) NOT NULL,"
        " major INTEGER NOT NULL,"
        " minor INTEGER NOT NULL,"
        " template VARCHAR(128) NOT NULL,"
        " template_version VARCHAR(64) NOT NULL,"
        " task VARCHAR(64) NOT NULL,"
        ' "commit" VARCHAR(64),'
        " training_id VARCHAR(32) NOT NULL UNIQUE,"
        " job_id VARCHAR(32) NOT NULL,"
        " data_paths JSON NOT NULL,"
        " data_hash VARCHAR(64) NOT NULL,"
        " images INTEGER NOT NULL,"
        " config JSON NOT NULL,"
        " files JSON NOT NULL,"
        " checkpoint_sha256 VARCHAR(64) NOT NULL,"
        " checkpoint_bytes BIGINT NOT NULL,"
        " metrics JSON NOT NULL,"
        " evaluation VARCHAR(64),"
        " published_by VARCHAR(256) NOT NULL,"
        " published_at TIMESTAMP NOT NULL,"
        " PRIMARY KEY (model, version),"
        " UNIQUE (model, major, minor))",
        "CREATE TABLE model_library_aliases ("
        " model VARCHAR(60) NOT NULL REFERENCES model_library_models (name) ON DELETE CASCADE,"
        " alias VARCHAR(64) NOT NULL,"
        " version VARCHAR(16) NOT NULL,"
        " set_by VARCHAR(256) NOT NULL,"
        " set_at TIMESTAMP NOT NULL,"
        " PRIMARY KEY (model, alias))",
        "CREATE TABLE model_library_alias_moves ("
        " id VARCHAR(32) NOT NULL PRIMARY KEY,"
        " model VARCHAR(60) NOT NULL REFERENCES model_library_models (name) ON DELETE CASCADE,"
        " alias VARCHAR(64) NOT NULL,"
        " from_version VARCHAR(16),"
        " to_version VARCHAR(16),"
        " moved_by VARCHAR(256) NOT NULL,"
        " moved_at TIMESTAMP NOT NULL)",
        "CREATE INDEX ix_model_library_alias_moves_model ON model_library_alias_moves (model, moved_at)",
        "CREATE TABLE model_library_predictions ("
        " id VARCHAR(32) NOT NULL PRIMARY KEY,"
        " model VARCHAR(60) NOT NULL REFERENCES model_library_models (name) ON DELETE CASCADE,"
        " version VARCHAR(16) NOT NULL,"
        " data_path TEXT NOT NULL,"
        " job_id VARCHAR(32) NOT NULL,"
        " output TEXT NOT NULL,"
        " evaluation VARCHAR(64) NOT NULL,"
        " images INTEGER NOT NULL,"
        " created_by VARCHAR(256) NOT NULL,"
        " created_at TIMESTAMP NOT NULL)",
        "CREATE INDEX ix_model_library_predictions_version ON model_library_predictions (model, version)",
    ]
    for statement in statements:
        conn.execute(text(statement))


MIGRATIONS: list[Migration] = [
    _create_platform_meta,
    _create_jobs,
    _create_favorites,
    _add_job_origin,
    _add_job_submitted_at,
    _create_crowd,
    _index_labels_by_labeler_round,
    _create_deployments,
    _create_model_library,
]

LATEST_VERSION = len(MIGRATIONS)
