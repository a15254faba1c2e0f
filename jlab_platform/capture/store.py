"""The on-disk form of a capture, written by the kernel and read by the server.

::

    <captures>/<name>/
      meta.json       who writes it (pid, host, kernel), notebook, cell, started/finished, state
      records.jsonl   one output event per line, appended and flushed as it happens
      blobs/<sha256>  images (decoded) and very large texts, each content written once

Records are only ever appended, and ``meta.json`` is replaced atomically, so a kernel killed
at any moment leaves a readable capture: every complete line is an event, and a capture whose
meta still says ``running`` while its writer's process is gone did not finish.
"""

import base64
import binascii
import datetime as dt
import hashlib
import json
import os
import shutil
import socket
import time
import uuid
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import psutil

from ..errors import Conflict, NotFound
from ..files.atomic import write_atomic, write_json_atomic
from .names import check_name
from .states import INCOMPLETE, RUNNING, CaptureState

FORMAT = 1
META_FILE = "meta.json"
RECORDS_FILE = "records.jsonl"
BLOBS_DIR = "blobs"
# Mime types whose values travel base64-encoded: stored decoded, as the bytes they are.
BINARY_MIMES = frozenset(
    {"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp", "application/pdf"}
)
TEXT_BLOB_BYTES = 64 * 1024
FSYNC_SECONDS = 1.0
LOST_WRITER = "the kernel process ended while the cell was running (it was killed, crashed or restarted)"


@dataclass(frozen=True)
class CaptureMeta:
    name: str
    started_at: str
    pid: int
    pid_started: float | None
    host: str
    notebook: str | None = None
    cell_id: str | None = None
    kernel_id: str | None = None
    source: str = ""
    state: CaptureState = RUNNING
    reason: str | None = None
    finished_at: str | None = None
    format: int = FORMAT

    @classmethod
    def for_this_process(cls, name: str, **fields: Any) -> "CaptureMeta":
        pid = os.getpid()
        return cls(
            name=name,
            started_at=now_iso(),
            pid=pid,
            pid_started=process_started(pid),
            host=socket.gethostname(),
            **fields,
        )

    @classmethod
    def from_json(cls, payload: dict[str, Any]) -> "CaptureMeta":
        known = {key: payload[key] for key in cls.__dataclass_fields__ if key in payload}
        return cls(**known)


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def process_started(pid: int) -> float | None:
    try:
        return psutil.Process(pid).create_time()
    except psutil.Error:
        return None


def writer_alive(meta: CaptureMeta) -> bool:
    """Whether the process that writes this capture still runs (the same process, not a reused pid)."""
    if meta.host != socket.gethostname():
        return True  # another machine's process: we cannot tell, so trust the meta
    started = process_started(meta.pid)
    if started is None:
        return False
    return meta.pid_started is None or abs(started - meta.pid_started) < 1.0


def state_of(meta: CaptureMeta) -> tuple[CaptureState, str | None]:
    """The capture's state and, when it did not finish, why (as far as it is known)."""
    if meta.state != RUNNING:
        return meta.state, meta.reason
    if writer_alive(meta):
        return RUNNING, None
    return INCOMPLETE, LOST_WRITER


class CaptureWriter:
    """Appends a capture's records; one writer per capture, used under its owner's lock."""

    def __init__(self, folder: Path, meta: CaptureMeta) -> None:
        self.folder = folder
        self.meta = meta
        (folder / BLOBS_DIR).mkdir(parents=True, exist_ok=True)
        write_json_atomic(folder / META_FILE, asdict(meta), private=True)
        self._records = open(folder / RECORDS_FILE, "ab")
        self._blobs: set[str] = set()
        self._started = time.monotonic()
        self._synced = self._started
        self._dirty = False

    @classmethod
    def create(cls, root: Path, meta: CaptureMeta) -> "CaptureWriter":
        """Start capture ``meta.name`` under ``root``, replacing an earlier one that has ended."""
        folder = root / check_name(meta.name)
        if folder.exists():
            old = read_meta(folder)
            if old is not None and state_of(old)[0] == RUNNING and old.pid != meta.pid:
                raise Conflict(
                    f"Capture {meta.name!r} is still being written by another kernel (pid {old.pid})",
                    "Choose another name, or wait until that cell has finished.",
                )
            remove_folder(folder)
        return cls(folder, meta)

    def append(self, record: dict[str, Any]) -> None:
        record["t"] = round(time.monotonic() - self._started, 3)
        if isinstance(record.get("data"), dict):
            record["data"] = self._externalise(record["data"])
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        self._records.write(line.encode("utf-8", "surrogatepass"))
        self._records.flush()
        self._dirty = True

    def sync(self, force: bool = False) -> None:
        """fsync the records when they changed, at most once per ``FSYNC_SECONDS`` unless forced."""
        now = time.monotonic()
        if self._records.closed:
            return
        if self._dirty and (force or now - self._synced >= FSYNC_SECONDS):
            os.fsync(self._records.fileno())
            self._synced, self._dirty = now, False

    def finish(self, state: CaptureState, reason: str | None = None) -> None:
        ended = state != INCOMPLETE
        self.meta = replace(self.meta, state=state, reason=reason, finished_at=now_iso() if ended else None)
        if not self._records.closed:
            self.sync(force=True)
            self._records.close()
        write_json_atomic(self.folder / META_FILE, asdict(self.meta), private=True)

    def _externalise(self, data: dict[str, Any]) -> dict[str, Any]:
        """Big payloads go to ``blobs/`` once per content; the record keeps ``{"$blob": sha256}``."""
        out: dict[str, Any] = {}
        for mime, value in data.items():
            payload, encoding = _blob_payload(mime, value)
            if payload is None:
                out[mime] = value
                continue
            digest = hashlib.sha256(payload).hexdigest()
            if digest not in self._blobs:
                path = self.folder / BLOBS_DIR / digest
                if not path.exists():
                    # Unsynced: a blob lost in a crash reads as missing (load_blob), and an fsync
                    # per image would slow the cell that prints them.
                    write_atomic(path, payload, sync=False)
                self._blobs.add(digest)
            out[mime] = {"$blob": digest, "encoding": encoding}
        return out


def _blob_payload(mime: str, value: Any) -> tuple[bytes | None, str]:
    if not isinstance(value, str):
        return None, ""
    if mime in BINARY_MIMES:
        try:
            return base64.b64decode("".join(value.split()), validate=True), "base64"
        except (binascii.Error, ValueError):
            pass  # not base64 after all: keep it as the text it is
    if len(value) >= TEXT_BLOB_BYTES:
        return value.encode("utf-8", "surrogatepass"), "text"
    return None, ""


def read_meta(folder: Path) -> CaptureMeta | None:
    try:
        payload = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        return CaptureMeta.from_json(payload)
    except (OSError, ValueError, TypeError):
        return None


def read_records(folder: Path) -> list[dict[str, Any]]:
    """Every complete record; a line cut short by a crash (the last one) is left out."""
    try:
        content = (folder / RECORDS_FILE).read_bytes()
    except FileNotFoundError:
        return []
    complete = content[: content.rfind(b"\n") + 1]
    try:
        # One parse of all lines as a JSON array is several times faster than one per line.
        records = json.loads(b"[" + complete.rstrip(b"\n").replace(b"\n", b",") + b"]")
    except ValueError:  # a damaged line somewhere: take the lines one by one
        records = [_parsed(line) for line in complete.splitlines()]
    return [record for record in records if isinstance(record, dict)]


def _parsed(line: bytes) -> Any:
    try:
        return json.loads(line)
    except ValueError:
        return None


def load_blob(folder: Path, ref: dict[str, Any]) -> str | None:
    """The value a ``{"$blob": ...}`` reference stands for, or None when the blob is missing."""
    digest = str(ref.get("$blob", ""))
    if len(digest) != 64 or not all(ch in "0123456789abcdef" for ch in digest):
        return None
    try:
        payload = (folder / BLOBS_DIR / digest).read_bytes()
    except OSError:
        return None
    if ref.get("encoding") == "base64":
        return base64.b64encode(payload).decode("ascii")
    return payload.decode("utf-8", "surrogatepass")


def capture_folder(root: Path, name: str) -> Path:
    """The folder of an existing capture; ``NotFound`` when there is none."""
    folder = root / check_name(name)
    if not (folder / META_FILE).is_file():
        raise NotFound(
            f"No capture named {name!r}",
            "List the captures (GET /outputs or the Platform panel) to see the names that exist.",
        )
    return folder


def folder_size(folder: Path) -> int:
    total = 0
    for path in (folder / META_FILE, folder / RECORDS_FILE):
        total += _size(path)
    try:
        with os.scandir(folder / BLOBS_DIR) as blobs:
            total += sum(entry.stat().st_size for entry in blobs if entry.is_file())
    except OSError:
        pass
    return total


def modified_at(folder: Path) -> str | None:
    """When the capture last changed: its last record, or its meta."""
    times = []
    for path in (folder / RECORDS_FILE, folder / META_FILE):
        try:
            times.append(path.stat().st_mtime)
        except OSError:
            continue
    if not times:
        return None
    return dt.datetime.fromtimestamp(max(times), dt.UTC).isoformat(timespec="milliseconds")


def remove_folder(folder: Path) -> None:
    """Delete a capture; renamed first so that readers never see half of it."""
    doomed = folder.with_name(f".deleted-{folder.name}-{uuid.uuid4().hex[:8]}")
    try:
        os.replace(folder, doomed)
    except FileNotFoundError:
        return
    shutil.rmtree(doomed, ignore_errors=True)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
