"""Run the source model and the ``.tflite`` (ai-edge-litert's interpreter) on the same inputs."""

from typing import TYPE_CHECKING, Any

import numpy as np

from .representative import Samples
from .verdict import verdict

if TYPE_CHECKING:
    from .tflite import SourceModel

# Both models run once per sample: a few dozen say what there is to say, and stay quick.
MAX_VERIFY_SAMPLES = 32
SELECT_OPS_UNVERIFIABLE = (
    "Not verified: the model uses Select TF ops, which the Python LiteRT interpreter installed "
    "here cannot run (LiteRT issue #6458). Test it on the device, with the Flex delegate linked."
)


def verify_tflite(
    content: bytes, source: "SourceModel", samples: Samples, quantize: str = "none"
) -> dict[str, Any]:
    from ai_edge_litert.interpreter import Interpreter  # type: ignore[import-untyped]

    interpreter = Interpreter(model_content=content)
    signatures = interpreter.get_signature_list()
    key = "serving_default" if "serving_default" in signatures else sorted(signatures)[0]
    runner = interpreter.get_signature_runner(key)
    input_details = runner.get_input_details()
    output_details = runner.get_output_details()
    inputs = _match(list(input_details), [spec.name for spec in source.inputs])
    if inputs is None:
        return _skipped("the inputs of the two models could not be matched by name", samples)
    largest, total, values, magnitude = 0.0, 0.0, 0, 0.0
    agreements: list[bool] = []
    compared: list[str] = []
    count = min(samples.count, MAX_VERIFY_SAMPLES)
    for i in range(count):
        feeds = {name: array[i : i + 1] for name, array in samples.arrays.items()}
        expected = source.run(feeds)
        got = runner(**{lite: _quantize(feeds[src], input_details[lite]) for lite, src in inputs.items()})
        outputs = _match(list(got), list(expected))
        if outputs is None:
            return _skipped("the outputs of the two models could not be matched by name", samples)
        for lite, src in outputs.items():
            actual = _dequantize(got[lite], output_details[lite])
            reference = np.asarray(expected[src], dtype=np.float64)
            if actual.shape != reference.shape:
                return _skipped(
                    f"output {lite} has shape {actual.shape}, the source {reference.shape}", samples
                )
            difference = np.abs(actual - reference)
            largest = max(largest, float(difference.max(initial=0.0)))
            magnitude = max(magnitude, float(np.abs(reference).max(initial=0.0)))
            total += float(difference.sum())
            values += difference.size
            if reference.ndim == 2 and reference.shape[-1] > 1:
                agreements.extend((actual.argmax(-1) == reference.argmax(-1)).tolist())
            if src not in compared:
                compared.append(src)
    return {
        "performed": True,
        "reason": None,
        "inputs": samples.description + (f" (the first {count})" if count < samples.count else ""),
        "samples": count,
        "outputs": compared,
        "max_abs_diff": largest,
        "mean_abs_diff": total / max(values, 1),
        # Classifier-like outputs (batch, classes): how often both models pick the same class.
        "argmax_agreement": (sum(agreements) / len(agreements)) if agreements else None,
        **verdict(largest, magnitude, quantize),
    }


def _match(lite_names: list[str], source_names: list[str]) -> dict[str, str] | None:
    """TFLite name -> source name: the only one, or the same names on both sides."""
    if len(lite_names) == 1 and len(source_names) == 1:
        return {lite_names[0]: source_names[0]}
    if set(lite_names) == set(source_names):
        return {name: name for name in lite_names}
    return None


def _quantize(value: np.ndarray, detail: dict[str, Any]) -> np.ndarray:
    dtype = np.dtype(detail["dtype"])
    scale, zero_point = detail.get("quantization", (0.0, 0))
    if dtype.kind in "iu" and scale and value.dtype.kind == "f":
        info = np.iinfo(dtype)
        quantized: np.ndarray = np.clip(np.round(value / scale + zero_point), info.min, info.max).astype(
            dtype
        )
        return quantized
    return value.astype(dtype)


def _dequantize(value: np.ndarray, detail: dict[str, Any]) -> np.ndarray:
    scale, zero_point = detail.get("quantization", (0.0, 0))
    real = value.astype(np.float64)
    if np.dtype(detail["dtype"]).kind in "iu" and scale:
        real = (real - zero_point) * scale
    return real


def _skipped(reason: str, samples: Samples) -> dict[str, Any]:
    return {"performed": False, "reason": f"Not verified: {reason}", "inputs": samples.description}
