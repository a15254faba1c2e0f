from pathlib import Path

import pytest

from tests.convert import models


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder of real models and calibration data, built once for every conversion test."""
    folder = tmp_path_factory.mktemp("models")
    models.keras_cnn(folder)
    models.unsupported_op_savedmodel(folder)
    models.representative_data(folder)
    return folder
