"""Small real models for the conversion tests, written the way users write them.

The CNN's hidden Dense layer has 12,544 weights: TFLite leaves tensors under 1,024
elements unquantized, so a model without a larger layer would not show quantization.
"""

from pathlib import Path
from typing import Any

import numpy as np

INPUT_SHAPE = (16, 16, 3)


def keras_cnn(folder: Path) -> dict[str, Path]:
    """The same CNN as ``cnn.keras``, ``cnn.h5`` (Keras' legacy HDF5) and a SavedModel folder."""
    import keras

    keras.utils.set_random_seed(0)
    inputs = keras.Input(INPUT_SHAPE, name="image")
    x = keras.layers.Conv2D(8, 3, activation="relu")(inputs)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(32, activation="relu")(x)
    outputs = keras.layers.Dense(4, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"keras": folder / "cnn.keras", "h5": folder / "cnn.h5", "saved_model": folder / "cnn_savedmodel"}
    model.save(paths["keras"])
    model.save(paths["h5"])
    model.export(str(paths["saved_model"]), format="tf_saved_model", verbose=False)
    return paths


def unsupported_op_savedmodel(folder: Path) -> Path:
    """A SavedModel using MatrixDeterminant, which TFLite builtins do not have."""
    import tensorflow as tf

    class Determinant(tf.Module):  # type: ignore[misc]
        @tf.function(input_signature=[tf.TensorSpec([None, 4, 4], tf.float32)])
        def __call__(self, x: Any) -> Any:
            return {"det": tf.linalg.det(x)}

    module = Determinant()
    path = folder / "determinant_savedmodel"
    tf.saved_model.save(module, str(path), signatures=module.__call__)
    return path


def representative_data(folder: Path) -> dict[str, Path]:
    """The same kind of inputs as a .npy array and as a folder of PNG images in class subfolders."""
    from PIL import Image

    rng = np.random.default_rng(1)
    samples = rng.random((24, *INPUT_SHAPE)).astype("float32")
    npy = folder / "calibration.npy"
    np.save(npy, samples)
    images = folder / "calibration_images"
    for i, sample in enumerate(samples[:12]):
        target = images / f"class{i % 2}"
        target.mkdir(parents=True, exist_ok=True)
        Image.fromarray((sample * 255).astype("uint8")).resize((32, 32)).save(target / f"{i}.png")
    return {"npy": npy, "images": images}


def slow_keras_model(path: Path) -> Path:
    """A MobileNetV2 (untrained, small): its conversion takes seconds, long enough to cancel."""
    import keras

    keras.applications.MobileNetV2(input_shape=(96, 96, 3), alpha=0.35, weights=None, classes=10).save(path)
    return path


def torch_cnn() -> Any:
    import torch

    torch.manual_seed(0)

    class Net(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = torch.nn.Conv2d(3, 8, 3)
            self.head = torch.nn.Linear(8 * 14 * 14, 5)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.head(torch.relu(self.conv(x)).flatten(1))

    return Net().eval()
