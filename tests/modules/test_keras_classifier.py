"""The shipped Keras module trains, predicts, and its saved model converts to TensorFlow Lite."""

from pathlib import Path
from typing import NoReturn

import numpy as np
import pytest

from jlab_platform.kernel import modules
from jlab_platform.kernel.client import ServerNotFound
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
    run = module.train(data_dir="data", epochs=6, image_size=16, batch_size=8, lr=0.02)
    assert (run.run_dir / "model.keras").is_file() and set(run.metrics) >= {"loss", "accuracy"}
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
