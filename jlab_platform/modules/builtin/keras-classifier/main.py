"""Keras image classifier whose model converts to TensorFlow Lite.

Module-level ``train``/``predict`` functions (the other accepted module form); ``load``
loads a trained model once for a deployed service. ``train`` takes
the training configuration like the PyTorch classifier: SGD with momentum and weight decay on
the config's learning-rate schedule (``ConfigSchedule``), ``max_iter`` batches. The model
uses only TFLite builtin ops and is saved as ``model.keras`` (and, on request, as a
SavedModel folder): right-click either in the file browser to convert it.
"""

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import keras  # type: ignore[import-untyped]  # keras ships no type information
import numpy as np
from PIL import Image

from jlab_platform.kernel.module_run import RunContext
from jlab_platform.kernel.training.config import TrainConfig
from jlab_platform.kernel.training.data import batches, prepare
from jlab_platform.kernel.training.inputs import config_from_inputs
from jlab_platform.kernel.training.keras_schedule import sgd
from jlab_platform.kernel.training.progress import Reporter
from jlab_platform.kernel.training.schedule import learning_rate
from jlab_platform.modules.imagefolder import class_scores, image_arrays, load_images, predict_images

MODEL_FILE = "model.keras"
SETTINGS_FILE = "settings.json"


def build_model(size: int, channels: int, classes: int, config: TrainConfig) -> keras.Model:
    model = keras.Sequential(
        [
            keras.Input((size, size, channels)),
            keras.layers.Conv2D(16, 3, padding="same", activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(classes, activation="softmax"),
        ]
    )
    compile_with(model, sgd(config))
    return model


def compile_with(model: keras.Model, optimizer: keras.optimizers.Optimizer) -> None:
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])


def train(
    data_dir: str,
    image_size: int = 32,
    grayscale: bool = False,
    saved_model: bool = False,
    epochs: int | None = None,
    *,
    context: RunContext,
    **options: Any,
) -> dict[str, Any]:
    config = config_from_inputs(options, "classification")
    data = prepare(data_dir, config, "classification", context.run_dir, epochs)
    config = data.config
    keras.utils.set_random_seed(config.seed)
    images = load_images(data.paths(data.train), image_size, grayscale)
    labels = np.asarray([sample.label for sample in data.train], dtype=np.int64)
    x_val = load_images(data.paths(data.val), image_size, grayscale) if data.val else None
    y_val = np.asarray([sample.label for sample in data.val], dtype=np.int64)
    model = build_model(image_size, images.shape[-1], len(data.classes), config)

    def validate() -> dict[str, float]:
        if x_val is None:
            return {}
        return {"val_accuracy": float(np.mean(np.argmax(model.predict_on_batch(x_val), 1) == y_val))}

    reporter = Reporter(context, config, "accuracy")
    feed = batches(images, labels, config)
    for iteration in range(config.max_iter):
        x, y = next(feed)
        logs = model.train_on_batch(x, y, return_dict=True)
        rate = learning_rate(config, iteration)  # what ConfigSchedule gave this update
        reporter.step(iteration, float(logs["loss"]), float(logs["accuracy"]), rate, validate)
    # Saved with a plain SGD at the last rate: Keras finds a custom schedule class only where its
    # module was imported first, and model.keras must load anywhere (keras.models.load_model).
    final = keras.optimizers.SGD(
        learning_rate=learning_rate(config, config.max_iter - 1),
        momentum=config.momentum,
        weight_decay=config.weight_decay or None,
    )
    compile_with(model, final)
    final.build(model.trainable_variables)  # its slots saved too: loading warns of none missing
    model.save(context.run_dir / MODEL_FILE)
    if saved_model:
        model.export(str(context.run_dir / "saved_model"), verbose=False)
    settings = {"classes": data.classes, "image_size": image_size, "grayscale": grayscale}
    (context.run_dir / SETTINGS_FILE).write_text(json.dumps(settings, indent=1) + "\n")
    return {
        "model": str(context.run_dir / MODEL_FILE),
        **settings,
        "max_iter": config.max_iter,
        "noncompliant": len(data.noncompliant),
        **context.last_metrics,
    }


def load(checkpoint: str = MODEL_FILE, *, context: RunContext) -> "Classifier":
    """A model file of the run, loaded once: a deployed service scores its requests with it."""
    return Classifier(context.run_dir, checkpoint)


def predict(images: str, batch_size: int = 64, *, context: RunContext) -> list[dict[str, Any]]:
    return predict_images(load(context=context), images, batch_size, context)


class Classifier:
    """A saved model; called with decoded images, it answers one record per image."""

    def __init__(self, run_dir: Path, model_file: str = MODEL_FILE) -> None:
        settings = json.loads((run_dir / SETTINGS_FILE).read_text())
        self.size, self.grayscale, self.classes = (
            settings["image_size"],
            settings["grayscale"],
            settings["classes"],
        )
        self.model = keras.models.load_model(run_dir / model_file)

    def probabilities(self, pixels: np.ndarray) -> np.ndarray:
        return np.asarray(self.model.predict_on_batch(pixels))

    def __call__(self, images: Sequence[Image.Image]) -> list[dict[str, Any]]:
        return class_scores(self.probabilities(image_arrays(images, self.size, self.grayscale)), self.classes)
