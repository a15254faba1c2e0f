"""Dataset folders: a README, optional metadata (``dataset.yml``), and what the layout tells.

A folder of class folders (seed 003's classification layout) gives its classes and sample
count without any metadata; metadata, when present, is validated with file and line.
"""

import os
from pathlib import Path
from typing import Any

from .documents import Document, Problem, read_document
from .entries import README, DatasetEntry, Origin
from .fieldtypes import IMAGE_SUFFIXES
from .spec import NAME_PATTERN

DATASET_FILES = ("dataset.yml", "dataset.yaml", "dataset.json")
_TEXT_KEYS = ("name", "title", "description", "task", "task_type", "license", "source")
_KEYS = (*_TEXT_KEYS, "classes", "samples", "tags")
_COUNT_LIMIT = 200_000
CLASSIFICATION = "image-classification"


def dataset_files(folder: str) -> list[str]:
    """Metadata files and class folders: a change to one means the dataset is read again."""
    found = []
    for entry in os.scandir(folder):
        if entry.name in DATASET_FILES or (entry.name[0] != "." and entry.is_dir()):
            found.append(entry.name)
    return sorted(found)


def load_dataset(folder: Path, origin: Origin) -> DatasetEntry:
    errors: list[Problem] = []
    warnings: list[Problem] = []
    metadata: dict[str, Any] = {}
    meta_file = next((folder / name for name in DATASET_FILES if (folder / name).is_file()), None)
    if meta_file is not None:
        document, problems = read_document(meta_file, meta_file.name)
        errors.extend(problems)
        if document is not None:
            metadata = _metadata(document, errors)
    if not (folder / README).is_file():
        warnings.append(Problem(README, 1, "missing: describe the dataset (source, layout, license) here"))
    classes, samples, capped = infer_layout(folder)
    if capped:
        warnings.append(Problem(folder.name, 1, f"more than {_COUNT_LIMIT} images; the count stops there"))
    metadata.setdefault("classes", classes)
    metadata.setdefault("samples", samples)
    if "task" not in metadata and classes:
        metadata["task"] = CLASSIFICATION
    name = str(metadata.get("name") or folder.name)
    return DatasetEntry(name, folder, origin, metadata, errors, warnings)


def _metadata(document: Document, errors: list[Problem]) -> dict[str, Any]:
    data = document.data
    if not isinstance(data, dict):
        errors.append(document.problem((), "expected a mapping of keys to values"))
        return {}
    metadata: dict[str, Any] = {}
    for key, value in data.items():
        if key not in _KEYS:
            errors.append(document.problem((key,), f"{key}: unknown key; use one of: {', '.join(_KEYS)}"))
        elif key in _TEXT_KEYS:
            if isinstance(value, str | int | float) and not isinstance(value, bool):
                metadata["task" if key == "task_type" else key] = str(value)
            else:
                errors.append(document.problem((key,), f"{key}: expected text"))
        elif key == "samples":
            if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                metadata[key] = value
            else:
                errors.append(document.problem((key,), "samples: expected a whole number, 0 or more"))
        elif isinstance(value, list) and all(isinstance(item, str) for item in value):
            metadata[key] = value
        else:
            errors.append(document.problem((key,), f"{key}: expected a list of texts, e.g. [cat, dog]"))
    if "name" in metadata and not NAME_PATTERN.match(metadata["name"]):
        errors.append(document.problem(("name",), "name: use letters, digits, '.', '_' and '-' only"))
        del metadata["name"]
    return metadata


def infer_layout(folder: Path) -> tuple[list[str], int, bool]:
    """(classes, image count, whether counting stopped at the limit) of a dataset folder."""
    counter = _ImageCounter()
    top_images = 0
    class_folders = []
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:
        return [], 0, False
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            direct = counter.count(Path(entry.path))
            if direct:
                class_folders.append(entry.name)
        elif entry.name.lower().endswith(IMAGE_SUFFIXES):
            top_images += 1
            counter.total += 1
    classes = class_folders if not top_images and len(class_folders) >= 2 else []
    return classes, counter.total, counter.total >= _COUNT_LIMIT


class _ImageCounter:
    def __init__(self) -> None:
        self.total = 0

    def count(self, folder: Path, depth: int = 0) -> int:
        """Images directly in ``folder``; those further down are added to ``total`` only."""
        direct = 0
        try:
            entries = list(os.scandir(folder))
        except OSError:
            return 0
        for entry in entries:
            if self.total >= _COUNT_LIMIT:
                break
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False) and depth < 3:
                self.count(Path(entry.path), depth + 1)
            elif entry.name.lower().endswith(IMAGE_SUFFIXES):
                direct += 1
                self.total += 1
        return direct
