"""Safe extraction: look at every entry first, refuse before writing anything, then write
into a hidden staging folder that becomes ``<archive name>/`` beside the archive at the end;
when every entry is inside one top folder (``photos/...``), that folder itself is put beside
the archive, not ``photos/photos/``.

Refused: names that leave the target (``..``, absolute paths, drive letters), links that
point outside it or through another link, hard links to anything but a file of the same
archive, device files and FIFOs, encrypted entries, and archive bombs (total size, count
and compression ratio limits). Non-ASCII names come out right (see ``archive_formats``).
"""

import os
import re
import shutil
import time
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InvalidInput
from ..settings import option_default
from .archive_formats import Entry, archive_stem, open_archive
from .atomic import fsync_folder

MB = 1024 * 1024
_SHOWN_PROBLEMS = 5
_PROGRESS_EVERY = 0.2

Progress = Callable[[int, int], None]  # bytes written, bytes expected


class ArchiveRefused(InvalidInput):
    """The archive is unsafe to extract; nothing was written."""


class ExtractionCancelled(Exception):
    pass


@dataclass(frozen=True)
class ExtractLimits:
    max_total_bytes: int = int(option_default("extract_max_total_mb") * MB)
    max_ratio: float = option_default("extract_max_ratio")
    max_files: int = option_default("extract_max_files")
    # Below this uncompressed size a high ratio is harmless (a small file of zeros).
    ratio_floor_bytes: int = 64 * MB


@dataclass(frozen=True)
class Extracted:
    archive: Path
    target: Path
    format: str
    tool: str
    files: int
    folders: int
    links: int
    bytes: int
    seconds: float

    def to_json(self, relative: Callable[[Path], str] = str) -> dict[str, Any]:
        return {
            "archive": relative(self.archive),
            "target": relative(self.target),
            "format": self.format,
            "tool": self.tool,
            "files": self.files,
            "folders": self.folders,
            "links": self.links,
            "bytes": self.bytes,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class Plan:
    entries: list[Entry] = field(default_factory=list)
    total: int = 0

    def count(self, kind: str) -> int:
        return sum(1 for entry in self.entries if entry.kind == kind)


class Extraction:
    """An archive opened and checked: an unsafe one is refused here, before anything is written."""

    def __init__(
        self,
        archive: Path,
        limits: ExtractLimits | None = None,
        *,
        parent: Path | None = None,
        name_encoding: str | None = None,
        tool: str = "auto",
    ) -> None:
        self._started = time.perf_counter()
        self.archive = archive
        self.limits = limits or ExtractLimits()
        stem = archive_stem(archive)
        if stem is None or not archive.is_file():
            raise InvalidInput(
                f"{archive.name} is not an archive file",
                "Extract a .zip, .7z, .tar, .tar.gz/.tgz, .tar.bz2 or .tar.xz file.",
            )
        self.parent = parent or archive.parent
        self._reader = open_archive(archive, name_encoding, tool)
        self._closed = False
        try:
            self.plan = check_entries(
                self._reader.entries(), archive.stat().st_size, self.limits, archive.name
            )
        except BaseException:
            self._reader.close()
            raise
        self.top_folder = single_top_folder(self.plan.entries)
        # The new folder's name (before ``_1``... when it is taken): the archive's top folder or stem.
        self.name = self.top_folder or stem

    def run(
        self,
        progress: Progress | None = None,
        cancelled: Callable[[], bool] = lambda: False,
        token: str | None = None,
    ) -> Extracted:
        """Write everything into a staging folder, then move it (or its top folder) to ``parent/name``.

        ``token`` names the staging folder (see ``staging_folder``): a record of the work
        can find what a killed server left behind.
        """
        reader, plan = self._reader, self.plan
        staging = staging_folder(self.parent, self.name, token or uuid.uuid4().hex[:8])
        try:
            staging.mkdir()
            sink = _Sink(plan.total, self.limits.max_total_bytes, progress, cancelled)
            for entry in plan.entries:
                if entry.kind == "dir":
                    (staging / entry.name).mkdir(parents=True, exist_ok=True)
            reader.extract(plan.entries, staging, sink.advance)
            if reader.format != "7z":  # the 7z tools make their own links
                _make_links(plan.entries, staging)
            _verify_tree(staging, self.archive.name)
            target = _free_name(self.parent, self.name)
            if self.top_folder is None:
                os.rename(staging, target)
            else:
                os.rename(staging / self.top_folder, target)
                staging.rmdir()
            fsync_folder(self.parent)  # the new folder's entry survives a crash, as atomic writes' do
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        finally:
            self.close()
        return Extracted(
            archive=self.archive,
            target=target,
            format=reader.format,
            tool=reader.tool,
            files=plan.count("file"),
            folders=plan.count("dir"),
            links=plan.count("symlink") + plan.count("hardlink"),
            bytes=plan.total,
            seconds=time.perf_counter() - self._started,
        )

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._reader.close()


def extract_archive(
    archive: Path,
    limits: ExtractLimits | None = None,
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] = lambda: False,
    parent: Path | None = None,
    name_encoding: str | None = None,
    tool: str = "auto",
) -> Extracted:
    """Extract ``archive`` into a new folder named after it (in ``parent``, default beside it)."""
    extraction = Extraction(archive, limits, parent=parent, name_encoding=name_encoding, tool=tool)
    return extraction.run(progress, cancelled)


def check_entries(entries: list[Entry], archive_size: int, limits: ExtractLimits, label: str) -> Plan:
    """The cleaned entries to write, or ``ArchiveRefused`` naming every problem found."""
    plan = Plan()
    problems: list[str] = []
    kinds: dict[str, str] = {}
    for entry in entries:
        name, problem = clean_name(entry.name)
        if problem:
            problems.append(f"{entry.name!r} {problem}")
            continue
        if name is None:
            continue  # the archive's own root ("./")
        if entry.kind == "special":
            what = "is encrypted" if entry.link == "encrypted" else "is a device file, FIFO or socket"
            problems.append(f"{name!r} {what}")
            continue
        if kinds.get(name, entry.kind) != entry.kind or (entry.kind != "dir" and name in kinds):
            problems.append(f"{name!r} appears twice")
            continue
        kinds[name] = entry.kind
        plan.entries.append(Entry(name, entry.kind, entry.size, entry.link, entry.mode, entry.key))
        plan.total += entry.size if entry.kind == "file" else 0
    problems += _structure_problems(plan.entries, kinds)
    if problems:
        shown = "; ".join(problems[:_SHOWN_PROBLEMS])
        more = f" (and {len(problems) - _SHOWN_PROBLEMS} more)" if len(problems) > _SHOWN_PROBLEMS else ""
        raise ArchiveRefused(
            f"Refused to extract {label}: unsafe entries ({len(problems)})",
            f"{shown}{more}. Nothing was written.",
        )
    _check_bomb(plan, archive_size, limits, label)
    return plan


def clean_name(raw: str) -> tuple[str | None, str | None]:
    """(the relative ``/``-separated name, None) or (None, what is wrong with it)."""
    name = raw.replace("\\", "/")  # Windows tools write backslashes; unzip reads them as folders
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        return None, "contains a control character"
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return None, "is an absolute path"
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if ".." in parts:
        return None, "leaves the target folder ('..')"
    return ("/".join(parts) or None), None


def single_top_folder(entries: list[Entry]) -> str | None:
    """The one folder every entry is in (``photos`` for ``photos/a.jpg``, ``photos/b.jpg``), or None.

    None too when a symbolic link reaches out of that folder: it would point elsewhere once the
    folder is moved up (and renamed ``photos_1`` when ``photos`` is taken).
    """
    tops = {entry.name.split("/", 1)[0] for entry in entries}
    if len(tops) != 1:
        return None
    top = tops.pop()
    if any(entry.name == top and entry.kind != "dir" for entry in entries):
        return None  # a single file or link, not a folder
    if any(entry.kind == "symlink" and not _link_stays_in(entry) for entry in entries):
        return None
    return top


def _link_stays_in(entry: Entry) -> bool:
    """Whether the link's target, followed from the link's folder, stays below its top folder."""
    stack = entry.name.split("/")[:-1]
    for part in (part for part in entry.link.split("/") if part not in ("", ".")):
        if part == "..":
            stack.pop()
            if not stack:
                return False
        else:
            stack.append(part)
    return True


def _structure_problems(entries: list[Entry], kinds: dict[str, str]) -> list[str]:
    problems = []
    links = {name for name, kind in kinds.items() if kind == "symlink"}
    for entry in entries:
        parents = _prefixes(entry.name)
        through = next((p for p in parents if p in links), None)
        clash = next((p for p in parents if kinds.get(p, "dir") != "dir"), None)
        if through is not None:
            problems.append(f"{entry.name!r} would be written through the link {through!r}")
        elif clash is not None:
            problems.append(f"{entry.name!r} needs {clash!r} to be a folder")
        elif entry.kind == "symlink":
            problem = _symlink_problem(entry, links)
            if problem:
                problems.append(f"{entry.name!r} is a symbolic link to {entry.link!r}, {problem}")
        elif entry.kind == "hardlink":
            target, bad = clean_name(entry.link)
            if bad or target is None or kinds.get(target) != "file":
                problems.append(
                    f"{entry.name!r} is a hard link to {entry.link!r}, which is not a file of this archive"
                )
    return problems


def _symlink_problem(entry: Entry, links: set[str]) -> str | None:
    target = entry.link
    if not target or target.startswith("/") or "\\" in target or re.match(r"^[A-Za-z]:", target):
        return "an absolute or empty path"
    stack = entry.name.split("/")[:-1]
    steps = [part for part in target.split("/") if part not in ("", ".")]
    for position, part in enumerate(steps):
        if part == "..":
            if not stack:
                return "outside the target folder"
            stack.pop()
        else:
            stack.append(part)
        # Through another link, the real path is no longer the one spelled here.
        if position < len(steps) - 1 and "/".join(stack) in links:
            return "which goes through another link"
    return None


def _prefixes(name: str) -> list[str]:
    parts = name.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts))]


def _check_bomb(plan: Plan, archive_size: int, limits: ExtractLimits, label: str) -> None:
    files = len(plan.entries)
    if files > limits.max_files:
        raise ArchiveRefused(
            f"Refused to extract {label}: {files:,} entries, above the limit of {limits.max_files:,}",
            "Nothing was written. The server's extract limits are configurable.",
        )
    if plan.total > limits.max_total_bytes:
        raise ArchiveRefused(
            f"Refused to extract {label}: it would expand to {plan.total / MB:,.1f} MB, above the "
            f"limit of {limits.max_total_bytes / MB:,.0f} MB",
            "Nothing was written. The server's extract limits are configurable.",
        )
    ratio = plan.total / max(archive_size, 1)
    if plan.total > limits.ratio_floor_bytes and ratio > limits.max_ratio:
        raise ArchiveRefused(
            f"Refused to extract {label}: it expands {ratio:,.0f} times ({plan.total / MB:,.1f} MB from "
            f"{archive_size / MB:,.1f} MB), above the limit of {limits.max_ratio:g}: "
            "it looks like an archive bomb",
            "Nothing was written. The server's extract limits are configurable.",
        )


def _make_links(entries: list[Entry], staging: Path) -> None:
    for entry in entries:
        if entry.kind not in ("symlink", "hardlink"):
            continue
        path = staging / entry.name
        path.parent.mkdir(parents=True, exist_ok=True)
        if entry.kind == "symlink":
            os.symlink(entry.link, path)
        else:
            os.link(staging / (clean_name(entry.link)[0] or ""), path, follow_symlinks=False)


def _verify_tree(staging: Path, label: str) -> None:
    """Whatever wrote the files, nothing in the result may reach outside it."""
    root = staging.resolve()
    for folder, dirs, files in os.walk(staging):
        for name in dirs + files:
            path = Path(folder, name)
            if path.is_symlink():
                real = path.resolve()
                if real != root and not str(real).startswith(str(root) + os.sep):
                    raise ArchiveRefused(
                        f"Refused to extract {label}: {path.relative_to(staging)} links outside the target",
                        "Nothing was kept.",
                    )
            elif not (path.is_dir() or path.is_file()):
                raise ArchiveRefused(
                    f"Refused to extract {label}: {path.relative_to(staging)} is not a file or folder",
                    "Nothing was kept.",
                )


def staging_folder(parent: Path, name: str, token: str) -> Path:
    """The hidden folder an extraction into ``parent/name`` writes before it is moved into place."""
    return parent / f".{name}.extracting-{token}"


def _free_name(parent: Path, stem: str) -> Path:
    candidate, number = parent / stem, 1
    while candidate.exists() or candidate.is_symlink():
        candidate, number = parent / f"{stem}_{number}", number + 1
    return candidate


class _Sink:
    def __init__(
        self, total: int, limit: int, progress: Progress | None, cancelled: Callable[[], bool]
    ) -> None:
        self.total, self.done, self._limit = total, 0, limit
        self._progress, self._cancelled = progress, cancelled
        self._reported = 0.0

    def advance(self, count: int) -> None:
        self.done += count
        if self.done > self._limit:
            raise ArchiveRefused(
                "The archive holds more data than the extract limit allows",
                "Nothing was kept. The server's extract limits are configurable.",
            )
        now = time.monotonic()
        if now - self._reported >= _PROGRESS_EVERY:
            self._reported = now
            if self._cancelled():
                raise ExtractionCancelled()
            if self._progress is not None:
                self._progress(self.done, self.total)
