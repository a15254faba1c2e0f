"""TensorFlow Lite conversion. Runs in the conversion worker: importing it imports TensorFlow.

Keras 3 facts this follows (TensorFlow 2.21): ``keras.models.load_model`` reads ``.keras``
and ``.h5`` (tf_keras' and Keras 3's) but refuses SavedModel folders, which
``tf.saved_model.load`` and ``TFLiteConverter.from_saved_model`` read instead;
``from_keras_model`` fails on some Keras 3 models (dict inputs), which then go through
``model.export()`` to a temporary SavedModel. The report says which path was used.
"""

import contextlib
import io
import re
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import keras  # type: ignore[import-untyped]  # TensorFlow and Keras ship no type information
import numpy as np
import tensorflow as tf  # type: ignore[import-untyped]
from tensorflow.lite.python import schema_py_generated as schema  # type: ignore[import-untyped]
from tensorflow.lite.python.convert_phase import ConverterError  # type: ignore[import-untyped]

from ..files.atomic import write_atomic
from .errors import ConversionError
from .representative import InputSpec, Samples, load_samples, random_samples
from .sources import TfliteJob
from .tflite_verify import SELECT_OPS_UNVERIFIABLE, verify_tflite

Progress = Callable[[str, float, str], None]


@dataclass
class SourceModel:
    kind: str
    loaded_with: str
    inputs: list[InputSpec]
    run: Callable[[dict[str, np.ndarray]], dict[str, np.ndarray]]
    # Ways to build a converter, tried in order: (what the report calls it, factory).
    converters: list[tuple[str, Callable[[], Any]]]
    cleanup: list[Path] = field(default_factory=list)


def warm_up() -> str:
    """Convert and run a tiny model once; TensorFlow's version.

    Importing this module loads TensorFlow, Keras and LiteRT; the first conversion still pays
    ~0.4 s more for the converter and interpreter's own set-up, which this pays instead, before
    any user waits on it. torch loads on the first ONNX export.
    """
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Dense(2)(inputs))
    with contextlib.redirect_stdout(io.StringIO()):  # the converter prints the model's signature
        content = tf.lite.TFLiteConverter.from_keras_model(model).convert()
    source = _keras_model(model, "keras")
    verify_tflite(content, source, random_samples(source.inputs, count=1))
    keras.backend.clear_session()
    return str(tf.__version__)


def convert_tflite(job: TfliteJob, progress: Progress) -> dict[str, Any]:
    started = time.perf_counter()
    progress("loading", 0.05, f"Loading {job.source.name}")
    source = load_source(job.source, job.source_kind)
    try:
        samples = None
        if job.representative_data is not None:
            samples = load_samples(job.representative_data, source.inputs, job.representative_label)
        if job.quantize == "int8" and samples is None:
            raise ConversionError(
                "Full integer (int8) quantization needs representative data",
                "Choose a folder of sample images or a .npy array of typical inputs.",
            )
        progress("converting", 0.2, "Converting with TFLite builtin ops")
        content, select_ops, converted_with = _convert(source, job, samples, progress)
        progress("writing", 0.7, f"Writing {job.output.name}")
        write_atomic(job.output, content, job.token)
        report = _report(job, source, samples, content, select_ops, converted_with)
        if select_ops:
            report["verification"] = {"performed": False, "reason": SELECT_OPS_UNVERIFIABLE}
        elif job.verify:
            progress("verifying", 0.8, "Running both models on the same inputs")
            report["verification"] = verify_tflite(
                content, source, samples or random_samples(source.inputs), job.quantize
            )
        else:
            report["verification"] = {"performed": False, "reason": "verification was turned off"}
        report["seconds"] = round(time.perf_counter() - started, 3)
        return report
    finally:
        for path in source.cleanup:
            shutil.rmtree(path, ignore_errors=True)
        keras.backend.clear_session()


def _report(
    job: TfliteJob,
    source: SourceModel,
    samples: Samples | None,
    content: bytes,
    select_ops: list[str],
    converted_with: str,
) -> dict[str, Any]:
    return {
        "source_kind": source.kind,
        "loaded_with": source.loaded_with,
        "converted_with": converted_with,
        "quantize": job.quantize,
        "ops": "TFLite builtins + Select TF ops" if select_ops else "TFLite builtins",
        "select_tf_ops": select_ops,
        "op_counts": op_counts(content),
        "inputs": [{"name": s.name, "shape": list(s.shape), "dtype": s.dtype} for s in source.inputs],
        "representative_data": samples.description if samples else None,
        "source_bytes": _size(job.source),
        "output_bytes": len(content),
        "warnings": [SELECT_OPS_UNVERIFIABLE] if select_ops else [],
        "tensorflow": tf.__version__,
    }


def op_counts(content: bytes) -> dict[str, int]:
    """How many times the ``.tflite`` uses each op (Select TF ops as ``FlexName``), most used first."""
    model = schema.Model.GetRootAsModel(content, 0)
    builtin = {code: name for name, code in vars(schema.BuiltinOperator).items() if not name.startswith("_")}
    names = []
    for index in range(model.OperatorCodesLength()):
        code = model.OperatorCodes(index)
        custom = code.CustomCode()
        # Codes above 127 live in BuiltinCode; the older field keeps a placeholder then.
        number = max(code.BuiltinCode(), code.DeprecatedBuiltinCode())
        names.append(custom.decode() if custom else builtin.get(number, f"op {number}"))
    counts = Counter(
        names[graph.Operators(op).OpcodeIndex()]
        for graph in (model.Subgraphs(index) for index in range(model.SubgraphsLength()))
        for op in range(graph.OperatorsLength())
    )
    return dict(counts.most_common())


def load_source(path: Path, kind: str) -> SourceModel:
    if kind == "saved_model":
        return _saved_model(path)
    try:
        model = keras.models.load_model(path, compile=False)
    except Exception as exc:
        hint = (
            "Keras 3 reads .h5 files written by tf_keras and by Keras 3; custom layers must be "
            "registered (keras.saving.register_keras_serializable) in a module the model imports."
            if kind == "h5"
            else "Custom layers must be registered (keras.saving.register_keras_serializable)."
        )
        raise ConversionError(f"Keras could not load {path.name}: {_first_line(exc)}", hint) from exc
    return _keras_model(model, kind)


def _saved_model(path: Path) -> SourceModel:
    try:
        loaded = tf.saved_model.load(str(path))
    except Exception as exc:
        raise ConversionError(
            f"TensorFlow could not load the SavedModel {path.name}: {_first_line(exc)}",
            "Export Keras 3 models with model.export(folder); model.save() writes .keras files only.",
        ) from exc
    signatures = dict(loaded.signatures)
    if not signatures:
        raise ConversionError(
            f"The SavedModel {path.name} has no serving signature",
            "Export it with model.export(folder), or tf.saved_model.save(obj, folder, signatures=fn).",
        )
    key = "serving_default" if "serving_default" in signatures else sorted(signatures)[0]
    signature = signatures[key]
    specs = signature.structured_input_signature[1]
    inputs = [
        InputSpec(name, tuple(spec.shape.as_list()), spec.dtype.name) for name, spec in sorted(specs.items())
    ]

    def run(feeds: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        outputs = signature(**{name: tf.constant(value) for name, value in feeds.items()})
        return {name: np.asarray(value) for name, value in outputs.items()}

    return SourceModel(
        kind="saved_model",
        loaded_with=f"tf.saved_model.load, signature {key!r} "
        "(keras.models.load_model refuses SavedModel folders)",
        inputs=inputs,
        run=run,
        converters=[
            (
                "tf.lite.TFLiteConverter.from_saved_model",
                lambda: tf.lite.TFLiteConverter.from_saved_model(str(path), signature_keys=[key]),
            )
        ],
    )


def _keras_model(model: Any, kind: str) -> SourceModel:
    inputs = [InputSpec(t.name, tuple(t.shape), str(t.dtype)) for t in model.inputs]
    names = [spec.name for spec in inputs]
    exported: list[Path] = []

    def run(feeds: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        args = feeds[names[0]] if len(names) == 1 else [feeds[name] for name in names]
        outputs = model(args, training=False)
        if isinstance(outputs, dict):
            return {key: np.asarray(value) for key, value in outputs.items()}
        if isinstance(outputs, list | tuple):
            return {f"output_{i}": np.asarray(value) for i, value in enumerate(outputs)}
        return {"output_0": np.asarray(outputs)}

    def via_export() -> Any:
        folder = Path(tempfile.mkdtemp(prefix="jlab-tflite-"))
        exported.append(folder)
        model.export(str(folder / "saved_model"), format="tf_saved_model", verbose=False)
        return tf.lite.TFLiteConverter.from_saved_model(str(folder / "saved_model"))

    return SourceModel(
        kind=kind,
        loaded_with="keras.models.load_model",
        inputs=inputs,
        run=run,
        converters=[
            (
                "tf.lite.TFLiteConverter.from_keras_model",
                lambda: tf.lite.TFLiteConverter.from_keras_model(model),
            ),
            ("model.export() to a SavedModel, then TFLiteConverter.from_saved_model", via_export),
        ],
        cleanup=exported,
    )


def _convert(
    source: SourceModel, job: TfliteJob, samples: Samples | None, progress: Progress
) -> tuple[bytes, list[str], str]:
    failure: Exception | None = None
    for converted_with, factory in source.converters:
        try:
            return _run(factory, job, samples, select=False), [], converted_with
        except ConverterError as exc:
            select, custom = _needed_ops(str(exc))
            if custom:
                raise ConversionError(
                    f"The model uses ops that neither TFLite nor Select TF ops provide: {', '.join(custom)}",
                    "Replace these ops in the model, or register them as TFLite custom ops.",
                    {"code": "custom_ops", "ops": custom},
                ) from exc
            if not select:
                raise ConversionError("TFLite conversion failed", _error_lines(str(exc))) from exc
            if not job.allow_select_tf_ops:
                raise ConversionError(
                    f"The model needs TensorFlow ops that TFLite builtins lack: {', '.join(select)}",
                    "Convert again allowing Select TF ops: the model then needs the Flex delegate on "
                    "the device, and the Python interpreter here cannot run it (LiteRT issue #6458), "
                    "so it will not be verified.",
                    {"code": "needs_select_tf_ops", "ops": select},
                ) from exc
            progress("converting", 0.45, f"Converting again with Select TF ops: {', '.join(select)}")
            return _run(factory, job, samples, select=True), select, f"{converted_with} + SELECT_TF_OPS"
        except ConversionError:
            raise
        except Exception as exc:  # this path does not take the model: try the next one
            failure = exc
            progress("converting", 0.3, f"{converted_with} failed ({_first_line(exc)}); trying the next way")
    raise ConversionError("TFLite conversion failed", f"{type(failure).__name__}: {_first_line(failure)}")


def _run(factory: Callable[[], Any], job: TfliteJob, samples: Samples | None, select: bool) -> bytes:
    converter = factory()
    builtins = tf.lite.OpsSet.TFLITE_BUILTINS
    if job.quantize != "none":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if job.quantize == "float16":
        converter.target_spec.supported_types = [tf.float16]
    if job.quantize == "int8":
        assert samples is not None
        arrays = list(samples.arrays.values())
        converter.representative_dataset = lambda: ([a[i : i + 1]] for a in arrays for i in range(len(a)))
        builtins = tf.lite.OpsSet.TFLITE_BUILTINS_INT8
        if all(a.dtype.kind == "f" for a in arrays):
            converter.inference_input_type = tf.int8
            converter.inference_output_type = tf.int8
    converter.target_spec.supported_ops = [builtins, tf.lite.OpsSet.SELECT_TF_OPS] if select else [builtins]
    content: bytes = converter.convert()
    return content


def _needed_ops(message: str) -> tuple[list[str], list[str]]:
    def ops(label: str) -> list[str]:
        found = re.search(rf"{label}: ([^\n]+)", message)
        return [op.strip() for op in found.group(1).split(",") if op.strip()] if found else []

    return ops("TF Select ops"), ops("Custom ops")


def _error_lines(message: str) -> str:
    lines = []
    for line in re.findall(r"error: (.+)", message):
        cleaned = re.sub(r"^loc\(.*?\)\): ", "", line).strip()
        if cleaned and cleaned not in lines:
            lines.append(cleaned)
    return "\n".join(lines[:8])[:1500] or message[-1500:]


def _first_line(exc: BaseException | None) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:500] if text else type(exc).__name__


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size
