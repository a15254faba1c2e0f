"""Generated datasets for the training tests: circles and squares, as class folders or as masks."""

from pathlib import Path

import numpy as np
from PIL import Image

SEGMENTATION_CLASSES = ("background", "circle", "square")


def _shape(size: int, kind: str, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A noisy RGB image with one filled circle or square, and its mask (1 circle, 2 square)."""
    radius = int(rng.integers(size // 5, size // 3))
    cy, cx = (int(v) for v in rng.integers(radius, size - radius, 2))
    yy, xx = np.mgrid[:size, :size]
    inside = (
        (yy - cy) ** 2 + (xx - cx) ** 2 <= radius**2
        if kind == "circle"
        else ((abs(yy - cy) <= radius * 0.8) & (abs(xx - cx) <= radius * 0.8))
    )
    colour = np.array([220, 60, 40]) if kind == "circle" else np.array([40, 90, 220])
    image = rng.normal(40, 15, (size, size, 3))
    image[inside] = colour + rng.normal(0, 15, (int(inside.sum()), 3))
    mask = np.where(inside, 1 if kind == "circle" else 2, 0).astype(np.uint8)
    return np.clip(image, 0, 255).astype(np.uint8), mask


def write_segmentation_shapes(folder: Path, count: int = 24, size: int = 32, seed: int = 0) -> Path:
    """``images/``, ``masks/`` and ``classes.txt``: half circles, half squares."""
    rng = np.random.default_rng(seed)
    (folder / "images").mkdir(parents=True, exist_ok=True)
    (folder / "masks").mkdir(parents=True, exist_ok=True)
    (folder / "classes.txt").write_text("\n".join(SEGMENTATION_CLASSES) + "\n")
    for index in range(count):
        kind = "circle" if index % 2 == 0 else "square"
        image, mask = _shape(size, kind, rng)
        Image.fromarray(image).save(folder / "images" / f"{kind}_{index:03d}.png")
        Image.fromarray(mask, mode="L").save(folder / "masks" / f"{kind}_{index:03d}.png")
    return folder


def write_class_shapes(
    folder: Path,
    per_class: int = 10,
    size: int = 32,
    seed: int = 0,
    sizes: dict[str, tuple[int, int]] | None = None,
) -> Path:
    """``circle/`` and ``square/`` class folders; ``sizes`` gives some files other (width, height)."""
    rng = np.random.default_rng(seed)
    for kind in ("circle", "square"):
        (folder / kind).mkdir(parents=True, exist_ok=True)
        for index in range(per_class):
            image, _ = _shape(size, kind, rng)
            name = f"{kind}_{index:03d}.png"
            picture = Image.fromarray(image)
            if sizes and name in sizes:
                picture = picture.resize(sizes[name])
            picture.save(folder / kind / name)
    return folder
