"""The library's content-addressed store: every published file once, named by its sha256.

``<data_dir>/models/blobs/<first two hex digits>/<sha256>``, written atomically and read-only;
two versions with the same checkpoint share one file. A version's run folder is made from its
files (name -> sha256) when it is first loaded; a file someone changed is put back. ``sweep``
deletes the files no version records any more (after a model was deleted).
"""

import hashlib
import os
import shutil
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

from ..files.atomic import atomic_output, make_private_dir

_CHUNK = 1024 * 1024
# A file stored (or found already stored) this recently may belong to a publish whose version
# row is not written yet: a sweep leaves it for the next one.
SWEEP_GRACE_SECONDS = 600.0


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class BlobStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, sha256: str) -> Path:
        return self.folder / sha256[:2] / sha256

    def put(self, source: Path) -> tuple[str, int]:
        """Store a copy of ``source``; its sha256 and size (a copy already there is kept)."""
        sha256 = file_sha256(source)
        target = self.path(sha256)
        if not target.is_file():
            make_private_dir(target.parent)
            with atomic_output(target, private=True) as partial:
                shutil.copyfile(source, partial)
                if file_sha256(partial) != sha256:  # changed while it was copied: not what was hashed
                    raise OSError(f"{source} changed while it was being published")
            target.chmod(0o400)
        else:
            os.utime(target)  # in use again: a sweep running now must leave it
        return sha256, target.stat().st_size

    def sweep(self, recorded: Iterable[str], grace_seconds: float = SWEEP_GRACE_SECONDS) -> int:
        """Delete the files whose sha256 is not in ``recorded`` (every version's files) and that
        were not stored or reused in the last ``grace_seconds``; how many were deleted."""
        keep = set(recorded)
        settled = time.time() - grace_seconds
        deleted = 0
        for blob in self.folder.glob("??/*"):
            try:
                if blob.name not in keep and blob.stat().st_mtime < settled:
                    blob.unlink()
                    deleted += 1
            except FileNotFoundError:  # another sweep took it
                continue
        return deleted

    def materialize(self, files: Mapping[str, str], folder: Path) -> None:
        """Make ``folder`` hold ``files`` (name -> sha256); files already right are left alone.

        Each file is replaced atomically, and what else is in the folder (the evaluations of
        batch predictions) stays.
        """
        folder.mkdir(parents=True, exist_ok=True)
        for name, sha256 in files.items():
            target, blob = folder / name, self.path(sha256)
            if not _same(target, blob):
                with atomic_output(target) as partial:
                    shutil.copyfile(blob, partial)


def _same(path: Path, blob: Path) -> bool:
    try:
        return path.stat().st_size == blob.stat().st_size
    except OSError:
        return False
