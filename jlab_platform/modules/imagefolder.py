"""Image folders as arrays, for the shipped modules (Pillow + NumPy; no framework imports).

The classification layout is seed 003's: one folder per class, the folder name is the label.
"""

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from .fieldtypes import IMAGE_SUFFIXES

if TYPE_CHECKING:  # only a type here: the kernel's run context is not needed to read images
    from ..kernel.module_run import RunContext

Images = NDArray[np.float32]  # (N, height, width, channels), values in [0, 1]
Labels = NDArray[np.int64]


def list_images(target: str | Path) -> list[Path]:
    """``target`` itself when it is an image file, else every image below it, sorted."""
    path = Path(target)
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())


def class_names(data_dir: str | Path) -> list[str]:
    folder = Path(data_dir)
    names = sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    classes = [name for name in names if list_images(folder / name)]
    if len(classes) < 2:
        raise ValueError(
            f"{folder} needs at least two class folders with images in them (one folder per class); "
            f"found {len(classes)}"
        )
    return classes


def load_images(paths: Sequence[Path], size: int, grayscale: bool) -> Images:
    arrays = []
    for path in paths:
        with Image.open(path) as image:
            arrays.append(_pixels(image, size, grayscale))
    return _stacked(arrays, grayscale)


def image_arrays(images: Sequence[Image.Image], size: int, grayscale: bool) -> Images:
    """Decoded images (a deployed service's requests) as the array ``load_images`` gives for files."""
    return _stacked([_pixels(image, size, grayscale) for image in images], grayscale)


def _pixels(image: Image.Image, size: int, grayscale: bool) -> NDArray[np.float32]:
    resized = image.convert("L" if grayscale else "RGB").resize((size, size), Image.Resampling.BILINEAR)
    return np.asarray(resized, dtype=np.float32)


def _stacked(arrays: list[NDArray[np.float32]], grayscale: bool) -> Images:
    stacked = np.stack(arrays) / np.float32(255.0)
    return stacked[..., np.newaxis] if grayscale else stacked


def load_labeled(data_dir: str | Path, size: int, grayscale: bool) -> tuple[Images, Labels, list[str]]:
    """All images of a class-per-folder dataset, their class indices, and the class names."""
    classes = class_names(data_dir)
    paths: list[Path] = []
    labels: list[int] = []
    for index, name in enumerate(classes):
        found = list_images(Path(data_dir) / name)
        paths.extend(found)
        labels.extend([index] * len(found))
    return load_images(paths, size, grayscale), np.asarray(labels, dtype=np.int64), classes


def split(count: int, validation: float, seed: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Shuffled indices for training and validation (``validation`` is a fraction)."""
    order = np.random.default_rng(seed).permutation(count).astype(np.int64)
    held_out = round(count * validation)
    return order[held_out:], order[:held_out]


def class_scores(probabilities: NDArray[Any], classes: Sequence[str], top: int = 5) -> list[dict[str, Any]]:
    """A deployed classifier's answer per image: the label, its confidence and the top classes."""
    records = []
    for row in probabilities:
        order = np.argsort(-row)[:top]
        records.append(
            {
                "label": classes[int(order[0])],
                "confidence": float(row[order[0]]),
                "top": [{"class": classes[int(i)], "probability": float(row[i])} for i in order],
                "probability": [float(p) for p in row],
            }
        )
    return records


def prediction_records(
    paths: Sequence[Path], probabilities: NDArray[Any], classes: Sequence[str]
) -> list[dict[str, Any]]:
    """``[{"sample", "probability": [one per class], "label"}]``, what labeling ranks samples by."""
    return [
        {
            "sample": str(path),
            "probability": [float(p) for p in row],
            "label": classes[int(np.argmax(row))],
        }
        for path, row in zip(paths, probabilities, strict=True)
    ]


class ImageScorer(Protocol):
    """A loaded classifier: the image settings it was trained with, its classes and its scorer."""

    size: int
    grayscale: bool
    classes: list[str]

    def probabilities(self, pixels: Images) -> NDArray[Any]: ...


def predict_images(
    classifier: ImageScorer, images: str, batch_size: int, context: "RunContext"
) -> list[dict[str, Any]]:
    """A classifier module's ``predict``: ``prediction_records`` for ``images``, ``batch_size`` at a time."""
    paths = list_images(images)
    if not paths:
        raise ValueError(f"No images in {images}")
    bar = context.progress(len(paths), "predict")
    chunks = []
    for start in range(0, len(paths), batch_size):
        batch = paths[start : start + batch_size]
        chunks.append(classifier.probabilities(load_images(batch, classifier.size, classifier.grayscale)))
        bar.update(len(batch))
    return prediction_records(paths, np.concatenate(chunks), classifier.classes)
