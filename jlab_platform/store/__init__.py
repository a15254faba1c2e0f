"""The platform's embedded store: SQLAlchemy 2 over SQLite (WAL) by default."""

from .db import Store

__all__ = ["Store"]
