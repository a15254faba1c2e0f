"""Image classifier: a small CNN in PyTorch, trained on a folder of class folders.

``train`` takes the training configuration (``TrainConfig``'s fields as inputs, or a JSON/YAML
``config`` file): the split, resolution filter and augmentations, then ``max_iter`` SGD
iterations on the learning-rate policy. It writes ``model.pt`` (weights, classes, image
settings, the config) and the split manifests into the run folder; ``predict`` loads one and
returns class probabilities per image; ``load`` loads one once for a deployed service.
"""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image
from torch import nn

from jlab_platform.kernel.module_run import RunContext
from jlab_platform.kernel.training.data import batches, prepare
from jlab_platform.kernel.training.inputs import config_from_inputs
from jlab_platform.kernel.training.torch_loop import as_tensor, fit, save_trained
from jlab_platform.modules.imagefolder import class_scores, image_arrays, load_images, predict_images

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


def batch_accuracy(logits: torch.Tensor, labels: torch.Tensor) -> float:
    return float((logits.argmax(1) == labels).float().mean())


class ImageClassifier:
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
        config = config_from_inputs(options, "classification")
        data = prepare(data_dir, config, "classification", context.run_dir, epochs)
        config = data.config
        torch.manual_seed(config.seed)
        images = load_images(data.paths(data.train), image_size, grayscale)
        labels = np.asarray([sample.label for sample in data.train], dtype=np.int64)
        x_val = as_tensor(load_images(data.paths(data.val), image_size, grayscale)) if data.val else None
        y_val = torch.tensor([sample.label for sample in data.val], dtype=torch.int64)
        model = SmallCNN(images.shape[-1], len(data.classes), image_size)

        def validate() -> dict[str, float]:
            if x_val is None:
                return {}
            model.eval()
            with torch.no_grad():
                return {"val_accuracy": batch_accuracy(model(x_val), y_val)}

        fit(model, config, batches(images, labels, config), ("accuracy", batch_accuracy), validate, context)
        return save_trained(model, data, context, CHECKPOINT, image_size=image_size, grayscale=grayscale)

    def load(self, checkpoint: str = CHECKPOINT, *, context: RunContext) -> "Classifier":
        """A checkpoint of the run (a file name), loaded once: a deployed service scores requests with it."""
        return Classifier(context.run_dir / checkpoint)

    def predict(self, images: str, batch_size: int = 64, *, context: RunContext) -> list[dict[str, Any]]:
        return predict_images(self.load(context=context), images, batch_size, context)


class Classifier:
    """A trained SmallCNN in eval mode; called with decoded images, it answers one record per image."""

    def __init__(self, checkpoint: Path) -> None:
        saved = torch.load(checkpoint, map_location="cpu", weights_only=True)
        self.size, self.grayscale, self.classes = saved["image_size"], saved["grayscale"], saved["classes"]
        self.model = SmallCNN(1 if self.grayscale else 3, len(self.classes), self.size)
        self.model.load_state_dict(saved["state_dict"])
        self.model.eval()

    def probabilities(self, pixels: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            result: np.ndarray = torch.softmax(self.model(as_tensor(pixels)), dim=1).numpy()
        return result

    def __call__(self, images: Sequence[Image.Image]) -> list[dict[str, Any]]:
        return class_scores(self.probabilities(image_arrays(images, self.size, self.grayscale)), self.classes)
