"""Each augmentation changes images as the seed describes; masks move with their images."""

import numpy as np
import pytest

from jlab_platform.kernel.training import TrainConfig
from jlab_platform.kernel.training.augment import Augmenter, adjust_hsv, flip, hsv_to_rgb, rgb_to_hsv, zoom
from jlab_platform.kernel.training.config import AugmentConfig
from jlab_platform.kernel.training.data import batches


def scene() -> tuple[np.ndarray, np.ndarray]:
    """A 16x16 image with a red square left of centre, and its mask (class 2 on the square)."""
    image = np.full((16, 16, 3), 0.2, dtype=np.float32)
    image[6:10, 3:7] = (0.9, 0.1, 0.1)
    mask = np.zeros((16, 16), dtype=np.int64)
    mask[6:10, 3:7] = 2
    return image, mask


def test_hsv_round_trip_and_color_shifts_hue_saturation_value() -> None:
    rgb = np.random.default_rng(0).random((8, 8, 3))
    assert np.allclose(hsv_to_rgb(rgb_to_hsv(rgb)), rgb)
    red = np.array([[[1.0, 0.0, 0.0]]], dtype=np.float32)
    assert np.allclose(adjust_hsv(red, 1 / 3, 1.0, 1.0), [[[0.0, 1.0, 0.0]]])  # a third of the circle
    assert np.allclose(adjust_hsv(red, 0.0, 0.5, 1.0), [[[1.0, 0.5, 0.5]]])  # paler
    assert np.allclose(adjust_hsv(red, 0.0, 1.0, 0.5), [[[0.5, 0.0, 0.0]]])  # darker
    gray = np.full((2, 2, 1), 0.5, dtype=np.float32)
    assert np.allclose(adjust_hsv(gray, 0.3, 0.2, 1.2), 0.6)  # one channel: brightness only


def test_flip_and_zoom_move_image_and_mask_alike() -> None:
    image, mask = scene()
    mirrored, mirrored_mask = flip(image), flip(mask)
    assert np.array_equal(mirrored[:, ::-1], image) and set(np.nonzero(mirrored_mask)[1]) == {9, 10, 11, 12}
    larger, larger_mask = zoom(image, 2.0), zoom(mask, 2.0, nearest=True)
    assert larger.shape == image.shape and larger_mask.dtype == mask.dtype
    assert set(np.unique(larger_mask)) == {0, 2}  # nearest neighbour: no made-up class ids
    assert (larger_mask == 2).sum() == pytest.approx(4 * (mask == 2).sum(), rel=0.3)  # twice the side
    assert (larger[..., 0][larger_mask == 2] > 0.5).all() and (larger[..., 0][larger_mask == 0] < 0.5).all()
    smaller, smaller_mask = zoom(image, 0.5), zoom(mask, 0.5, nearest=True)
    assert np.allclose(smaller[0, 0], 0) and smaller_mask[0, 0] == 0  # zero padding around
    assert (smaller_mask == 2).sum() == pytest.approx((mask == 2).sum() / 4, rel=0.5)
    assert np.array_equal(zoom(image, 1.0), image)


@pytest.mark.parametrize("kind", ["color", "scale", "flip", "random"])
def test_each_augmentation_on_its_own(kind: str) -> None:
    image, mask = scene()
    augment = Augmenter(AugmentConfig.model_validate({kind: True, "probability": 1.0}), seed=0)
    changed = 0
    for _ in range(20):
        new_image, new_mask = augment(image, mask)
        assert new_mask is not None and new_image.shape == image.shape and new_mask.shape == mask.shape
        changed += not np.allclose(new_image, image)
        if kind == "color":
            assert np.array_equal(new_mask, mask)  # the colours change, not where things are
            assert np.allclose(rgb_to_hsv(new_image)[..., 0][mask == 0], rgb_to_hsv(new_image)[0, 0, 0])
        if kind == "flip":
            assert np.array_equal(new_image, flip(image)) and np.array_equal(new_mask, flip(mask))
        if kind == "scale":
            assert np.array_equal(new_mask, zoom(mask, 1.25, nearest=True))
        if kind in ("scale", "random", "flip"):
            # The mask follows the image: the red pixels are where the mask says class 2.
            red = new_image[..., 0] > 0.6
            assert (red & (new_mask == 2)).sum() >= 0.8 * red.sum()
    assert changed >= (10 if kind == "random" else 20)
    assert np.array_equal(Augmenter(AugmentConfig(), seed=0)(image, mask)[0], image)  # none enabled


def test_batches_augment_training_images_and_keep_their_labels() -> None:
    image, _ = scene()
    images = np.stack([image, image[:, ::-1].copy()])  # label 0: square left, label 1: square right
    labels = np.array([0, 1])
    plain = TrainConfig.from_dict({"batch_size": 2})
    flipped = plain.with_values(augment={"flip": True, "probability": 1.0})
    x, y = next(batches(images, labels, plain))
    fx, fy = next(batches(images, labels, flipped))
    assert np.array_equal(y, fy) and np.array_equal(fx, x[:, :, ::-1])
    assert np.array_equal(images[0], image)  # the loaded images themselves are left alone
