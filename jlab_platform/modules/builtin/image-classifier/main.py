"""Image classifier: a small CNN in PyTorch, trained on a folder of class folders.

``train`` writes ``model.pt`` (weights, classes, image settings) into the run folder the
platform gives it; ``predict`` loads one and returns class probabilities per image.
"""

import json
from typing import Any

import numpy as np
import torch
from torch import nn

from jlab_platform.kernel.module_run import RunContext
from jlab_platform.modules.imagefolder import (
    list_images,
    load_images,
    load_labeled,
    prediction_records,
    split,
)

CHECKPOINT = "model.pt"


class SmallCNN(nn.Module):
    """Two conv blocks and a linear head: enough for small images, fast on a CPU."""

    def __init__(self, channels: int, classes: int, size: int, width: int = 16) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(channels, width, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(width, 2 * width, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.head = nn.Linear(2 * width * (size // 4) ** 2, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.head(self.features(x).flatten(1))
        return out


def as_tensor(images: np.ndarray[Any, Any]) -> torch.Tensor:
    """NHWC arrays in [0, 1] (the loader's layout) as the NCHW tensors PyTorch convolves."""
    return torch.from_numpy(np.ascontiguousarray(images.transpose(0, 3, 1, 2)))


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    if len(y) == 0:
        return float("nan")
    model.eval()
    with torch.no_grad():
        return float((model(x).argmax(1) == y).float().mean())


class ImageClassifier:
    def train(
        self,
        data_dir: str,
        epochs: int = 10,
        lr: float = 0.005,
        batch_size: int = 32,
        image_size: int = 32,
        grayscale: bool = False,
        val_split: float = 0.2,
        seed: int = 0,
        *,
        context: RunContext,
    ) -> dict[str, Any]:
        torch.manual_seed(seed)
        images, labels, classes = load_labeled(data_dir, image_size, grayscale)
        train_idx, val_idx = split(len(labels), val_split, seed)
        x, y = as_tensor(images[train_idx]), torch.from_numpy(labels[train_idx])
        x_val, y_val = as_tensor(images[val_idx]), torch.from_numpy(labels[val_idx])
        model = SmallCNN(x.shape[1], len(classes), image_size)
        optimizer = torch.optim.Adam(model.parameters(), lr=lr)
        steps = -(-len(y) // batch_size)
        bar = context.progress(epochs * steps, "train")
        generator = torch.Generator().manual_seed(seed)
        for epoch in range(1, epochs + 1):
            model.train()
            order = torch.randperm(len(y), generator=generator)
            total_loss = 0.0
            for start in range(0, len(y), batch_size):
                batch = order[start : start + batch_size]
                optimizer.zero_grad()
                loss = nn.functional.cross_entropy(model(x[batch]), y[batch])
                torch.autograd.backward(loss)
                optimizer.step()
                total_loss += loss.item() * len(batch)
                bar.update()
            metrics = {"loss": total_loss / len(y), "accuracy": accuracy(model, x, y)}
            if len(y_val):
                metrics["val_accuracy"] = accuracy(model, x_val, y_val)
            context.log(epoch, total=epochs, **metrics)
        settings = {"classes": classes, "image_size": image_size, "grayscale": grayscale}
        torch.save({"state_dict": model.state_dict(), **settings}, context.run_dir / CHECKPOINT)
        (context.run_dir / "classes.json").write_text(json.dumps(classes) + "\n")
        return {"checkpoint": str(context.run_dir / CHECKPOINT), **settings, **metrics}

    def predict(self, images: str, batch_size: int = 64, *, context: RunContext) -> list[dict[str, Any]]:
        saved = torch.load(context.run_dir / CHECKPOINT, map_location="cpu", weights_only=True)
        size, grayscale, classes = saved["image_size"], saved["grayscale"], saved["classes"]
        model = SmallCNN(1 if grayscale else 3, len(classes), size)
        model.load_state_dict(saved["state_dict"])
        model.eval()
        paths = list_images(images)
        if not paths:
            raise ValueError(f"No images in {images}")
        bar = context.progress(len(paths), "predict")
        chunks = []
        with torch.no_grad():
            for start in range(0, len(paths), batch_size):
                batch = paths[start : start + batch_size]
                x = as_tensor(load_images(batch, size, grayscale))
                chunks.append(torch.softmax(model(x), dim=1).numpy())
                bar.update(len(batch))
        return prediction_records(paths, np.concatenate(chunks), classes)
