"""Semantic segmentation: a small U-Net in PyTorch, trained on images with class-id masks.

Dataset layout: ``images/<name>.png`` (any image type), ``masks/<name>.png`` (one channel,
each pixel's value is its class id) and ``classes.txt`` (one class per line, the background
first). ``train`` takes the training configuration like the classifiers; ``predict`` writes one
mask per image (same layout: pixel value = class id, the image's own size).
"""

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
from jlab_platform.modules.imagefolder import list_images, load_images

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

    def predict(
        self, images: str, output: str = "", batch_size: int = 16, *, context: RunContext
    ) -> list[dict[str, Any]]:
        saved = torch.load(context.run_dir / CHECKPOINT, map_location="cpu", weights_only=True)
        size, grayscale, classes = saved["image_size"], saved["grayscale"], saved["classes"]
        model = TinyUNet(1 if grayscale else 3, len(classes))
        model.load_state_dict(saved["state_dict"])
        model.eval()
        paths = list_images(images)
        if not paths:
            raise ValueError(f"No images in {images}")
        folder = Path(output) if output else context.run_dir / MASKS_FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        bar = context.progress(len(paths), "predict")
        records = []
        with torch.no_grad():
            for start in range(0, len(paths), batch_size):
                batch = paths[start : start + batch_size]
                predicted = model(as_tensor(load_images(batch, size, grayscale))).argmax(1).numpy()
                for path, mask in zip(batch, predicted, strict=True):
                    records.append(_write_mask(path, mask, folder, classes))
                bar.update(len(batch))
        return records


def _write_mask(
    image_path: Path, mask: np.ndarray[Any, Any], folder: Path, classes: list[str]
) -> dict[str, Any]:
    """The mask at the image's own size (nearest neighbour), as ``<folder>/<name>.png``."""
    with Image.open(image_path) as image:
        original = image.size
    written = Image.fromarray(mask.astype(np.uint8), mode="L").resize(original, Image.Resampling.NEAREST)
    target = folder / f"{image_path.stem}.png"
    written.save(target)
    counts = np.bincount(np.asarray(written).ravel(), minlength=len(classes))
    shares = counts / max(int(counts.sum()), 1)
    return {
        "sample": str(image_path),
        "mask": str(target),
        "classes": {name: float(share) for name, share in zip(classes, shares, strict=True)},
    }
