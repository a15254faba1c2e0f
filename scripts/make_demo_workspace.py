"""Prepare the demo workspace that `make run` opens: a notebook, a script and a small image dataset.

Everything is generated locally (no downloads). Existing files are left alone,
so re-running never overwrites a user's edits.
"""

import json
import random
import sys
from pathlib import Path

from PIL import Image, ImageDraw

CLASSES = ("circle", "square", "triangle")
IMAGES_PER_CLASS = 40
IMAGE_SIZE = 32

TRAIN_SCRIPT = '''"""Train a tiny CNN on datasets/shapes and save it to results/.

Prints one JSON line per metric, which the platform plots for jobs.
"""

import json
import os
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch import nn

DATA = Path("datasets/shapes")
RESULTS = Path(os.environ.get("JLAB_RESULTS_DIR", "results"))
EPOCHS = int(os.environ.get("EPOCHS", "5"))


def load() -> tuple[torch.Tensor, torch.Tensor, list[str]]:
    classes = sorted(p.name for p in DATA.iterdir() if p.is_dir())
    xs, ys = [], []
    for label, name in enumerate(classes):
        for image in sorted((DATA / name).glob("*.png")):
            xs.append(np.asarray(Image.open(image).convert("L"), dtype=np.float32) / 255.0)
            ys.append(label)
    return torch.tensor(np.stack(xs)).unsqueeze(1), torch.tensor(ys), classes


def main() -> None:
    torch.manual_seed(0)
    x, y, classes = load()
    model = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 8 * 8, len(classes)),
    )
    optimiser = torch.optim.Adam(model.parameters(), lr=0.01)
    for epoch in range(1, EPOCHS + 1):
        optimiser.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimiser.step()
        accuracy = (model(x).argmax(1) == y).float().mean().item()
        print(json.dumps({"metric": "loss", "value": round(loss.item(), 4), "step": epoch, "total": EPOCHS}))
        print(json.dumps({"metric": "accuracy", "value": round(accuracy, 4), "step": epoch, "total": EPOCHS}))
    RESULTS.mkdir(parents=True, exist_ok=True)
    # TorchScript: the model's code travels with its weights, so the file loads (and exports
    # to ONNX from the file browser) without this script.
    torch.jit.save(torch.jit.script(model.eval()), RESULTS / "shapes_cnn.pt")
    print(f"saved {RESULTS / 'shapes_cnn.pt'}")


if __name__ == "__main__":
    main()
'''

DATASET_README = """# shapes

A small generated image dataset: {count} grayscale {size}x{size} PNG images of {classes},
one folder per class. Made by `scripts/make_demo_workspace.py` (no download).

- task type: image classification
- classes: {classes}
"""


def _notebook() -> dict[str, object]:
    def code(source: str) -> dict[str, object]:
        return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}

    def markdown(source: str) -> dict[str, object]:
        return {"cell_type": "markdown", "metadata": {}, "source": source}

    return {
        "cells": [
            markdown(
                "# Getting started with jlab_platform\n\nThe Platform panel on the left shows "
                "what the server detected. The kernel library reaches the same server:"
            ),
            code("%load_ext jlab_platform.kernel\n%platform_info"),
            markdown("`train.py` trains a tiny CNN on `datasets/shapes` and saves it under `results/`."),
            code("%run train.py"),
            markdown(
                "The same training through a module: the **Modules & Datasets** sidebar on the "
                "right writes cells like this one from its Train and Predict forms."
            ),
            code(
                "from jlab_platform.kernel import modules\n\n"
                'module = modules.load("image-classifier")\n'
                'run = module.train(data_dir="datasets/shapes", epochs=10)\n'
                'predictions = module.predict(images="datasets/shapes/circle")\n'
                "predictions[:3]"
            ),
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def _draw(shape: str, rng: random.Random) -> Image.Image:
    image = Image.new("L", (IMAGE_SIZE, IMAGE_SIZE), color=rng.randint(0, 40))
    draw = ImageDraw.Draw(image)
    size = rng.randint(12, 24)
    x0 = rng.randint(1, IMAGE_SIZE - size - 1)
    y0 = rng.randint(1, IMAGE_SIZE - size - 1)
    fill = rng.randint(160, 255)
    if shape == "circle":
        draw.ellipse((x0, y0, x0 + size, y0 + size), fill=fill)
    elif shape == "square":
        draw.rectangle((x0, y0, x0 + size, y0 + size), fill=fill)
    else:
        draw.polygon([(x0 + size // 2, y0), (x0, y0 + size), (x0 + size, y0 + size)], fill=fill)
    return image


def _write_once(path: Path, text: str) -> None:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def make(workspace: Path) -> None:
    workspace.mkdir(parents=True, exist_ok=True)
    _write_once(workspace / "getting_started.ipynb", json.dumps(_notebook(), indent=1) + "\n")
    _write_once(workspace / "train.py", TRAIN_SCRIPT)
    dataset = workspace / "datasets" / "shapes"
    _write_once(
        dataset / "README.md",
        DATASET_README.format(
            count=IMAGES_PER_CLASS * len(CLASSES), size=IMAGE_SIZE, classes=", ".join(CLASSES)
        ),
    )
    rng = random.Random(0)
    for shape in CLASSES:
        folder = dataset / shape
        folder.mkdir(parents=True, exist_ok=True)
        for index in range(IMAGES_PER_CLASS):
            image = _draw(shape, rng)
            target = folder / f"{shape}_{index:03d}.png"
            if not target.exists():
                image.save(target)
    (workspace / "results").mkdir(exist_ok=True)
    print(f"Demo workspace ready in {workspace.resolve()}")


if __name__ == "__main__":
    make(Path(sys.argv[1] if len(sys.argv) > 1 else "workspace"))
