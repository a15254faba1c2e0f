"""The seed's four augmentations on NumPy images (H, W, C floats in [0, 1]), masks alongside.

Geometric ones (``scale``, ``flip``, ``random``) move the mask's pixels with the image's
(nearest neighbour, so class ids stay class ids); ``color`` changes the image only. Labels of
classification samples are never touched.
"""

from typing import Any

import numpy as np
from numpy.typing import NDArray

from .config import AugmentConfig

Array = NDArray[Any]


def rgb_to_hsv(rgb: Array) -> Array:
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    high, low = rgb.max(-1), rgb.min(-1)
    delta = high - low
    safe = np.where(delta > 0, delta, 1.0)
    hue = np.select(
        [high == r, high == g],
        [((g - b) / safe) % 6.0, (b - r) / safe + 2.0],
        (r - g) / safe + 4.0,
    )
    hue = np.where(delta > 0, hue / 6.0, 0.0)
    saturation = np.where(high > 0, delta / np.where(high > 0, high, 1.0), 0.0)
    return np.stack([hue, saturation, high], axis=-1)


def hsv_to_rgb(hsv: Array) -> Array:
    h, s, v = hsv[..., 0] % 1.0, hsv[..., 1], hsv[..., 2]
    sector = np.floor(h * 6.0)
    f = h * 6.0 - sector
    p, q, t = v * (1 - s), v * (1 - s * f), v * (1 - s * (1 - f))
    index = sector.astype(np.int64) % 6
    r = np.choose(index, [v, q, p, p, t, v])
    g = np.choose(index, [t, v, v, q, p, p])
    b = np.choose(index, [p, p, t, v, v, q])
    return np.stack([r, g, b], axis=-1)


def adjust_hsv(image: Array, hue: float, saturation: float, value: float) -> Array:
    """Hue shifted by ``hue`` (a share of the circle), saturation and value scaled by the factors.

    A one-channel image has no hue or saturation: only its value (brightness) is scaled.
    """
    if image.shape[-1] != 3:
        return np.clip(image * value, 0.0, 1.0).astype(image.dtype)
    hsv = rgb_to_hsv(image.astype(np.float64))
    hsv[..., 0] = (hsv[..., 0] + hue) % 1.0
    hsv[..., 1] = np.clip(hsv[..., 1] * saturation, 0.0, 1.0)
    hsv[..., 2] = np.clip(hsv[..., 2] * value, 0.0, 1.0)
    return hsv_to_rgb(hsv).astype(image.dtype)


def _source(size: int, factor: float) -> Array:
    """Where each output pixel reads from when zooming about the centre by ``factor``."""
    centre = (size - 1) / 2.0
    coords: Array = (np.arange(size) - centre) / factor + centre
    return coords


def zoom(array: Array, factor: float, nearest: bool = False) -> Array:
    """``array`` enlarged (factor > 1, the centre cropped) or shrunk (< 1, zero-padded), same shape.

    Bilinear for images (H, W, C); ``nearest`` for masks (H, W) so class ids are kept.
    """
    height, width = array.shape[:2]
    ys, xs = _source(height, factor), _source(width, factor)
    inside = ((ys > -0.5) & (ys < height - 0.5))[:, None] & ((xs > -0.5) & (xs < width - 0.5))[None, :]
    if nearest:
        rows = np.clip(np.rint(ys).astype(np.int64), 0, height - 1)
        cols = np.clip(np.rint(xs).astype(np.int64), 0, width - 1)
        out = array[rows][:, cols]
    else:
        out = _bilinear(array, ys, xs)
    mask = inside if out.ndim == 2 else inside[..., None]
    result: Array = np.where(mask, out, np.zeros_like(out)).astype(array.dtype)
    return result


def _bilinear(image: Array, ys: Array, xs: Array) -> Array:
    height, width = image.shape[:2]
    y0 = np.floor(ys).astype(np.int64)
    x0 = np.floor(xs).astype(np.int64)
    wy = (ys - y0)[:, None, None]
    wx = (xs - x0)[None, :, None]
    top, bottom = np.clip(y0, 0, height - 1), np.clip(y0 + 1, 0, height - 1)
    left, right = np.clip(x0, 0, width - 1), np.clip(x0 + 1, 0, width - 1)
    rows = image[top] * (1 - wy) + image[bottom] * wy
    result: Array = rows[:, left] * (1 - wx) + rows[:, right] * wx
    return result


def flip(array: Array) -> Array:
    """Mirrored left to right (images and masks alike)."""
    return np.ascontiguousarray(array[:, ::-1])


class Augmenter:
    """Applies the enabled augmentations to training samples, each with ``probability``.

    Geometric first (scale, random, flip), then color; one seeded generator, so a run with the
    same seed sees the same augmented batches.
    """

    def __init__(self, config: AugmentConfig, seed: int) -> None:
        self.config = config
        self.rng = np.random.default_rng(seed)

    def __call__(self, image: Array, mask: Array | None = None) -> tuple[Array, Array | None]:
        config, rng = self.config, self.rng

        def chosen(enabled: bool) -> bool:
            return enabled and rng.random() < config.probability

        def geometric(factor: float | None, mirror: bool) -> None:
            nonlocal image, mask
            if factor is not None:
                image = zoom(image, factor)
                mask = None if mask is None else zoom(mask, factor, nearest=True)
            if mirror:
                image = flip(image)
                mask = None if mask is None else flip(mask)

        if chosen(config.scale):
            geometric(config.scale_factor, False)
        if chosen(config.random):
            low, high = config.scale_range
            geometric(float(rng.uniform(low, high)), bool(rng.random() < 0.5))
        if chosen(config.flip):
            geometric(None, True)
        if chosen(config.color):
            image = adjust_hsv(
                image,
                float(rng.uniform(-config.hue, config.hue)),
                float(rng.uniform(1 - config.saturation, 1 + config.saturation)),
                float(rng.uniform(1 - config.value, 1 + config.value)),
            )
        return image, mask
