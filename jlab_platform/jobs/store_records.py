"""Job state written to the store by whichever process knows it (server or supervisor)."""

from collections.abc import Callable

from ..store import Store
from ..store.models import JobRow
from ..timeutil import parse_iso
from .records import ExitRecord
from .states import ENDED


def record_pgid(db_url: str, job_id: str, pgid: int) -> None:
    _update(db_url, job_id, lambda row: setattr(row, "pgid", pgid))


def record_exit(db_url: str, job_id: str, record: ExitRecord) -> None:
    _update(db_url, job_id, lambda row: apply_exit(row, record))


def apply_exit(row: JobRow, record: ExitRecord) -> bool:
    """Write ``record`` onto ``row`` unless it already ended; True when it changed."""
    if row.status in ENDED:
        return False
    row.status = record.status
    row.exit_code = record.exit_code
    row.reason = record.reason
    row.finished_at = parse_iso(record.finished_at)
    if row.started_at is None and record.started_at:
        row.started_at = parse_iso(record.started_at)
    return True


def _update(db_url: str, job_id: str, change: Callable[[JobRow], object]) -> None:
    """Apply ``change`` to the job's row from a process that has no store of its own open."""
    store = Store(db_url)
    try:
        with store.session() as session:
            row = session.get(JobRow, job_id)
            if row is not None:
                change(row)
    finally:
        store.dispose()
