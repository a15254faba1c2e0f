"""Datasets of a training run: listing, the resolution filter, the split, and their manifests.

Two layouts. Classification: a folder of class folders (``<data>/<class>/<image>``).
Segmentation: ``<data>/images/<name>.<ext>``, ``<data>/masks/<name>.png`` (one-channel, each
pixel's value is its class id) and ``<data>/classes.txt`` (one class name per line, line 1 is
id 0, the background). Every run folder gets ``split.json``, ``noncompliant.json`` and
``train_config.json`` (formats in the README, "Training configuration").
"""

import json
import os
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from ...files.atomic import write_atomic
from ...modules.imagefolder import class_names, list_images
from .augment import Augmenter
from .config import SplitConfig, TrainConfig
from .inputs import epochs_to_iterations

Task = Literal["classification", "segmentation"]
SPLIT_FILE = "split.json"
NONCOMPLIANT_FILE = "noncompliant.json"
CONFIG_FILE = "train_config.json"
CLASSES_FILE = "classes.txt"


@dataclass(frozen=True)
class Sample:
    path: str  # POSIX, relative to the dataset folder
    label: int  # the class (segmentation: the stratum, the mask's most frequent foreground class)
    mask: str | None = None

    def record(self, classes: Sequence[str]) -> dict[str, Any]:
        record: dict[str, Any] = {"path": self.path, "label": classes[self.label]}
        if self.mask is not None:
            record["mask"] = self.mask
        return record


@dataclass(frozen=True)
class Prepared:
    """The dataset after preprocessing: what trains, what validates, what was left out."""

    data_dir: Path
    config: TrainConfig  # with ``epochs`` turned into ``max_iter``
    classes: list[str]
    train: list[Sample]
    val: list[Sample]
    noncompliant: list[dict[str, Any]]

    def paths(self, part: Sequence[Sample]) -> list[Path]:
        return [self.data_dir / sample.path for sample in part]

    def mask_paths(self, part: Sequence[Sample]) -> list[Path]:
        return [self.data_dir / (sample.mask or "") for sample in part]


def classification_samples(data_dir: Path) -> tuple[list[Sample], list[str]]:
    classes = class_names(data_dir)
    samples = [
        Sample(path.relative_to(data_dir).as_posix(), index)
        for index, name in enumerate(classes)
        for path in list_images(data_dir / name)
    ]
    return samples, classes


def segmentation_classes(data_dir: Path) -> list[str]:
    file = data_dir / CLASSES_FILE
    if not file.is_file():
        raise ValueError(
            f"{data_dir} has no {CLASSES_FILE}: write one class name per line, the background first "
            "(line 1 is pixel value 0 in the masks)"
        )
    classes = [line.strip() for line in file.read_text(encoding="utf-8").splitlines() if line.strip()]
    if len(classes) < 2:
        raise ValueError(f"{file} names {len(classes)} class(es); segmentation needs at least two")
    return classes


def segmentation_samples(data_dir: Path) -> tuple[list[Sample], list[str]]:
    classes = segmentation_classes(data_dir)
    images = list_images(data_dir / "images") if (data_dir / "images").is_dir() else []
    if not images:
        raise ValueError(
            f"{data_dir / 'images'} has no images (layout: images/<name>.png + masks/<name>.png)"
        )
    missing = [path.name for path in images if not (data_dir / "masks" / f"{path.stem}.png").is_file()]
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise ValueError(f"no mask in {data_dir / 'masks'} for {shown} (expected masks/<name>.png)")
    samples = []
    for path in images:
        mask = f"masks/{path.stem}.png"
        samples.append(Sample(path.relative_to(data_dir).as_posix(), _stratum(data_dir / mask), mask))
    return samples, classes


def _stratum(mask_path: Path) -> int:
    with Image.open(mask_path) as mask:
        counts = np.bincount(np.asarray(mask).ravel())
    counts[0] = 0
    return int(counts.argmax()) if counts.any() else 0


def filter_resolution(
    data_dir: Path, samples: Sequence[Sample], config: TrainConfig, classes: Sequence[str]
) -> tuple[list[Sample], list[dict[str, Any]]]:
    """Samples within ``config.resolution``, and the others as ``{path, label, width, height, reason}``."""
    bounds = config.resolution
    if bounds is None:
        return list(samples), []
    kept, left_out = [], []
    for sample in samples:
        record = sample.record(classes)
        try:
            with Image.open(data_dir / sample.path) as image:
                width, height = image.size
        except OSError as exc:
            left_out.append({**record, "width": None, "height": None, "reason": f"unreadable: {exc}"})
            continue
        problems = bounds.violations(width, height)
        if problems:
            left_out.append({**record, "width": width, "height": height, "reason": "; ".join(problems)})
        else:
            kept.append(sample)
    return kept, left_out


def split_samples(samples: Sequence[Sample], split: SplitConfig) -> tuple[list[Sample], list[Sample]]:
    """Seeded train/validation parts; stratified keeps each class's train share at ``split.train``."""
    rng = np.random.default_rng(split.seed)
    ordered = sorted(samples, key=lambda sample: sample.path)
    groups = (
        [[s for s in ordered if s.label == label] for label in sorted({s.label for s in ordered})]
        if split.stratified
        else [ordered]
    )
    train: list[Sample] = []
    val: list[Sample] = []
    for group in groups:
        order = rng.permutation(len(group))
        count = round(len(group) * split.train)
        if split.train < 1.0 and len(group) > 1:
            count = min(count, len(group) - 1)  # a class with images is seen in validation too
        count = max(count, 1)  # ... and in training
        train.extend(group[i] for i in order[:count])
        val.extend(group[i] for i in order[count:])
    return sorted(train, key=lambda s: s.path), sorted(val, key=lambda s: s.path)


def prepare(
    data_dir: str | Path, config: TrainConfig, task: Task, run_dir: Path, epochs: int | None = None
) -> Prepared:
    """List, filter and split the dataset; write the run's manifests (before training starts).

    ``epochs``, when given, sets ``max_iter`` to that many passes over the training part.
    """
    folder = Path(data_dir).resolve()
    listed = classification_samples(folder) if task == "classification" else segmentation_samples(folder)
    samples, classes = listed
    kept, noncompliant = filter_resolution(folder, samples, config, classes)
    if not kept:
        raise ValueError(
            f"all {len(samples)} images of {data_dir} are outside the resolution bounds "
            f"(see {run_dir / NONCOMPLIANT_FILE})"
        )
    train, val = split_samples(kept, config.split)
    config = epochs_to_iterations(config, epochs, len(train))
    manifest = {
        "task": task,
        "data_dir": str(in_workspace(folder)),
        "seed": config.split.seed,
        "ratio": config.split.train,
        "classes": classes,
        "train": [sample.record(classes) for sample in train],
        "val": [sample.record(classes) for sample in val],
    }
    _write_json(run_dir / NONCOMPLIANT_FILE, noncompliant)
    _write_json(run_dir / SPLIT_FILE, manifest)
    write_atomic(run_dir / CONFIG_FILE, config.to_json().encode(), secrets.token_hex(4))
    return Prepared(folder, config, classes, train, val, noncompliant)


def _write_json(path: Path, value: Any) -> None:
    write_atomic(
        path, (json.dumps(value, indent=1, ensure_ascii=False) + "\n").encode(), secrets.token_hex(4)
    )


def load_masks(paths: Sequence[Path], size: int, classes: int) -> NDArray[np.int64]:
    """Masks resized to ``size`` square by nearest neighbour: class ids stay class ids."""
    masks = []
    for path in paths:
        with Image.open(path) as mask:
            if mask.mode not in ("L", "P", "I", "I;16"):
                raise ValueError(f"{path} is a {mask.mode} image; a mask has one channel of class ids")
            resized = mask.resize((size, size), Image.Resampling.NEAREST)
            values = np.asarray(resized, dtype=np.int64)
        if values.max(initial=0) >= classes:
            raise ValueError(f"{path} has class id {values.max()}; {CLASSES_FILE} names only {classes}")
        masks.append(values)
    return np.stack(masks)


def batches(
    images: NDArray[Any], targets: NDArray[Any], config: TrainConfig
) -> Iterator[tuple[NDArray[Any], NDArray[Any]]]:
    """Endless seeded batches of ``batch_size`` (epoch after reshuffled epoch), augmented.

    ``targets`` are labels (N,) or masks (N, H, W); masks are transformed with their image.
    """
    rng = np.random.default_rng(config.seed)
    augment = Augmenter(config.augment, config.seed + 1) if config.augment.any else None
    queue: list[int] = []
    while True:
        while len(queue) < config.batch_size:
            queue.extend(int(i) for i in rng.permutation(len(targets)))
        chosen, queue = queue[: config.batch_size], queue[config.batch_size :]
        x, y = images[chosen], targets[chosen]
        if augment is not None:
            x, y = x.copy(), y.copy()
            for row in range(len(chosen)):
                image, mask = augment(x[row], y[row] if y.ndim == 3 else None)
                x[row] = image
                if mask is not None:
                    y[row] = mask
        yield x, y


def in_workspace(folder: Path) -> Path:
    """``folder`` as the workspace names it: in a job, the snapshot's copy maps to the original
    when there is one (the snapshot is swept days after the job; an evaluation of the run reads
    the workspace)."""
    snapshot, workspace = os.environ.get("JLAB_SNAPSHOT_DIR"), os.environ.get("JLAB_WORKSPACE_DIR")
    if snapshot and workspace and folder.is_relative_to(Path(snapshot).resolve()):
        original = Path(workspace) / folder.relative_to(Path(snapshot).resolve())
        # Data the job made itself exists only in its snapshot: that copy is all there is.
        if original.is_dir():
            return original
    return folder
