"""A job's append-only log: read in byte ranges, never splitting a UTF-8 character; the
platform's own notes appended as lines."""

import os
from dataclasses import dataclass
from pathlib import Path

MAX_CHUNK = 16 * 1024 * 1024


@dataclass(frozen=True)
class LogChunk:
    data: str
    offset: int
    next_offset: int
    size: int


def read_chunk(path: Path, offset: int, max_bytes: int) -> LogChunk:
    """Bytes ``[offset, offset + max_bytes)`` of the log; a negative offset counts from the end."""
    try:
        size = os.path.getsize(path)
    except FileNotFoundError:
        return LogChunk("", 0, 0, 0)
    max_bytes = max(1, min(max_bytes, MAX_CHUNK))
    start = max(0, size + offset) if offset < 0 else min(offset, size)
    with open(path, "rb") as log:
        log.seek(start)
        raw = log.read(max_bytes)
    # A chunk taken from the middle may begin inside a multi-byte character:
    # skip its continuation bytes, and leave an unfinished one at the end for
    # the next read.
    lead = 0
    if start > 0:
        while lead < min(3, len(raw)) and (raw[lead] & 0xC0) == 0x80:
            lead += 1
    end = len(raw) - _unfinished_tail(raw)
    return LogChunk(raw[lead:end].decode("utf-8", errors="replace"), start + lead, start + end, size)


def note_vanished(path: Path, vanished: list[str]) -> None:
    """Say in the log which files were deleted while the job's snapshot was taken."""
    shown = ", ".join(vanished[:20]) + (", …" if len(vanished) > 20 else "")
    plural = "s" if len(vanished) != 1 else ""
    line = (
        f"jlab_platform: skipped {len(vanished)} file{plural} that vanished while the snapshot "
        f"was taken: {shown}\n"
    )
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)


def _unfinished_tail(raw: bytes) -> int:
    """How many bytes at the end of ``raw`` start a UTF-8 character that is not complete."""
    for back in range(1, min(4, len(raw)) + 1):
        byte = raw[-back]
        if (byte & 0xC0) == 0x80:
            continue  # continuation byte: keep looking for the lead byte
        needed = (
            2 if (byte & 0xE0) == 0xC0 else 3 if (byte & 0xF0) == 0xE0 else 4 if (byte & 0xF8) == 0xF0 else 1
        )
        return back if needed > back else 0
    return 0
