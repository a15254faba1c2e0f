"""Atomic output files: written beside their final name, then renamed over it in one step,
so a reader (or a crash, or a cancel) never sees half a file."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def partial_path(final: Path, token: str) -> Path:
    """The hidden name the output has while it is being written (the same folder: rename is atomic)."""
    return final.with_name(f".{final.name}.{token}.part")


@contextmanager
def atomic_output(final: Path, token: str) -> Iterator[Path]:
    """Yield the partial path to write; on success it becomes ``final``, otherwise it is removed."""
    partial = partial_path(final, token)
    try:
        yield partial
        with open(partial, "rb+") as written:
            os.fsync(written.fileno())
        os.replace(partial, final)
    finally:
        partial.unlink(missing_ok=True)


def write_atomic(final: Path, data: bytes, token: str) -> None:
    with atomic_output(final, token) as partial:
        partial.write_bytes(data)
