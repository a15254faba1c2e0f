"""ResNet-18 (random weights, no download) as a deployable .py service, for bench_deploy.py.

The same functions serve all three contenders: our runtime loads this file as a service
(``ResNetService``), LitServe's API and the direct in-process loop call ``decode``/``predict``.
torchvision is not a dependency, so the network is written out here (He et al. 2015, 18 layers).
"""

import base64
import io
from typing import Any

import numpy as np
import torch
from PIL import Image
from torch import nn

SIZE = 224
_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


class _Block(nn.Module):
    def __init__(self, inputs: int, outputs: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(inputs, outputs, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(outputs)
        self.conv2 = nn.Conv2d(outputs, outputs, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(outputs)
        self.shortcut = (
            nn.Sequential(nn.Conv2d(inputs, outputs, 1, stride, bias=False), nn.BatchNorm2d(outputs))
            if stride != 1 or inputs != outputs
            else nn.Identity()
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = torch.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        result: torch.Tensor = torch.relu(out + self.shortcut(x))
        return result


def resnet18(classes: int = 1000) -> nn.Module:
    torch.manual_seed(0)
    layers: list[nn.Module] = [
        nn.Conv2d(3, 64, 7, 2, 3, bias=False),
        nn.BatchNorm2d(64),
        nn.ReLU(),
        nn.MaxPool2d(3, 2, 1),
    ]
    width = 64
    for outputs, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
        layers += [_Block(width, outputs, stride), _Block(outputs, outputs, 1)]
        width = outputs
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, classes)]
    return nn.Sequential(*layers).eval()


def to_tensor(image: Image.Image) -> torch.Tensor:
    pixels = np.asarray(image.convert("RGB").resize((SIZE, SIZE)), dtype=np.float32) / 255.0
    return torch.from_numpy(((pixels - _MEAN) / _STD).transpose(2, 0, 1).copy())


def decode(text: str) -> torch.Tensor:
    """What a request carries (base64 of a JPEG) as the network's input."""
    return to_tensor(Image.open(io.BytesIO(base64.b64decode(text))))


def predict(model: nn.Module, batch: list[torch.Tensor]) -> list[dict[str, Any]]:
    with torch.inference_mode():
        probabilities = torch.softmax(model(torch.stack(batch)), dim=1)
    best = probabilities.max(dim=1)
    return [
        {"class": int(index), "probability": float(value)}
        for index, value in zip(best.indices, best.values, strict=True)
    ]


class ResNetService:
    batchable = True

    def load(self) -> None:
        self.model = resnet18()

    def preprocess(self, request: dict[str, Any]) -> torch.Tensor:
        return to_tensor(request["image"])

    def inference(self, batch: list[torch.Tensor]) -> list[dict[str, Any]]:
        return predict(self.model, batch)
