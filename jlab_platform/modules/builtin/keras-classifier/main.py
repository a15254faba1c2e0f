"""Keras image classifier whose model converts to TensorFlow Lite.

Module-level ``train``/``predict`` functions (the other accepted module form). The model
uses only TFLite builtin ops and is saved as ``model.keras`` (and, on request, as a
SavedModel folder): right-click either in the file browser to convert it.
"""

import json
from pathlib import Path
from typing import Any

import keras  # type: ignore[import-untyped]  # keras ships no type information
import numpy as np

from jlab_platform.kernel.module_run import RunContext
from jlab_platform.modules.imagefolder import (
    list_images,
    load_images,
    load_labeled,
    prediction_records,
    split,
)

MODEL_FILE = "model.keras"
SETTINGS_FILE = "settings.json"


def build_model(size: int, channels: int, classes: int, lr: float) -> keras.Model:
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
    model.compile(
        optimizer=keras.optimizers.Adam(lr), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    return model


class Report(keras.callbacks.Callback):  # type: ignore[misc]
    """Keras's epochs and batches as the platform's metrics and progress bar."""

    def __init__(self, context: RunContext, epochs: int, steps: int) -> None:
        super().__init__()
        self.context, self.epochs = context, epochs
        self.bar = context.progress(epochs * steps, "train")

    def on_train_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        self.bar.update()

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        metrics = {name: float(value) for name, value in (logs or {}).items()}
        self.context.log(epoch + 1, total=self.epochs, **metrics)


def train(
    data_dir: str,
    epochs: int = 15,
    lr: float = 0.01,
    batch_size: int = 16,
    image_size: int = 32,
    grayscale: bool = False,
    val_split: float = 0.2,
    seed: int = 0,
    saved_model: bool = False,
    *,
    context: RunContext,
) -> dict[str, Any]:
    keras.utils.set_random_seed(seed)
    images, labels, classes = load_labeled(data_dir, image_size, grayscale)
    train_idx, val_idx = split(len(labels), val_split, seed)
    model = build_model(image_size, images.shape[-1], len(classes), lr)
    validation = (images[val_idx], labels[val_idx]) if len(val_idx) else None
    steps = -(-len(train_idx) // batch_size)
    model.fit(
        images[train_idx],
        labels[train_idx],
        batch_size=batch_size,
        epochs=epochs,
        validation_data=validation,
        verbose=0,
        callbacks=[Report(context, epochs, steps)],
    )
    model.save(context.run_dir / MODEL_FILE)
    if saved_model:
        model.export(str(context.run_dir / "saved_model"), verbose=False)
    settings = {"classes": classes, "image_size": image_size, "grayscale": grayscale}
    (context.run_dir / SETTINGS_FILE).write_text(json.dumps(settings, indent=1) + "\n")
    return {"model": str(context.run_dir / MODEL_FILE), **settings, **context.last_metrics}


def predict(images: str, batch_size: int = 64, *, context: RunContext) -> list[dict[str, Any]]:
    settings = json.loads((context.run_dir / SETTINGS_FILE).read_text())
    model = keras.models.load_model(context.run_dir / MODEL_FILE)
    paths: list[Path] = list_images(images)
    if not paths:
        raise ValueError(f"No images in {images}")
    bar = context.progress(len(paths), "predict")
    chunks = []
    for start in range(0, len(paths), batch_size):
        batch = paths[start : start + batch_size]
        x = load_images(batch, settings["image_size"], settings["grayscale"])
        chunks.append(np.asarray(model.predict_on_batch(x)))
        bar.update(len(batch))
    return prediction_records(paths, np.concatenate(chunks), settings["classes"])
