"""Test material: generated image datasets and a seed-format module, as the seed documents it."""

import json
import random
from pathlib import Path

from PIL import Image, ImageDraw

SHAPES = ("circle", "square")

# The seed's template (seed 000, "数据集众包"), filled in with a nearest-centroid model on
# image brightness; pandas replaced by csv (it is not installed here). Run unchanged.
SEED_MAIN = """import csv
import glob
import json
import os
import pickle
import sys

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(__file__))


class cstest(object):
    def __init__(self, input={}):
        self.checkpoint_dir = os.path.dirname(__file__) + "/checkpoint"
        self.test = None
        with open(os.path.join(os.path.dirname(__file__), "config.json")) as f:
            self.classes = json.load(f)["classes"]

    def read(self):
        dataset_path = "./results/" + self.task_id + "/create.pkl"
        if os.path.exists(dataset_path):
            with open(dataset_path, "rb") as f:
                data = pickle.load(f)
                if data.get("filename", None):
                    img_path = os.path.join(data.get("filename"), "images/" + "*.png")
                    self.test = np.array(sorted(glob.glob(img_path)))

    def brightness(self, paths):
        pixels = [np.asarray(Image.open(p).convert("L"), dtype=np.float32) for p in paths]
        return np.array([image.mean() / 255 for image in pixels])

    def train(self):
        self.read()
        if len(self.test) > 0:
            train_path, train_label = self.read_csv()
            if len(train_path) <= 0 or len(train_label) <= 0:
                raise RuntimeError("There are no samples be marked.")
            values = self.brightness(train_path)
            labels = np.array(train_label)
            centroids = {c: float(values[labels == c].mean()) for c in set(train_label)}
            with open("./results/" + self.task_id + "model.pkl", "wb") as f:
                pickle.dump(centroids, f)
            print("trained on", len(train_path), "labels")

    def predict(self, input={}):
        self.read()
        weights = "./results/" + self.task_id + "model.pkl"
        values = self.brightness(self.test)
        if os.path.exists(weights):
            with open(weights, "rb") as f:
                centroids = pickle.load(f)
            distance = np.array([[abs(v - centroids.get(c, 10.0)) for c in self.classes] for v in values])
            probs = np.exp(-20 * distance)
            probs = probs / probs.sum(axis=1, keepdims=True)
        else:
            probs = np.full((len(values), len(self.classes)), 1.0 / len(self.classes))
        samples = self.test
        results = [{"sample": samples[i], "probability": probs[i]} for i in range(len(samples))]
        max_choosenumber = 1000
        data = {"results": results, "max_choose": max_choosenumber}
        if not os.path.exists("./results"):
            os.mkdir("./results")
        with open("./results/" + self.task_id + "/sample.pkl", "wb") as file:
            pickle.dump(data, file)

    def read_csv(self):
        csv_files = glob.glob("./results/crowdsourcing/" + self.task_id + "/*.csv")
        x = []
        y = []
        for filename in csv_files:
            with open(filename, newline="") as handle:
                for row in csv.DictReader(handle):
                    x.append(row["sample"])
                    y.append(row["label"])
        return x, y


if __name__ == "__main__":
    func_name = sys.argv[1]
    task_id = sys.argv[2]
    instance = cstest()
    instance.task_id = task_id
    print(func_name)
    if func_name == "train":
        instance.is_train = True
    else:
        instance.is_train = False
    getattr(instance, func_name)()
"""


def draw(shape: str, rng: random.Random, size: int = 16) -> Image.Image:
    """Circles are dark, squares bright: a brightness model can tell them apart."""
    image = Image.new("L", (size, size), color=rng.randint(0, 20))
    draw = ImageDraw.Draw(image)
    if shape == "circle":
        draw.ellipse((3, 3, size - 4, size - 4), fill=rng.randint(60, 110))
    else:
        draw.rectangle((1, 1, size - 2, size - 2), fill=rng.randint(190, 255))
    return image


def make_images(folder: Path, count: int, seed: int = 0, flat: bool = True) -> dict[str, str]:
    """``count`` images in ``folder`` (flat, or one folder per shape); returns {name: true shape}."""
    rng = random.Random(seed)
    truth = {}
    for index in range(count):
        shape = SHAPES[index % len(SHAPES)]
        name = f"img_{index:03d}.png" if flat else f"{shape}/{shape}_{index:03d}.png"
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        draw(shape, rng).save(path)
        truth[name] = shape
    return truth


def make_seed_module(folder: Path, classes: tuple[str, ...] = SHAPES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "main.py").write_text(SEED_MAIN)
    (folder / "config.json").write_text(json.dumps({"classes": list(classes), "task_type": "classification"}))
    return folder
