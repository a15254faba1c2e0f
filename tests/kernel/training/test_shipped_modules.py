"""The shipped PyTorch modules train with a configuration on generated data (seconds each)."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import pytest
import torch
from PIL import Image

from jlab_platform.kernel import modules
from jlab_platform.kernel.client import ServerNotFound
from jlab_platform.kernel.training import TrainConfig, learning_rate

from .shapes import write_class_shapes, write_segmentation_shapes


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    def no_server() -> NoReturn:
        raise ServerNotFound("no server in this test")

    monkeypatch.setattr("jlab_platform.kernel.modules.find_server", no_server)
    monkeypatch.delenv("JLAB_RESULTS_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    # One thread: on a busy CI machine two spinning OpenMP threads make each step several times slower.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield tmp_path
    torch.set_num_threads(threads)


def metric_lines(run_dir: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]


def test_image_classifier_trains_with_a_config_file(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_class_shapes(workspace / "data", per_class=10, size=16, sizes={"circle_000.png": (4, 4)})
    (workspace / "train.yml").write_text(
        "classification:\n  base_lr: 0.05\n  batch_size: 8\n  max_iter: 40\n  lr_policy: step\n"
        "  stepsize: 10\n  gamma: 0.5\n  display: 10\n  resolution: {min_width: 8}\n  augment: {flip: true}\n"
    )
    module = modules.load("image-classifier")
    run = module.train(data_dir="data", config="train.yml", image_size=16, base_lr=0.9)
    config = TrainConfig.from_file(run.run_dir / "train_config.json")
    assert config.base_lr == 0.05 and config.max_iter == 40 and config.augment.flip  # the file wins
    lines = metric_lines(run.run_dir)
    assert sorted({line["step"] for line in lines}) == [10, 20, 30, 40]
    rates = {line["step"]: line["value"] for line in lines if line["metric"] == "lr"}
    assert rates == {step: pytest.approx(learning_rate(config, step - 1)) for step in (10, 20, 30, 40)}
    assert {line["metric"] for line in lines} == {"loss", "accuracy", "lr", "val_accuracy"}
    assert run.metrics["val_accuracy"] >= 0.75
    out = capsys.readouterr().out
    assert '"step": 40, "total": 40' in out  # the Jobs view's lines, in iterations
    noncompliant = json.loads((run.run_dir / "noncompliant.json").read_text())
    assert [entry["path"] for entry in noncompliant] == ["circle/circle_000.png"]
    split = json.loads((run.run_dir / "split.json").read_text())
    assert len(split["train"]) + len(split["val"]) == 19
    predictions = module.predict(images="data")
    assert (
        len(predictions) == 20 and sum(p["label"] == Path(p["sample"]).parent.name for p in predictions) >= 15
    )


def test_the_older_inputs_still_train(workspace: Path) -> None:
    write_class_shapes(workspace / "data", per_class=6, size=16)
    run = modules.load("image-classifier").train(
        data_dir="data", epochs=3, lr=0.02, image_size=16, batch_size=4, val_split=0.5
    )
    config = TrainConfig.from_file(run.run_dir / "train_config.json")
    assert (config.base_lr, config.split.train, config.max_iter, config.display_every) == (0.02, 0.5, 6, 2)
    assert sorted({line["step"] for line in metric_lines(run.run_dir)}) == [2, 4, 6]


def test_segmentation_trains_on_shapes_and_predict_writes_masks(workspace: Path) -> None:
    write_segmentation_shapes(workspace / "seg", count=24, size=32)
    module = modules.load("segmentation")
    run = module.train(data_dir="seg", max_iter=150, batch_size=8, base_lr=0.1, display=50, flip=True)
    assert run.metrics["val_mean_iou"] >= 0.6, run.metrics
    assert {line["metric"] for line in metric_lines(run.run_dir)} == {
        "loss", "pixel_accuracy", "lr", "val_pixel_accuracy", "val_mean_iou",
    }  # fmt: skip
    split = json.loads((run.run_dir / "split.json").read_text())
    assert split["task"] == "segmentation" and split["classes"] == ["background", "circle", "square"]
    with Image.open(workspace / "seg/images/circle_000.png") as source:
        source.resize((48, 48)).save(workspace / "big.png")
    predictions = module.predict(images="big.png", output="out")
    written = np.asarray(Image.open(predictions[0]["mask"]))
    assert predictions[0]["mask"] == str(Path("out/big.png")) and written.shape == (48, 48)
    assert set(np.unique(written)) <= {0, 1, 2}
    assert sum(predictions[0]["classes"].values()) == pytest.approx(1.0)
    assert predictions[0]["classes"]["circle"] > predictions[0]["classes"]["square"]
    default = module.predict(images="seg/images/square_001.png")
    assert Path(default[0]["mask"]) == run.run_dir / "predicted_masks" / "square_001.png"
