"""ORM models. A model's table is created by a migration, never by ``create_all``."""

import datetime as dt

from sqlalchemy import JSON, DateTime, Float, Integer, String, Text
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


class FavoriteRow(Base):
    """A module or dataset a user starred in the Modules & Datasets sidebar."""

    __tablename__ = "favorites"

    username: Mapped[str] = mapped_column(String(256), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
