"""Model inputs for calibration and verification: a ``.npy`` of samples, a folder of images,
or random values of the model's input shape."""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import ConversionError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp")
MAX_SAMPLES = 100
RANDOM_SAMPLES = 8


@dataclass(frozen=True)
class InputSpec:
    name: str
    shape: tuple[int | None, ...]  # batch first; None where any size fits
    dtype: str


@dataclass(frozen=True)
class Samples:
    """One array per model input, the same number of samples (first axis) in each."""

    arrays: dict[str, np.ndarray]
    description: str
    count: int


def random_samples(specs: Sequence[InputSpec], count: int = RANDOM_SAMPLES) -> Samples:
    rng = np.random.default_rng(0)
    arrays = {}
    for spec in specs:
        shape = (count, *(dim or 1 for dim in spec.shape[1:]))
        values = rng.random(shape)
        arrays[spec.name] = (
            values.astype(spec.dtype) if "float" in spec.dtype else (values * 10).astype(spec.dtype)
        )
    return Samples(arrays, f"{count} random inputs, uniform in [0, 1)", count)


def load_samples(path: Path, specs: Sequence[InputSpec], label: str) -> Samples:
    """Samples from ``path`` (shown to the user as ``label``) for a model with one input."""
    if len(specs) != 1:
        raise ConversionError(
            f"Representative data fits models with one input; this one has {len(specs)}",
            "Convert without representative data (verification then uses random inputs).",
        )
    spec = specs[0]
    if path.is_dir():
        array, description = _images(path, spec, label)
    elif path.suffix.lower() == ".npy":
        array, description = _npy(path, spec, label)
    else:
        raise ConversionError(
            f"{label} is neither a folder of images nor a .npy file",
            "Choose a folder of images or a .npy array of model inputs.",
        )
    return Samples({spec.name: array}, description, len(array))


def _npy(path: Path, spec: InputSpec, label: str) -> tuple[np.ndarray, str]:
    try:
        array = np.load(path, allow_pickle=False, mmap_mode="r")
    except (ValueError, OSError) as exc:
        raise ConversionError(f"Cannot read {label}: {exc}", "Save the inputs with numpy.save().") from exc
    if _fits(array.shape, spec.shape[1:]):
        array = array[None]
    elif not _fits(array.shape[1:], spec.shape[1:]):
        raise ConversionError(
            f"{label} has shape {tuple(array.shape)}; the model takes {_shape_text(spec.shape)}",
            "Save an array of samples: (N, ...) with the model's input shape after the batch axis.",
        )
    picked = np.asarray(array[:MAX_SAMPLES], dtype=spec.dtype)
    return picked, f"{len(picked)} samples from {label}"


def _images(folder: Path, spec: InputSpec, label: str) -> tuple[np.ndarray, str]:
    from PIL import Image, UnidentifiedImageError

    if len(spec.shape) != 4 or spec.shape[3] not in (1, 3) or None in spec.shape[1:3]:
        raise ConversionError(
            f"A folder of images fits models that take (N, height, width, 1 or 3) inputs; this one "
            f"takes {_shape_text(spec.shape)}",
            "Give a .npy array of inputs instead.",
        )
    height, width, channels = spec.shape[1], spec.shape[2], spec.shape[3]
    assert height is not None and width is not None
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
    if not files:
        raise ConversionError(
            f"{label} holds no images", f"Add {', '.join(IMAGE_SUFFIXES)} files, or give a .npy array."
        )
    # Every k-th file: class subfolders all get a say, not only the first one.
    picked = files[:: max(1, len(files) // MAX_SAMPLES)][:MAX_SAMPLES]
    images = []
    for file in picked:
        try:
            with Image.open(file) as image:
                converted = image.convert("RGB" if channels == 3 else "L").resize((width, height))
                pixels = np.asarray(converted, dtype=np.float32) / 255.0
        except (UnidentifiedImageError, OSError) as exc:
            raise ConversionError(f"Cannot read the image {file.name}: {exc}", "Remove or fix it.") from exc
        images.append(pixels.reshape(height, width, channels))
    mode = "RGB" if channels == 3 else "grayscale"
    description = f"{len(images)} images from {label}, resized to {width}×{height}, {mode}, scaled to [0, 1]"
    return np.stack(images).astype(spec.dtype), description


def _fits(shape: Sequence[int], expected: Sequence[int | None]) -> bool:
    return len(shape) == len(expected) and all(
        e is None or s == e for s, e in zip(shape, expected, strict=True)
    )


def _shape_text(shape: Sequence[int | None]) -> str:
    return "(" + ", ".join("N" if dim is None else str(dim) for dim in shape) + ")"
