"""A run with known predictions: the ``oracle`` module predicts what the test wrote down.

The workspace gets ``modules/oracle`` (its ``predict`` answers from ``answers.json`` in the
run folder, by image file name), ``datasets/cls/<class>/<n>.png`` and a complete run
``results/oracle/run-1`` with the files training writes (``split.json``, ``noncompliant.json``).
"""

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from tests.modules.factory import write_module

ORACLE_SPEC = """\
name: oracle
version: "1.0"
description: Predicts what answers.json in its run says
task: image-classification
predict:
  inputs:
    images: {type: path}
"""

ORACLE_MAIN = """\
import json
from pathlib import Path

from jlab_platform.modules.imagefolder import list_images


def predict(images, *, context):
    answers = json.loads((context.run_dir / "answers.json").read_text())
    classes = answers["classes"]
    records = []
    for path in list_images(images):
        probability = answers["probabilities"][path.resolve().name]
        best = max(range(len(classes)), key=lambda k: probability[k])
        records.append({"sample": str(path), "probability": probability, "label": classes[best]})
    return records
"""


@dataclass(frozen=True)
class Fabricated:
    run: Path
    data: Path
    classes: list[str]
    truth: list[int]  # of the val split, in split.json's order
    predicted: list[int]
    noncompliant: list[str]


def fabricate(
    root: Path, truth: list[int], predicted: list[int], classes: list[str], seed: int = 0
) -> Fabricated:
    """All samples in the val split; one extra image per run listed as non-compliant."""
    write_module(root / "modules", "oracle", spec=ORACLE_SPEC, main=ORACLE_MAIN)
    rng = np.random.default_rng(seed)
    data = root / "datasets" / "cls"
    run = root / "results" / "oracle" / "run-1"
    run.mkdir(parents=True)
    val, probabilities = [], {}
    for number, (t, p) in enumerate(zip(truth, predicted, strict=True)):
        name = f"s{number:05d}.png"
        path = data / classes[t] / name
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(rng.integers(0, 255, (8, 8, 3), dtype=np.uint8)).save(path)
        probability = np.full(len(classes), 0.1 / max(len(classes) - 1, 1))
        probability[p] = 0.9 - 0.001 * (number % 100)
        probabilities[name] = probability.tolist()
        val.append({"path": f"{classes[t]}/{name}", "label": classes[t]})
    big = data / classes[0] / "huge.png"
    Image.fromarray(np.zeros((8, 40, 3), dtype=np.uint8)).save(big)
    noncompliant = [
        {
            "path": f"{classes[0]}/huge.png",
            "label": classes[0],
            "width": 40,
            "height": 8,
            "reason": "width 40 > max_width 32",
        }
    ]
    val.sort(key=lambda entry: entry["path"])
    split = {
        "task": "classification",
        "data_dir": str(data),
        "seed": 0,
        "ratio": 0.0,
        "classes": classes,
        "train": [],
        "val": val,
    }
    (run / "split.json").write_text(json.dumps(split))
    (run / "noncompliant.json").write_text(json.dumps(noncompliant))
    (run / "train_config.json").write_text(json.dumps({"resolution": {"max_width": 32}}))
    (run / "answers.json").write_text(json.dumps({"classes": classes, "probabilities": probabilities}))
    (run / "run.json").write_text(json.dumps({"module": "oracle", "status": "complete", "params": {}}))
    order = {entry["path"]: n for n, entry in enumerate(val)}
    ordered = sorted(range(len(truth)), key=lambda n: order[f"{classes[truth[n]]}/s{n:05d}.png"])
    return Fabricated(
        run, data, classes, [truth[n] for n in ordered], [predicted[n] for n in ordered], [str(big)]
    )


SEGMENTER_SPEC = """\
name: segmenter
version: "1.0"
description: Writes the masks the test put in its run's predicted/ folder
task: semantic-segmentation
predict:
  inputs:
    images: {type: path}
    output: {type: str, default: ""}
"""

SEGMENTER_MAIN = """\
import shutil
from pathlib import Path

from jlab_platform.modules.imagefolder import list_images


def predict(images, output="", *, context):
    Path(output).mkdir(parents=True, exist_ok=True)
    records = []
    for path in list_images(images):
        target = Path(output) / f"{path.stem}.png"
        shutil.copy(context.run_dir / "predicted" / path.resolve().name, target)
        records.append({"sample": str(path), "mask": str(target), "classes": {}})
    return records
"""


def fabricate_segmentation(root: Path, truth: np.ndarray, predicted: np.ndarray, classes: list[str]) -> Path:
    """A segmentation run whose val split is every (image, mask) pair; returns the run folder."""
    write_module(root / "modules", "segmenter", spec=SEGMENTER_SPEC, main=SEGMENTER_MAIN)
    data = root / "datasets" / "seg"
    run = root / "results" / "segmenter" / "run-1"
    (run / "predicted").mkdir(parents=True)
    (data / "images").mkdir(parents=True)
    (data / "masks").mkdir()
    val = []
    for number, (true_mask, predicted_mask) in enumerate(zip(truth, predicted, strict=True)):
        name = f"m{number:03d}.png"
        Image.fromarray(np.zeros((*true_mask.shape, 3), dtype=np.uint8)).save(data / "images" / name)
        Image.fromarray(true_mask.astype(np.uint8)).save(data / "masks" / name)
        Image.fromarray(predicted_mask.astype(np.uint8)).save(run / "predicted" / name)
        counts = np.bincount(true_mask.ravel(), minlength=len(classes))
        counts[0] = 0
        label = classes[int(counts.argmax()) if counts.any() else 0]
        val.append({"path": f"images/{name}", "mask": f"masks/{name}", "label": label})
    split = {
        "task": "segmentation",
        "data_dir": str(data),
        "seed": 0,
        "ratio": 0.0,
        "classes": classes,
        "train": [],
        "val": val,
    }
    (run / "split.json").write_text(json.dumps(split))
    (run / "noncompliant.json").write_text("[]")
    (run / "run.json").write_text(json.dumps({"module": "segmenter", "status": "complete", "params": {}}))
    return run
