"""ORM models. A model's table is created by a migration, never by ``create_all``."""

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class SchemaVersion(Base):
    """One row: the number of the last migration applied."""

    __tablename__ = "schema_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)


class PlatformMeta(Base):
    """Facts about the store itself (who created it, which version opened it last)."""

    __tablename__ = "platform_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(1024), nullable=False)


class JobRow(Base):
    """A job: what to run, where it stands, and how to find its processes again."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(256), nullable=False)
    env: Mapped[str] = mapped_column(String(16), nullable=False)
    script: Mapped[str] = mapped_column(Text, nullable=False)
    args: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    status: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False, index=True)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    exit_code: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)
    gpu: Mapped[str | None] = mapped_column(String(32))
    snapshot_id: Mapped[str | None] = mapped_column(String(32), index=True)
    snapshot_deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    restarted_from: Mapped[str | None] = mapped_column(String(32))
    commit: Mapped[str | None] = mapped_column(String(64))
    kernel_id: Mapped[str | None] = mapped_column(String(64))
    supervisor_pid: Mapped[int | None] = mapped_column(Integer)
    supervisor_started: Mapped[float | None] = mapped_column(Float)
    pgid: Mapped[int | None] = mapped_column(Integer)
    outputs: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    origin: Mapped[str | None] = mapped_column(String(512), index=True)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class FavoriteRow(Base):
    """A module or dataset a user starred in the Modules & Datasets sidebar."""

    __tablename__ = "favorites"

    username: Mapped[str] = mapped_column(String(256), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class CrowdTaskRow(Base):
    """A labeling task: a dataset, the module that scores its samples, and where the rounds stand."""

    __tablename__ = "crowd_tasks"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(256), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    dataset: Mapped[str] = mapped_column(Text, nullable=False, index=True)
    module: Mapped[str] = mapped_column(Text, nullable=False)
    module_format: Mapped[str] = mapped_column(String(16), nullable=False)
    classes: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    max_choose: Mapped[int] = mapped_column(Integer, nullable=False)
    overlap: Mapped[int] = mapped_column(Integer, nullable=False)
    strategy: Mapped[str] = mapped_column(String(32), nullable=False)
    seed: Mapped[int] = mapped_column(Integer, nullable=False)
    max_rounds: Mapped[int] = mapped_column(Integer, nullable=False)
    env: Mapped[str] = mapped_column(String(16), nullable=False)
    train_options: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False)
    round: Mapped[int] = mapped_column(Integer, nullable=False)
    error: Mapped[str | None] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(256), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_incomplete: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class CrowdRoundRow(Base):
    """One active-learning round: the scoring job, then labeling of the samples it selected."""

    __tablename__ = "crowd_rounds"

    task_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("crowd_tasks.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    ready_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    scored: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    selected: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    done: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    labels: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    needed: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    notes: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)


class CrowdSampleRow(Base):
    """A sample selected for labeling in a round (a path relative to the task's dataset)."""

    __tablename__ = "crowd_samples"
    __table_args__ = (UniqueConstraint("task_id", "path"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    task_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("crowd_tasks.id", ondelete="CASCADE"), nullable=False
    )
    round: Mapped[int] = mapped_column(Integer, nullable=False)
    path: Mapped[str] = mapped_column(Text, nullable=False)
    rank: Mapped[int] = mapped_column(Integer, nullable=False)
    score: Mapped[float] = mapped_column(Float, nullable=False)
    wanted: Mapped[int] = mapped_column(Integer, nullable=False)
    label_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class CrowdLabelerRow(Base):
    """Someone who labels a task: an invited person (token stored hashed) or the owner."""

    __tablename__ = "crowd_labelers"
    __table_args__ = (UniqueConstraint("task_id", "kind", "name"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    task_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("crowd_tasks.id", ondelete="CASCADE"), nullable=False
    )
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    kind: Mapped[str] = mapped_column(String(8), nullable=False)
    token_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    invited_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class CrowdLabelRow(Base):
    """One label given by one labeler; undo retracts it (the row stays for idempotency)."""

    __tablename__ = "crowd_labels"
    __table_args__ = (UniqueConstraint("labeler_id", "request_key"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    task_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("crowd_tasks.id", ondelete="CASCADE"), nullable=False
    )
    round: Mapped[int] = mapped_column(Integer, nullable=False)
    sample_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("crowd_samples.id", ondelete="CASCADE"), nullable=False
    )
    labeler_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("crowd_labelers.id", ondelete="CASCADE"), nullable=False
    )
    label: Mapped[str] = mapped_column(String(256), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    request_key: Mapped[str | None] = mapped_column(String(64))
    retracted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class CrowdLeaseRow(Base):
    """A sample handed to a labeler until ``expires_at`` (epoch seconds, so a restart keeps it)."""

    __tablename__ = "crowd_leases"

    sample_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("crowd_samples.id", ondelete="CASCADE"), primary_key=True
    )
    labeler_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("crowd_labelers.id", ondelete="CASCADE"), primary_key=True
    )
    task_id: Mapped[str] = mapped_column(String(32), nullable=False)
    leased_at: Mapped[float] = mapped_column(Float, nullable=False)
    expires_at: Mapped[float] = mapped_column(Float, nullable=False)


class CrowdSkipRow(Base):
    """A sample a labeler skipped: never offered to that labeler again."""

    __tablename__ = "crowd_skips"

    sample_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("crowd_samples.id", ondelete="CASCADE"), primary_key=True
    )
    labeler_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("crowd_labelers.id", ondelete="CASCADE"), primary_key=True
    )
    task_id: Mapped[str] = mapped_column(String(32), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class DeploymentRow(Base):
    """One deployment of a name: what it serves (its snapshot), where, and how to find its process."""

    __tablename__ = "deployments"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    source: Mapped[str] = mapped_column(Text, nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    module: Mapped[str | None] = mapped_column(String(128))
    checkpoint: Mapped[str | None] = mapped_column(String(255))
    commit: Mapped[str | None] = mapped_column(String(64))
    uncommitted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    model_version: Mapped[str | None] = mapped_column(String(256))
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    reason: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    backend: Mapped[str] = mapped_column(String(16), nullable=False)
    host: Mapped[str] = mapped_column(String(256), nullable=False)
    port: Mapped[int] = mapped_column(Integer, nullable=False)
    workers: Mapped[int] = mapped_column(Integer, nullable=False)
    batch_max_size: Mapped[int] = mapped_column(Integer, nullable=False)
    batch_window_ms: Mapped[float] = mapped_column(Float, nullable=False)
    snapshot_id: Mapped[str] = mapped_column(String(32), nullable=False)
    rolled_back_from: Mapped[str | None] = mapped_column(String(32))
    created_by: Mapped[str | None] = mapped_column(String(256))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    stopped_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    supervisor_pid: Mapped[int | None] = mapped_column(Integer)
    supervisor_started: Mapped[float | None] = mapped_column(Float)
    inputs: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False, default=list)
    outputs: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False, default=list)


class DeploymentKeyRow(Base):
    """An API key of a deployment name: only its sha256 is kept."""

    __tablename__ = "deployment_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    digest: Mapped[str] = mapped_column(String(64), nullable=False)
    prefix: Mapped[str] = mapped_column(String(16), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class ModelRow(Base):
    """A named model of the model library: its template, bound data paths and training config."""

    __tablename__ = "model_library_models"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    template: Mapped[str] = mapped_column(String(128), nullable=False)
    template_version: Mapped[str] = mapped_column(String(64), nullable=False)
    task: Mapped[str] = mapped_column(String(64), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    data_paths: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    fixed_data_paths: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    config: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    created_by: Mapped[str] = mapped_column(String(256), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    updated_by: Mapped[str] = mapped_column(String(256), nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class ModelTrainingRow(Base):
    """A training task of a model: the job running it now (and those before it), what it trains on."""

    __tablename__ = "model_library_trainings"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    model: Mapped[str] = mapped_column(
        String(60), ForeignKey("model_library_models.name", ondelete="CASCADE"), nullable=False
    )
    job_id: Mapped[str] = mapped_column(String(32), nullable=False)
    job_ids: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    template_version: Mapped[str] = mapped_column(String(64), nullable=False)
    data_paths: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    config: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    env: Mapped[str] = mapped_column(String(16), nullable=False)
    from_version: Mapped[str | None] = mapped_column(String(16))
    version: Mapped[str | None] = mapped_column(String(16))
    created_by: Mapped[str] = mapped_column(String(256), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class ModelVersionRow(Base):
    """An immutable published version ``major.minor`` (shown X.YY) and everything that made it."""

    __tablename__ = "model_library_versions"
    __table_args__ = (UniqueConstraint("model", "major", "minor"),)

    model: Mapped[str] = mapped_column(
        String(60), ForeignKey("model_library_models.name", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[str] = mapped_column(String(16), primary_key=True)
    major: Mapped[int] = mapped_column(Integer, nullable=False)
    minor: Mapped[int] = mapped_column(Integer, nullable=False)
    template: Mapped[str] = mapped_column(String(128), nullable=False)
    template_version: Mapped[str] = mapped_column(String(64), nullable=False)
    task: Mapped[str] = mapped_column(String(64), nullable=False)
    commit: Mapped[str | None] = mapped_column(String(64))
    training_id: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    job_id: Mapped[str] = mapped_column(String(32), nullable=False)
    data_paths: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    data_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    images: Mapped[int] = mapped_column(Integer, nullable=False)
    config: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    files: Mapped[dict[str, str]] = mapped_column(JSON, nullable=False)
    checkpoint_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    checkpoint_bytes: Mapped[int] = mapped_column(Integer, nullable=False)  # BIGINT in the table
    metrics: Mapped[dict[str, float]] = mapped_column(JSON, nullable=False)
    evaluation: Mapped[str | None] = mapped_column(String(64))
    published_by: Mapped[str] = mapped_column(String(256), nullable=False)
    published_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class ModelAliasRow(Base):
    """Where an alias of a model points now."""

    __tablename__ = "model_library_aliases"

    model: Mapped[str] = mapped_column(
        String(60), ForeignKey("model_library_models.name", ondelete="CASCADE"), primary_key=True
    )
    alias: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[str] = mapped_column(String(16), nullable=False)
    set_by: Mapped[str] = mapped_column(String(256), nullable=False)
    set_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class ModelAliasMoveRow(Base):
    """One move of an alias (append-only): created (from null), moved, or deleted (to null)."""

    __tablename__ = "model_library_alias_moves"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    model: Mapped[str] = mapped_column(
        String(60), ForeignKey("model_library_models.name", ondelete="CASCADE"), nullable=False
    )
    alias: Mapped[str] = mapped_column(String(64), nullable=False)
    from_version: Mapped[str | None] = mapped_column(String(16))
    to_version: Mapped[str | None] = mapped_column(String(16))
    moved_by: Mapped[str] = mapped_column(String(256), nullable=False)
    moved_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class ModelPredictionRow(Base):
    """A batch prediction of a version over a data path, run as a job into an evaluation folder."""

    __tablename__ = "model_library_predictions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    model: Mapped[str] = mapped_column(
        String(60), ForeignKey("model_library_models.name", ondelete="CASCADE"), nullable=False
    )
    version: Mapped[str] = mapped_column(String(16), nullable=False)
    data_path: Mapped[str] = mapped_column(Text, nullable=False)
    job_id: Mapped[str] = mapped_column(String(32), nullable=False)
    output: Mapped[str] = mapped_column(Text, nullable=False)
    evaluation: Mapped[str] = mapped_column(String(64), nullable=False)
    images: Mapped[int] = mapped_column(Integer, nullable=False)
    created_by: Mapped[str] = mapped_column(String(256), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
