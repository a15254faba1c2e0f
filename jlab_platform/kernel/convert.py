"""Model conversion from a notebook.

``to_tflite("model.keras", quantize="dynamic")`` converts through the server's warm
conversion worker (this kernel never imports TensorFlow for it) and waits, printing
progress; ``to_onnx(model, example_inputs, "model.onnx")`` exports a live PyTorch model
from this kernel and verifies it with onnxruntime at two batch sizes.
"""

import time
import uuid
from pathlib import Path
from typing import Any

from ..convert.errors import ConversionError
from ..convert.onnx_export import export_onnx
from ..files.states import ENDED, FAILED, SUCCEEDED
from .client import ServerConnection, find_server

_POLL_SECONDS = 0.25


class ConversionFailed(RuntimeError):
    """The conversion ended without a model; ``record`` is the whole record, ``ops`` the ops it lacks."""

    def __init__(self, record: dict[str, Any]) -> None:
        error = record.get("error") or {}
        text = str(error.get("error") or record.get("message") or record["status"])
        detail = str(error.get("detail") or "")
        super().__init__(text + (f"\n{detail}" if detail else ""))
        self.record = record
        self.ops: list[str] = list(error.get("ops") or [])


def to_tflite(
    path: str,
    quantize: str = "none",
    representative_data: str | None = None,
    allow_select_tf_ops: bool = False,
    output: str | None = None,
    verbose: bool = True,
) -> dict[str, Any]:
    """Convert a SavedModel folder, ``.keras`` or ``.h5`` file to ``.tflite`` beside it; the record.

    ``quantize``: none, dynamic, float16 or int8 (int8 needs ``representative_data``: a
    folder of images or a ``.npy`` of inputs). Raises ``ConversionFailed`` naming the cause.
    """
    server = find_server()
    body: dict[str, Any] = {
        "path": server.root_relative(path),
        "quantize": quantize,
        "allow_select_tf_ops": allow_select_tf_ops,
    }
    if representative_data is not None:
        body["representative_data"] = server.root_relative(representative_data)
    if output is not None:
        body["output"] = server.root_relative(output)
    record: dict[str, Any] = server.request("POST", "convert/tflite", body)
    return follow(server, record, verbose)


def follow(server: ServerConnection, record: dict[str, Any], verbose: bool = True) -> dict[str, Any]:
    """Wait for a conversion to end, printing its steps; interrupting the kernel cancels it."""
    shown = ""
    try:
        while record["status"] not in ENDED:
            time.sleep(_POLL_SECONDS)
            record = server.request("GET", f"convert/{record['id']}")
            if verbose and record["message"] and record["message"] != shown and record["status"] not in ENDED:
                shown = record["message"]
                print(f"  {100 * record['progress']:3.0f}%  {shown}", flush=True)
    except KeyboardInterrupt:
        server.request("DELETE", f"convert/{record['id']}")
        raise
    if record["status"] != SUCCEEDED:
        raise ConversionFailed(record)
    return record


def to_onnx(model: Any, example_inputs: Any, path: str, dynamic_batch: bool = True) -> dict[str, Any]:
    """Export ``model`` (an ``nn.Module``) to ONNX at ``path``, check it, verify it; the report.

    With ``dynamic_batch`` the ONNX model takes any batch size and is verified at batch 1 and 4.
    """
    target = Path(path).expanduser().absolute()
    if target.suffix.lower() != ".onnx":
        raise ValueError(f"{path!r}: the output must be a .onnx file")
    if not target.parent.is_dir():
        raise ValueError(f"{path!r}: the folder {target.parent} does not exist")
    try:
        report = export_onnx(
            model, example_inputs, target, dynamic_batch=dynamic_batch, token=uuid.uuid4().hex[:8]
        )
    except ConversionError as exc:
        raise ConversionFailed(
            {"status": FAILED, "error": {"error": exc.message, "detail": exc.detail}}
        ) from exc
    return {"path": str(target), **report}


def format_record(record: dict[str, Any]) -> str:
    """A finished TFLite conversion as the few lines a person reads."""
    report = record.get("report") or {}
    verification = report.get("verification") or {}
    quantize = report.get("quantize", "none")
    lines = [
        f"Converted {record['source']} -> {record['output']}"
        + ("" if quantize == "none" else f" ({quantize} quantization)"),
        f"  loaded with     {report.get('loaded_with')}",
        f"  converted with  {report.get('converted_with')}",
        f"  ops             {report.get('ops')}",
        f"  size            {_size(report.get('source_bytes'))} -> {_size(report.get('output_bytes'))}",
    ]
    if verification.get("performed"):
        agreement = verification.get("argmax_agreement")
        lines.append(
            f"  verified        on {verification['inputs']}: largest difference "
            f"{verification['max_abs_diff']:.3g}"
            + ("" if agreement is None else f", same top class {100 * agreement:.0f}%")
        )
    else:
        lines.append(f"  verification    {verification.get('reason')}")
    lines += [f"  warning         {warning}" for warning in report.get("warnings") or []]
    return "\n".join(lines)


def _size(count: Any) -> str:
    if not isinstance(count, int):
        return "?"
    return f"{count / 1e6:.2f} MB" if count >= 1e6 else f"{count / 1e3:.1f} kB"
