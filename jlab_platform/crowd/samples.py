"""The samples of a dataset folder, and how a module's sample names map back to them.

A sample is named by its path relative to the dataset folder (``/``-separated). Hidden
entries and the dataset's own ``results/`` folder (where labels are written) are not
samples; nor is anything reached through a symbolic link, so a sample is always a file
inside the dataset folder.
"""

import os
from pathlib import Path

IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".bmp": "image/bmp",
    ".webp": "image/webp",
}
RESULTS_FOLDER = "results"


def list_samples(dataset: Path) -> list[str]:
    """Every image below ``dataset``, sorted; never following links."""
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(dataset):
        rel_dir = Path(dirpath).relative_to(dataset).as_posix()
        dirnames[:] = sorted(
            name
            for name in dirnames
            if not name.startswith(".")
            and not (rel_dir == "." and name == RESULTS_FOLDER)
            and not os.path.islink(os.path.join(dirpath, name))
        )
        for name in filenames:
            if name.startswith(".") or Path(name).suffix.lower() not in IMAGE_TYPES:
                continue
            if os.path.islink(os.path.join(dirpath, name)):
                continue
            found.append(name if rel_dir == "." else f"{rel_dir}/{name}")
    found.sort()
    return found


def content_type(path: str) -> str:
    return IMAGE_TYPES.get(Path(path).suffix.lower(), "application/octet-stream")


class SampleNames:
    """Maps what a module calls a sample (absolute, dataset-relative or ./-prefixed) to its name."""

    def __init__(self, dataset: Path, samples: list[str]) -> None:
        self.dataset = dataset
        self._real = str(dataset.resolve())
        self._known = set(samples)

    def name_of(self, reported: str) -> str | None:
        text = str(reported).replace("\\", "/")
        if os.path.isabs(text):
            for base in (str(self.dataset), self._real):
                if text.startswith(base.rstrip("/") + "/"):
                    text = text[len(base.rstrip("/")) + 1 :]
                    break
            else:
                return None
        name = os.path.normpath(text).replace(os.sep, "/")
        return name if name in self._known else None
