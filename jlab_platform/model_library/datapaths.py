"""Data paths of a model: checked as the seed's path list shows them, and fingerprinted at publish.

A path is valid when it holds images (in it or in its subfolders; hidden entries are skipped).
Its class folders are the subfolders holding images. A version records a sha256 of the sorted
list of every image (path relative to its data path, and size): the same list, the same hash.
"""

import hashlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..i18n import N_
from ..modules.fieldtypes import IMAGE_SUFFIXES


@dataclass(frozen=True)
class Survey:
    images: int
    classes: list[str]
    reason: str | None

    @property
    def valid(self) -> bool:
        return self.reason is None


def survey(folder: Path) -> Survey:
    """How many images ``folder`` holds and in which class folders; ``reason`` when it holds none."""
    if not folder.exists():
        return Survey(0, [], N_("The path does not exist"))
    if not folder.is_dir():
        return Survey(0, [], N_("The path is not a folder"))
    per_class: dict[str, int] = {}
    total = 0
    for relative, _size in _images(folder):
        total += 1
        parts = relative.split("/")
        if len(parts) > 1:
            per_class[parts[0]] = per_class.get(parts[0], 0) + 1
    if total == 0:
        return Survey(0, [], N_("The folder holds no images"))
    return Survey(total, sorted(per_class), None)


def fingerprint(folders: Sequence[Path]) -> tuple[str, int]:
    """sha256 of every image's (data path index, relative path, size), and the number of images."""
    digest = hashlib.sha256()
    count = 0
    for index, folder in enumerate(folders):
        for relative, size in sorted(_images(folder)):
            digest.update(f"{index}\t{relative}\t{size}\n".encode())
            count += 1
    return digest.hexdigest(), count


def _images(folder: Path) -> Iterator[tuple[str, int]]:
    """``(path relative to folder, size)`` of every image below it, hidden files and folders left out."""
    for current, dirs, files in os.walk(folder):
        dirs[:] = [name for name in dirs if not name.startswith(".")]
        base = Path(current)
        for name in files:
            if name.startswith(".") or not name.lower().endswith(IMAGE_SUFFIXES):
                continue
            path = base / name
            try:
                size = path.stat().st_size
            except OSError:
                continue  # vanished or a broken link: not an image to train on
            yield path.relative_to(folder).as_posix(), size
