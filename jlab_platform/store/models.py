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
