"""Atomic output files: written beside their final name, then renamed over it in one step,
so a reader (or a crash, or a cancel) never sees half a file.

The one way the platform writes a file it replaces: a temporary name unique to the writer in
the same folder (two writers never share one; the rename stays within one file system), the
file's data fsynced before the rename and the folder's entry after it, so that after a crash
the path holds either the old file or the whole new one. Kernels and jobs use it too: this
module imports nothing of the server.

The platform's own files (under its data folder: job specs, records, logs) are private to
the server's user: ``private=True`` writes them 0600, ``make_private_dir`` makes folders 0700.
Outputs in the workspace (converted models, exported scripts) keep the user's umask.
"""

import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700
_PARTIAL_SUFFIX = ".part"


def unique_token() -> str:
    """A temporary-name token no other writer (process or thread) uses at the same time."""
    return f"{os.getpid()}-{secrets.token_hex(6)}"


def partial_path(final: Path, token: str) -> Path:
    """The hidden name the output has while it is being written (the same folder: rename is atomic)."""
    return final.with_name(f".{final.name}.{token}{_PARTIAL_SUFFIX}")


def make_private_dir(folder: Path) -> None:
    """Create ``folder`` (and missing parents) readable by this user only; tighten it if it exists."""
    folder.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    if folder.stat().st_mode & 0o777 != PRIVATE_DIR_MODE:
        folder.chmod(PRIVATE_DIR_MODE)


def fsync_folder(folder: Path) -> None:
    """Make a rename or a new entry in ``folder`` durable (a no-op where folders cannot be opened)."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_durably(partial: Path, final: Path, sync: bool = True) -> None:
    """Rename a finished ``partial`` (file or folder) over ``final``; ``sync`` makes the rename durable."""
    os.replace(partial, final)
    if sync:
        fsync_folder(final.parent)


@contextmanager
def atomic_output(
    final: Path, token: str | None = None, private: bool = False, sync: bool = True
) -> Iterator[Path]:
    """Yield the partial path to write; on success it becomes ``final``, otherwise it is removed.

    ``token`` names the partial file when someone else must find it (a cancelled conversion
    removes its own); by default it is unique. ``sync=False`` skips the fsyncs, for files
    whose loss after a crash the reader copes with (capture blobs).
    """
    partial = partial_path(final, token or unique_token())
    try:
        if private:
            # Created 0600 before anything is written into it: never readable by others, even briefly.
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
            os.fchmod(fd, PRIVATE_FILE_MODE)  # a leftover partial keeps its old mode otherwise
            os.close(fd)
        yield partial
        if sync:
            with open(partial, "rb+") as written:
                os.fsync(written.fileno())
        replace_durably(partial, final, sync)
    finally:
        partial.unlink(missing_ok=True)


def write_atomic(
    final: Path, data: bytes | str, token: str | None = None, private: bool = False, sync: bool = True
) -> None:
    """Replace ``final`` with ``data`` (text is written as UTF-8)."""
    with atomic_output(final, token, private, sync) as partial:
        partial.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def write_json_atomic(
    final: Path, payload: Any, private: bool = False, indent: int | None = None, default: Any = None
) -> None:
    """Replace ``final`` with ``payload`` as JSON (one line unless ``indent``)."""
    write_atomic(final, json.dumps(payload, indent=indent, default=default) + "\n", private=private)
