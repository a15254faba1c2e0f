"""What can be converted and where the result goes: checked in the server before any work is
queued, so bad input is a clear 400. Imports no framework."""

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from ..errors import InvalidInput

Quantize = Literal["none", "dynamic", "float16", "int8"]
QUANTIZE_MODES: tuple[str, ...] = get_args(Quantize)
SAVED_MODEL_MARKERS = ("saved_model.pb", "saved_model.pbtxt")
KERAS_SUFFIXES = {".keras": "keras", ".h5": "h5", ".hdf5": "h5"}
TORCH_SUFFIXES = {".pt": "torchscript", ".pt2": "exported_program"}


@dataclass(frozen=True)
class TfliteJob:
    source: Path
    source_kind: str  # saved_model | keras | h5
    output: Path
    token: str  # names the partial output file while it is written
    quantize: str = "none"
    representative_data: Path | None = None
    representative_label: str = ""
    allow_select_tf_ops: bool = False
    verify: bool = True


@dataclass(frozen=True)
class OnnxJob:
    source: Path
    source_kind: str  # torchscript | exported_program
    output: Path
    token: str
    input_shape: tuple[int, ...] | None = None
    dynamic_batch: bool = True


def job_to_json(job: TfliteJob | OnnxJob) -> dict[str, Any]:
    return {
        key: str(value) if isinstance(value, Path) else list(value) if isinstance(value, tuple) else value
        for key, value in dataclasses.asdict(job).items()
    }


def tflite_job_from_json(params: dict[str, Any]) -> TfliteJob:
    paths = {key: Path(params[key]) for key in ("source", "output")}
    data = params.get("representative_data")
    return TfliteJob(**{**params, **paths, "representative_data": Path(data) if data else None})


def onnx_job_from_json(params: dict[str, Any]) -> OnnxJob:
    shape = params.get("input_shape")
    return OnnxJob(
        **{
            **params,
            "source": Path(params["source"]),
            "output": Path(params["output"]),
            "input_shape": tuple(shape) if shape else None,
        }
    )


def tflite_source_kind(path: Path, shown: str) -> str:
    if path.is_dir():
        if any((path / marker).is_file() for marker in SAVED_MODEL_MARKERS):
            return "saved_model"
        raise InvalidInput(
            f"{shown} is not a SavedModel folder (it has no saved_model.pb)",
            "Convert a SavedModel folder, a .keras or a .h5 file. Keras 3 writes SavedModels with "
            "model.export(folder); model.save() writes .keras files.",
        )
    kind = KERAS_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise InvalidInput(
            f"{shown} is not a model TensorFlow Lite converts",
            "Convert a SavedModel folder, a .keras or a .h5 file.",
        )
    return kind


def onnx_source_kind(path: Path, shown: str) -> str:
    kind = TORCH_SUFFIXES.get(path.suffix.lower()) if path.is_file() else None
    if kind is None:
        raise InvalidInput(
            f"{shown} is not a PyTorch model file this platform exports",
            "Export a TorchScript .pt (torch.jit.save) or an ExportedProgram .pt2 (torch.export.save); "
            "for a model in a notebook call jlab_platform.kernel.convert.to_onnx().",
        )
    return kind


def default_tflite_output(source: Path, quantize: str) -> Path:
    """``model.tflite`` beside ``model.keras``; quantized variants do not replace each other."""
    stem = source.name if source.is_dir() else source.stem
    suffix = "" if quantize == "none" else f"_{quantize}"
    return source.with_name(f"{stem}{suffix}.tflite")


def default_onnx_output(source: Path) -> Path:
    return source.with_name(f"{source.stem}.onnx")


def check_input_shape(value: Any) -> tuple[int, ...] | None:
    if value is None:
        return None
    if (
        not isinstance(value, list)
        or not 1 <= len(value) <= 8
        or not all(
            isinstance(dim, int) and not isinstance(dim, bool) and 1 <= dim <= 100_000 for dim in value
        )
    ):
        raise InvalidInput(
            "input_shape must be a list of 1 to 8 positive integers, batch first",
            "e.g. [1, 3, 224, 224].",
        )
    return tuple(value)
