"""The shipped Keras module trains, predicts, and its saved model converts to TensorFlow Lite."""

import json
import zipfile
from pathlib import Path
from typing import NoReturn

import numpy as np
import pytest

from jlab_platform.kernel import modules
from jlab_platform.kernel.client import ServerNotFound
from jlab_platform.kernel.training import TrainConfig, learning_rate
from tests.modules.factory import write_stripes


def test_keras_classifier_trains_predicts_and_converts_to_tflite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_server() -> NoReturn:
        raise ServerNotFound("no server in this test")

    monkeypatch.setattr("jlab_platform.kernel.modules.find_server", no_server)
    monkeypatch.delenv("JLAB_RESULTS_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    write_stripes(tmp_path / "data", per_class=10)
    module = modules.load("keras-classifier")
    run = module.train(
        data_dir="data",
        max_iter=12,
        image_size=16,
        batch_size=8,
        base_lr=0.02,
        display=4,
        flip=True,
        min_width=8,
    )
    assert (run.run_dir / "model.keras").is_file() and set(run.metrics) >= {"loss", "accuracy", "lr"}
    # The training configuration: its schedule's rates in the metric lines, its manifests.
    config = TrainConfig.from_file(run.run_dir / "train_config.json")
    assert config.augment.flip and config.resolution is not None and config.max_iter == 12
    lines = [json.loads(line) for line in (run.run_dir / "metrics.jsonl").read_text().splitlines()]
    rates = {line["step"]: line["value"] for line in lines if line["metric"] == "lr"}
    assert rates == {step: pytest.approx(learning_rate(config, step - 1)) for step in (4, 8, 12)}
    # Saved with a plain SGD at the last rate: keras.models.load_model needs nothing of ours.
    with zipfile.ZipFile(run.run_dir / "model.keras") as saved:
        optimizer = json.loads(saved.read("config.json"))["compile_config"]["optimizer"]["config"]
    assert optimizer["learning_rate"] == pytest.approx(learning_rate(config, 11))
    split = json.loads((run.run_dir / "split.json").read_text())
    assert len(split["train"]) == 16 and json.loads((run.run_dir / "noncompliant.json").read_text()) == []
    predictions = module.predict(images="data")
    assert len(predictions) == 20
    assert all(abs(sum(p["probability"]) - 1) < 1e-4 for p in predictions)
    assert sum(p["label"] == Path(p["sample"]).parent.name for p in predictions) >= 14

    import keras
    import tensorflow as tf

    model = keras.models.load_model(run.run_dir / "model.keras")
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    interpreter = tf.lite.Interpreter(model_content=converter.convert())
    interpreter.allocate_tensors()
    image = np.random.default_rng(0).random((1, 16, 16, 3), dtype=np.float32)
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], image)
    interpreter.invoke()
    lite = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])
    assert np.abs(lite - model.predict_on_batch(image)).max() < 1e-4
