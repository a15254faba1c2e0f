"""Quotas on what jobs keep: how many may wait, and the disk their snapshots take.

Jobs record the server that submitted them (``origin``) and a JupyterLab server is one
person's, so "per user" counts this server's jobs. A limit of 0 means none.
"""

import os
import shutil
import threading
from pathlib import Path

from ..errors import Conflict
from .models import SnapshotUsage
from .snapshot import ExcludeRules, folder_bytes, take_snapshot
from .views import human_bytes

MIB = 2**20


def check_pending(pending: int, limit: int) -> None:
    if limit and pending >= limit:
        raise Conflict(
            f"{pending} jobs are already waiting to run, the limit of "
            "c.JlabPlatform.max_pending_jobs_per_user",
            "Wait for some of them to start, or terminate pending jobs you no longer need.",
        )


class SnapshotSpace:
    """The snapshots folder: each snapshot measured once when it is taken (the ones already
    on disk at first use), so showing the total never walks the disk."""

    def __init__(self, folder: Path, limit_bytes: int, retention_days: float) -> None:
        self.folder = folder
        self.limit_bytes = limit_bytes
        self._retention_days = retention_days
        self._sizes: dict[str, int] | None = None
        self._lock = threading.Lock()

    def usage(self) -> SnapshotUsage:
        """Bytes taken by snapshots, and the limit (None: no limit)."""
        with self._lock:
            used = sum(self._measured().values())
        return SnapshotUsage(used_bytes=used, limit_bytes=self.limit_bytes or None)

    def take(self, snapshot_id: str, root: Path, rules: ExcludeRules) -> list[str]:
        """Copy ``root`` as snapshot ``snapshot_id`` within the limit; return what vanished meanwhile."""
        limit = self.limit_bytes
        used = self.usage().used_bytes
        if limit and used >= limit:
            raise self._over(f"Job snapshots already take {human_bytes(used)}")
        target = self.folder / snapshot_id
        vanished = take_snapshot(root, target, rules)
        size = folder_bytes(target)
        with self._lock:
            sizes = self._measured()
            used = sum(sizes.values())
            if not limit or used + size <= limit:
                sizes[snapshot_id] = size
                return vanished
        shutil.rmtree(target, ignore_errors=True)
        raise self._over(
            f"This job's snapshot ({human_bytes(size)}) would take job snapshots past "
            f"{human_bytes(limit)} ({human_bytes(used)} in use)"
        )

    def remove(self, snapshot_id: str) -> None:
        shutil.rmtree(self.folder / snapshot_id, ignore_errors=True)
        with self._lock:
            self._measured().pop(snapshot_id, None)

    def _measured(self) -> dict[str, int]:
        """Bytes per snapshot (call with the lock held)."""
        if self._sizes is None:
            self._sizes = {
                entry.name: folder_bytes(Path(entry.path))
                for entry in os.scandir(self.folder)
                if entry.is_dir(follow_symlinks=False) and not entry.name.endswith(".partial")
            }
        return self._sizes

    def _over(self, message: str) -> Conflict:
        return Conflict(
            f"{message}, the limit of c.JlabPlatform.max_snapshot_total_mb",
            "Delete finished jobs you no longer need (their snapshots go with them), or wait: "
            f"snapshots are deleted {self._retention_days:g} days after their jobs end. "
            "List large data folders in .jobignore to keep them out of snapshots.",
        )
