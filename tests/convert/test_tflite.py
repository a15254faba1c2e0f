"""TensorFlow Lite conversion of real Keras 3 models: every source kind, every quantization,
verification against the source, unsupported ops named, outputs never half-written."""

from pathlib import Path
from typing import Any

import pytest

from jlab_platform.convert.errors import ConversionError
from jlab_platform.convert.sources import TfliteJob
from jlab_platform.convert.tflite import convert_tflite

SOURCES = {"keras": "cnn.keras", "h5": "cnn.h5", "saved_model": "cnn_savedmodel"}


def convert(
    model_dir: Path, out: Path, source: str = "cnn.keras", kind: str = "keras", **options: Any
) -> dict[str, Any]:
    data = options.pop("representative_data", None)
    job = TfliteJob(
        source=model_dir / source,
        source_kind=kind,
        output=out,
        token="test",
        representative_data=model_dir / data if data else None,
        representative_label=data or "",
        **options,
    )
    stages: list[str] = []
    report = convert_tflite(job, lambda stage, fraction, message: stages.append(stage))
    assert stages[0] == "loading" and "converting" in stages
    return report


@pytest.mark.parametrize("kind", SOURCES)
def test_each_source_kind_converts_verified_and_says_how(model_dir: Path, tmp_path: Path, kind: str) -> None:
    out = tmp_path / "cnn.tflite"
    report = convert(model_dir, out, SOURCES[kind], kind)
    assert out.stat().st_size == report["output_bytes"] > 10_000
    assert report["source_kind"] == kind
    if kind == "saved_model":
        assert report["loaded_with"].startswith("tf.saved_model.load")
        assert "keras.models.load_model refuses SavedModel folders" in report["loaded_with"]
        assert report["converted_with"] == "tf.lite.TFLiteConverter.from_saved_model"
    else:
        assert report["loaded_with"] == "keras.models.load_model"
        assert report["converted_with"] == "tf.lite.TFLiteConverter.from_keras_model"
    verification = report["verification"]
    assert verification["performed"] is True and verification["samples"] == 8
    assert "random inputs" in verification["inputs"]
    assert verification["max_abs_diff"] < 1e-5 and verification["argmax_agreement"] == 1.0
    assert verification["passed"] is True and verification["tolerance"] == 1e-4
    assert report["ops"] == "TFLite builtins" and report["select_tf_ops"] == []
    assert report["op_counts"]["CONV_2D"] == 1 and report["op_counts"]["FULLY_CONNECTED"] == 2
    assert report["source_bytes"] > 0


@pytest.fixture(scope="module")
def plain_size(model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> int:
    size: int = convert(model_dir, tmp_path_factory.mktemp("plain") / "cnn.tflite")["output_bytes"]
    return size


@pytest.mark.parametrize(
    ("quantize", "largest_fraction", "tolerance"),
    [("dynamic", 0.45, 0.02), ("float16", 0.6, 0.002), ("int8", 0.45, 0.05)],
)
def test_each_quantization_shrinks_the_model_and_stays_close(
    model_dir: Path, tmp_path: Path, plain_size: int, quantize: str, largest_fraction: float, tolerance: float
) -> None:
    report = convert(
        model_dir, tmp_path / "q.tflite", quantize=quantize, representative_data="calibration.npy"
    )
    assert report["quantize"] == quantize
    assert report["output_bytes"] < largest_fraction * plain_size, (report["output_bytes"], plain_size)
    verification = report["verification"]
    assert verification["inputs"] == "24 samples from calibration.npy"
    assert verification["max_abs_diff"] < tolerance
    assert verification["argmax_agreement"] >= 0.9 and verification["passed"] is True


def test_int8_calibrates_on_a_folder_of_images(model_dir: Path, tmp_path: Path) -> None:
    report = convert(
        model_dir, tmp_path / "int8.tflite", quantize="int8", representative_data="calibration_images"
    )
    assert report["representative_data"] == (
        "12 images from calibration_images, resized to 16×16, RGB, scaled to [0, 1]"
    )
    assert report["verification"]["performed"] is True


def test_int8_without_representative_data_is_refused(model_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ConversionError, match="needs representative data"):
        convert(model_dir, tmp_path / "int8.tflite", quantize="int8")
    assert list(tmp_path.iterdir()) == []


def test_unsupported_ops_are_named_then_converted_with_select_tf_ops_unverified(
    model_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "det.tflite"
    with pytest.raises(ConversionError) as refused:
        convert(model_dir, out, "determinant_savedmodel", "saved_model")
    assert refused.value.data == {"code": "needs_select_tf_ops", "ops": ["MatrixDeterminant"]}
    assert "MatrixDeterminant" in refused.value.message and "LiteRT issue #6458" in refused.value.detail
    assert not out.exists()

    report = convert(model_dir, out, "determinant_savedmodel", "saved_model", allow_select_tf_ops=True)
    assert out.exists() and report["select_tf_ops"] == ["MatrixDeterminant"]
    assert report["op_counts"] == {"FlexMatrixDeterminant": 1}
    assert report["converted_with"].endswith("+ SELECT_TF_OPS")
    assert report["verification"]["performed"] is False
    assert "cannot run" in report["verification"]["reason"] and report["warnings"]


def test_a_failed_conversion_leaves_the_previous_output_untouched(model_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "cnn.tflite"
    out.write_bytes(b"the previous model")
    (tmp_path / "broken.keras").write_bytes(b"not a zip at all")
    job = TfliteJob(source=tmp_path / "broken.keras", source_kind="keras", output=out, token="t")
    with pytest.raises(ConversionError, match=r"Keras could not load broken\.keras"):
        convert_tflite(job, lambda *args: None)
    assert out.read_bytes() == b"the previous model"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.keras", "cnn.tflite"]  # no .part left


def test_representative_data_of_the_wrong_shape_says_what_fits(model_dir: Path, tmp_path: Path) -> None:
    import numpy as np

    np.save(tmp_path / "wrong.npy", np.zeros((5, 8, 8, 3), dtype="float32"))
    job = TfliteJob(
        source=model_dir / "cnn.keras",
        source_kind="keras",
        output=tmp_path / "x.tflite",
        token="t",
        quantize="int8",
        representative_data=tmp_path / "wrong.npy",
        representative_label="wrong.npy",
    )
    with pytest.raises(
        ConversionError, match=r"wrong\.npy has shape \(5, 8, 8, 3\); the model takes \(N, 16, 16, 3\)"
    ):
        convert_tflite(job, lambda *args: None)
