"""Captured cell output as the server sees it: list, read back as nbformat outputs, delete.

Kernels write the captures (``jlab_platform.kernel.capture``); this side only reads them and
deletes those that have ended.
"""

from pathlib import Path

from ..errors import Conflict, InvalidInput
from .models import Capture, CaptureList, CaptureSummary
from .outputs import replay
from .states import RUNNING
from .store import (
    CaptureMeta,
    capture_folder,
    folder_size,
    load_blob,
    modified_at,
    read_meta,
    read_records,
    remove_folder,
    state_of,
)


class CaptureService:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    def list_captures(self, notebook: str | None = None, limit: int = 100, offset: int = 0) -> CaptureList:
        """Captures, newest first; only those of ``notebook`` (root-relative) when given."""
        if not 0 <= limit <= 1000 or offset < 0:
            raise InvalidInput(
                "limit must be 0..1000 and offset at least 0", f"Got limit={limit}, offset={offset}."
            )
        found: list[tuple[CaptureMeta, Path]] = []
        for folder in self._folders():
            meta = read_meta(folder)
            if meta is not None and (notebook is None or meta.notebook == notebook):
                found.append((meta, folder))
        found.sort(key=lambda item: item[0].started_at, reverse=True)
        page = found[offset : offset + limit]
        # Kernels ask for the directory once and write their captures there themselves.
        return CaptureList(
            directory=str(self.directory),
            captures=[summary(meta, folder) for meta, folder in page],
            total=len(found),
        )

    def get(self, name: str) -> Capture:
        folder = capture_folder(self.directory, name)
        meta = self._meta(folder)
        restored = replay(read_records(folder), lambda ref: load_blob(folder, ref))
        return Capture(**dict(summary(meta, folder)), outputs=restored.outputs, notes=restored.notes)

    def delete(self, name: str) -> None:
        folder = capture_folder(self.directory, name)
        meta = self._meta(folder)
        state, _ = state_of(meta)
        if state == RUNNING:
            raise Conflict(
                f"Capture {name!r} is still running (kernel pid {meta.pid})",
                "Wait for its cell to finish, or interrupt or stop that kernel first.",
            )
        remove_folder(folder)

    def _folders(self) -> list[Path]:
        try:
            return [p for p in self.directory.iterdir() if p.is_dir() and not p.name.startswith(".")]
        except FileNotFoundError:
            return []

    def _meta(self, folder: Path) -> CaptureMeta:
        meta = read_meta(folder)
        if meta is None:
            raise Conflict(
                f"Capture {folder.name!r} has no readable meta.json",
                "It is being replaced right now; try again in a moment.",
            )
        return meta


def summary(meta: CaptureMeta, folder: Path) -> CaptureSummary:
    state, reason = state_of(meta)
    return CaptureSummary(
        name=meta.name,
        notebook=meta.notebook,
        cell_id=meta.cell_id,
        kernel_id=meta.kernel_id,
        source=meta.source,
        state=state,
        reason=reason,
        started_at=meta.started_at,
        finished_at=meta.finished_at,
        updated_at=modified_at(folder),
        size=folder_size(folder),
    )
