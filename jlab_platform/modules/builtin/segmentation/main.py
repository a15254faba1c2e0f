"""Semantic segmentation: a small U-Net in PyTorch, trained on images with class-id masks.

Dataset layout: ``images/<name>.png`` (any image type), ``masks/<name>.png`` (one channel,
each pixel's value is its class id) and ``classes.txt`` (one class per line, the background
first). ``train`` takes the training configuration like the classifiers; ``predict`` writes one
mask per image (same layout: pixel value = class id, the image's own size); ``load`` gives what a
deployed service answers: each image's mask as a base64 PNG and each class's share of its pixels.
"""

import base64
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image
from torch import nn

from jlab_platform.kernel.module_run import RunContext
from jlab_platform.kernel.training.data import batches, load_masks, prepare
from jlab_platform.kernel.training.inputs import config_from_inputs
from jlab_platform.kernel.training.torch_loop import as_tensor, fit, save_trained
from jlab_platform.modules.imagefolder import image_arrays, list_images, load_images

CHECKPOINT = "model.pt"
MASKS_FOLDER = "predicted_masks"


def _block(inputs: int, outputs: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(inputs, outputs, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(outputs, outputs, 3, padding=1),
        nn.ReLU(),
    )


class TinyUNet(nn.Module):
    """Two levels down, two up with skip connections: small enough to train in seconds on a CPU."""

    def __init__(self, channels: int, classes: int, width: int = 16) -> None:
        super().__init__()
        self.down1, self.down2 = _block(channels, width), _block(width, 2 * width)
        self.bottom = _block(2 * width, 4 * width)
        self.up2, self.dec2 = (
            nn.ConvTranspose2d(4 * width, 2 * width, 2, stride=2),
            _block(4 * width, 2 * width),
        )
        self.up1, self.dec1 = nn.ConvTranspose2d(2 * width, width, 2, stride=2), _block(2 * width, width)
        self.head = nn.Conv2d(width, classes, 1)
        self.pool = nn.MaxPool2d(2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        first = self.down1(x)
        second = self.down2(self.pool(first))
        bottom = self.bottom(self.pool(second))
        up = self.dec2(torch.cat([self.up2(bottom), second], dim=1))
        up = self.dec1(torch.cat([self.up1(up), first], dim=1))
        out: torch.Tensor = self.head(up)
        return out


def pixel_accuracy(logits: torch.Tensor, masks: torch.Tensor) -> float:
    return float((logits.argmax(1) == masks).float().mean())


def mean_iou(predicted: torch.Tensor, masks: torch.Tensor, classes: int) -> float:
    """Mean IoU over the classes present in the truth or the prediction (absent ones left out)."""
    scores = []
    for index in range(classes):
        truth, guess = masks == index, predicted == index
        union = int((truth | guess).sum())
        if union:
            scores.append(int((truth & guess).sum()) / union)
    return float(np.mean(scores)) if scores else float("nan")


class Segmentation:
    def train(
        self,
        data_dir: str,
        image_size: int = 32,
        grayscale: bool = False,
        epochs: int | None = None,
        *,
        context: RunContext,
        **options: Any,
    ) -> dict[str, Any]:
        if image_size % 4:
            raise ValueError(
                f"image_size must be a multiple of 4 (the network halves it twice), got {image_size}"
            )
        config = config_from_inputs(options, "segmentation")
        data = prepare(data_dir, config, "segmentation", context.run_dir, epochs)
        config = data.config
        torch.manual_seed(config.seed)
        count = len(data.classes)
        images = load_images(data.paths(data.train), image_size, grayscale)
        masks = load_masks(data.mask_paths(data.train), image_size, count)
        x_val = as_tensor(load_images(data.paths(data.val), image_size, grayscale)) if data.val else None
        y_val = (
            torch.from_numpy(load_masks(data.mask_paths(data.val), image_size, count)) if data.val else None
        )
        model = TinyUNet(images.shape[-1], count)

        def validate() -> dict[str, float]:
            if x_val is None or y_val is None:
                return {}
            model.eval()
            with torch.no_grad():
                logits = model(x_val)
            predicted = logits.argmax(1)
            return {
                "val_pixel_accuracy": pixel_accuracy(logits, y_val),
                "val_mean_iou": mean_iou(predicted, y_val, count),
            }

        fit(
            model,
            config,
            batches(images, masks, config),
            ("pixel_accuracy", pixel_accuracy),
            validate,
            context,
        )
        return save_trained(model, data, context, CHECKPOINT, image_size=image_size, grayscale=grayscale)

    def load(self, checkpoint: str = CHECKPOINT, *, context: RunContext) -> "Segmenter":
        """A checkpoint of the run (a file name), loaded once: a deployed service segments its requests."""
        return Segmenter(context.run_dir / checkpoint)

    def predict(
        self, images: str, output: str = "", batch_size: int = 16, *, context: RunContext
    ) -> list[dict[str, Any]]:
        segmenter = self.load(context=context)
        paths = list_images(images)
        if not paths:
            raise ValueError(f"No images in {images}")
        folder = Path(output) if output else context.run_dir / MASKS_FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        bar = context.progress(len(paths), "predict")
        records = []
        for start in range(0, len(paths), batch_size):
            batch = paths[start : start + batch_size]
            masks = segmenter.masks(load_images(batch, segmenter.size, segmenter.grayscale))
            for path, mask in zip(batch, masks, strict=True):
                records.append(_write_mask(path, mask, folder, segmenter.classes))
            bar.update(len(batch))
        return records


class Segmenter:
    """A trained TinyUNet in eval mode; called with decoded images, it answers one mask per image
    (a PNG at the image's own size, base64) and each class's share of the pixels."""

    def __init__(self, checkpoint: Path) -> None:
        saved = torch.load(checkpoint, map_location="cpu", weights_only=True)
        self.size, self.grayscale, self.classes = saved["image_size"], saved["grayscale"], saved["classes"]
        self.model = TinyUNet(1 if self.grayscale else 3, len(self.classes))
        self.model.load_state_dict(saved["state_dict"])
        self.model.eval()

    def masks(self, pixels: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        """Each pixel's class id, at the model's size."""
        with torch.no_grad():
            result: np.ndarray[Any, Any] = self.model(as_tensor(pixels)).argmax(1).numpy()
        return result

    def __call__(self, images: Sequence[Image.Image]) -> list[dict[str, Any]]:
        masks = self.masks(image_arrays(images, self.size, self.grayscale))
        records = []
        for image, mask in zip(images, masks, strict=True):
            resized = _full_size(mask, image.size)
            png = io.BytesIO()
            resized.save(png, format="PNG")
            records.append(
                {"mask": base64.b64encode(png.getvalue()).decode(), "classes": _shares(resized, self.classes)}
            )
        return records


def _write_mask(
    image_path: Path, mask: np.ndarray[Any, Any], folder: Path, classes: list[str]
) -> dict[str, Any]:
    """The mask at the image's own size (nearest neighbour), as ``<folder>/<name>.png``."""
    with Image.open(image_path) as image:
        original = image.size
    written = _full_size(mask, original)
    target = folder / f"{image_path.stem}.png"
    written.save(target)
    return {"sample": str(image_path), "mask": str(target), "classes": _shares(written, classes)}


def _full_size(mask: np.ndarray[Any, Any], size: tuple[int, int]) -> Image.Image:
    return Image.fromarray(mask.astype(np.uint8), mode="L").resize(size, Image.Resampling.NEAREST)


def _shares(mask: Image.Image, classes: list[str]) -> dict[str, float]:
    counts = np.bincount(np.asarray(mask).ravel(), minlength=len(classes))
    shares = counts / max(int(counts.sum()), 1)
    return {name: float(share) for name, share in zip(classes, shares, strict=True)}
