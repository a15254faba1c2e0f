"""Atomic output files: written beside their final name, then renamed over it in one step,
so a reader (or a crash, or a cancel) never sees half a file.

The platform's own files (under its data folder: job specs, records, logs) are private to
the server's user: ``private=True`` writes them 0600, ``make_private_dir`` makes folders 0700.
Outputs in the workspace (converted models, exported scripts) keep the user's umask.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700


def partial_path(final: Path, token: str) -> Path:
    """The hidden name the output has while it is being written (the same folder: rename is atomic)."""
    return final.with_name(f".{final.name}.{token}.part")


def make_private_dir(folder: Path) -> None:
    """Create ``folder`` (and missing parents) readable by this user only; tighten it if it exists."""
    folder.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    if folder.stat().st_mode & 0o777 != PRIVATE_DIR_MODE:
        folder.chmod(PRIVATE_DIR_MODE)


@contextmanager
def atomic_output(final: Path, token: str, private: bool = False) -> Iterator[Path]:
    """Yield the partial path to write; on success it becomes ``final``, otherwise it is removed."""
    partial = partial_path(final, token)
    try:
        if private:
            # Created 0600 before anything is written into it: never readable by others, even briefly.
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
            os.fchmod(fd, PRIVATE_FILE_MODE)  # a leftover partial keeps its old mode otherwise
            os.close(fd)
        yield partial
        with open(partial, "rb+") as written:
            os.fsync(written.fileno())
        os.replace(partial, final)
    finally:
        partial.unlink(missing_ok=True)


def write_atomic(final: Path, data: bytes, token: str, private: bool = False) -> None:
    with atomic_output(final, token, private) as partial:
        partial.write_bytes(data)
