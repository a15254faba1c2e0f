"""PyTorch to ONNX: export, check, and verify with onnxruntime at two batch sizes.

Used by the conversion worker (``.pt`` TorchScript and ``.pt2`` ExportedProgram files) and
in kernels (``jlab_platform.kernel.convert.to_onnx`` with a live ``nn.Module``). Importing
this module imports nothing heavy; torch, onnx and onnxruntime load on first use.
"""

import contextlib
import io
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..files.atomic import atomic_output
from .errors import ConversionError
from .sources import OnnxJob
from .verdict import verdict

Progress = Callable[[str, float, str], None]
VERIFY_BATCHES = (1, 4)
# Square input sizes tried on a convolutional model that does not record its input (224 first:
# a model that takes any size gets the usual one).
PROBE_SIZES = (224, 32, 28, 64, 16, 96, 128, 256, 48, 112, 160, 192, 299, 384, 512)
_DYNAMO = "torch.onnx.export(dynamo=True)"


def convert_onnx_file(job: OnnxJob, progress: Progress) -> dict[str, Any]:
    import torch

    progress("loading", 0.05, f"Loading {job.source.name}")
    if job.source_kind == "torchscript":
        try:
            model: Any = torch.jit.load(str(job.source), map_location="cpu")
        except RuntimeError as exc:
            raise _not_torchscript(job.source) from exc
        saved: tuple[Any, ...] = ()
    else:
        try:
            model = torch.export.load(str(job.source))
        except Exception as exc:
            raise ConversionError(
                f"{job.source.name} is not a saved ExportedProgram: {exc}",
                "Write .pt2 files with torch.export.save(torch.export.export(model, args), path).",
            ) from exc
        saved = tuple(model.example_inputs[0]) if model.example_inputs else ()
    if job.input_shape is not None:
        inputs: tuple[Any, ...] = (torch.randn(*job.input_shape),)
        shape_from = "given"
    elif saved:
        inputs, shape_from = saved, "the example inputs saved with the program"
    else:
        shape, shape_from = infer_input_shape(
            model.module() if isinstance(model, torch.export.ExportedProgram) else model, job.source.name
        )
        inputs = (torch.randn(*shape),)
    report = export_onnx(
        model, inputs, job.output, dynamic_batch=job.dynamic_batch, token=job.token, progress=progress
    )
    report["input_shape"] = [list(value.shape) for value in inputs]
    report["input_shape_from"] = shape_from
    report["source_bytes"] = job.source.stat().st_size
    return report


def infer_input_shape(model: Any, label: str) -> tuple[tuple[int, ...], str]:
    """The input shape (batch 1) from the model's first layer; where it came from, in words.

    A Linear layer fixes the input; a convolution only its channels: the sizes in
    ``PROBE_SIZES`` are tried in turn and the first the whole model runs on is taken.
    """
    import torch

    first = next((module for module in model.modules() if _own_weight(module) is not None), None)
    kind = _layer_kind(first) if first is not None else "no layer with weights"
    weight = _own_weight(first) if first is not None else None
    if weight is not None and kind == "Linear":
        candidates: list[tuple[int, ...]] = [(1, int(weight.shape[1]))]
    elif weight is not None and kind in ("Conv1d", "Conv2d"):
        channels = int(weight.shape[1]) * int(getattr(first, "groups", 1))
        dims = 1 if kind == "Conv1d" else 2
        candidates = [(1, channels, *([size] * dims)) for size in PROBE_SIZES]
    else:
        candidates = []
    for shape in candidates:
        try:
            with torch.no_grad():
                model(torch.zeros(shape))
        except Exception:  # not this size: the next one
            continue
        unit = "feature" if kind == "Linear" else "channel"
        how = f"the first layer ({kind}, {shape[1]} input {unit}{'' if shape[1] == 1 else 's'})"
        if len(shape) > 2:
            how += f" and the first size it runs on ({' × '.join(map(str, shape[2:]))})"
        return shape, f"inferred from {how}"
    if not candidates:
        tried = f"its first layer is {kind}, which does not give it"
    elif len(candidates) == 1:
        tried = f"it does not run on {list(candidates[0])}, which its first layer ({kind}) suggests"
    else:
        sizes = ", ".join(map(str, PROBE_SIZES))
        tried = (
            f"its first layer is {kind} with {candidates[0][1]} input channels, "
            f"and it runs on none of the sizes tried ({sizes})"
        )
    raise ConversionError(
        f"Could not tell the input shape of {label}: give it",
        f"The file does not record its input shape, and {tried}. Give the input shape, batch first, "
        "e.g. [1, 3, 224, 224].",
        {"code": "needs_input_shape"},
    )


def _own_weight(module: Any) -> Any:
    weight = dict(module.named_parameters(recurse=False)).get("weight")
    return weight if weight is not None and weight.dim() >= 2 else None


def _layer_kind(module: Any) -> str:
    # A loaded TorchScript module keeps its class name as ``original_name``.
    return str(getattr(module, "original_name", type(module).__name__))


def _not_torchscript(source: Path) -> ConversionError:
    """The error for a .pt torch.jit cannot load: a state dict says so, with what to do."""
    import torch

    save = "torch.jit.save(torch.jit.script(model), path), or torch.export.save() to a .pt2"
    try:
        content = torch.load(str(source), map_location="cpu", weights_only=True)
    except Exception:
        content = None
    if isinstance(content, dict) and isinstance(content.get("state_dict"), dict):
        content = content["state_dict"]
    if isinstance(content, dict) and content and all(isinstance(v, torch.Tensor) for v in content.values()):
        return ConversionError(
            f"{source.name} holds only weights (a state dict), not the model",
            f"Exporting needs the model's code too. Save the model itself with {save}; or, in a "
            "notebook, build the model, model.load_state_dict(torch.load(path)) and call "
            "jlab_platform.kernel.convert.to_onnx(model, example_inputs, 'model.onnx').",
            {"code": "state_dict"},
        )
    return ConversionError(
        f"{source.name} is not a TorchScript file",
        f"A .pt written by torch.save() holds Python objects, not a graph. Save the model with {save}, "
        "or call jlab_platform.kernel.convert.to_onnx(model, example_inputs, path) in a notebook.",
    )


def export_onnx(
    model: Any,
    example_inputs: Any,
    output: Path,
    *,
    dynamic_batch: bool = True,
    token: str = "export",
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Export ``model`` (nn.Module, ScriptModule or ExportedProgram), check, verify; written atomically."""
    import onnx
    import torch

    started = time.perf_counter()
    say = progress or (lambda stage, fraction, message: None)
    inputs = tuple(example_inputs) if isinstance(example_inputs, list | tuple) else (example_inputs,)
    if not inputs or not all(isinstance(value, torch.Tensor) for value in inputs):
        raise ConversionError(
            "example_inputs must be a tensor or a tuple of tensors", "e.g. torch.randn(1, 3, 224, 224)"
        )
    if isinstance(model, torch.nn.Module):
        model.eval()
    warnings: list[str] = []
    with atomic_output(output, token) as partial:
        say("exporting", 0.2, "Exporting with torch.onnx.export")
        exported_with = _export(model, inputs, partial, dynamic_batch, warnings)
        fixed_batch = _fixed_batch(partial)
        if dynamic_batch and fixed_batch is not None:
            how = (
                "export the program with dynamic_shapes for a dynamic batch"
                if isinstance(model, torch.export.ExportedProgram)
                else "torch.export found code that depends on it"
            )
            warnings.append(
                f"The model fixes the batch size to {fixed_batch} ({how}); "
                "the ONNX model takes only that batch."
            )
        say("checking", 0.6, "Checking the ONNX model")
        try:
            onnx.checker.check_model(str(partial), full_check=True)
        except Exception as exc:
            raise ConversionError(
                "The exported ONNX model does not pass onnx.checker", str(exc)[:1500]
            ) from exc
        say("verifying", 0.7, "Comparing onnxruntime with PyTorch")
        verification = _verify(model, inputs, partial, fixed_batch)
        graph = onnx.load(str(partial), load_external_data=False).graph
        report: dict[str, Any] = {
            "source_kind": _kind(model),
            "exported_with": exported_with,
            "opset": _opset(partial),
            "dynamic_batch": fixed_batch is None,
            "inputs": [_describe(value) for value in graph.input],
            "outputs": [_describe(value) for value in graph.output],
            "op_counts": dict(Counter(node.op_type for node in graph.node).most_common()),
            "checked": "onnx.checker.check_model(full_check=True) passed",
            "verification": verification,
            "warnings": warnings,
            "output_bytes": partial.stat().st_size,
            "torch": torch.__version__,
        }
    report["seconds"] = round(time.perf_counter() - started, 3)
    return report


def _export(
    model: Any, inputs: tuple[Any, ...], partial: Path, dynamic_batch: bool, warnings: list[str]
) -> str:
    import torch

    quiet = contextlib.redirect_stdout(io.StringIO())  # the exporter prints its steps
    if isinstance(model, torch.jit.ScriptModule):
        names = [f"input_{i}" for i in range(len(inputs))]
        axes = {name: {0: "batch"} for name in names} if dynamic_batch else None
        with quiet:
            torch.onnx.export(model, inputs, str(partial), dynamo=False, input_names=names, dynamic_axes=axes)
        return "torch.onnx.export(dynamo=False): the dynamo exporter does not take TorchScript modules"
    if isinstance(model, torch.export.ExportedProgram):
        with quiet:
            _run_dynamo(lambda: torch.onnx.export(model, dynamo=True), partial)
        return f"{_DYNAMO} of the ExportedProgram"
    if dynamic_batch:
        # torch.export specialises sizes of 1: export with a batch of 2 so the batch stays symbolic.
        wide = tuple(torch.cat([value, value]) if value.shape[0] == 1 else value for value in inputs)
        shapes = tuple({0: torch.export.Dim("batch")} for _ in inputs)
        try:
            with quiet:
                _run_dynamo(
                    lambda: torch.onnx.export(model, wide, dynamo=True, dynamic_shapes=shapes), partial
                )
            return _DYNAMO
        except ConversionError as exc:
            warnings.append(f"A dynamic batch failed ({exc.message}).")
    with quiet:
        _run_dynamo(lambda: torch.onnx.export(model, inputs, dynamo=True), partial)
    return _DYNAMO


def _run_dynamo(export: Callable[[], Any], partial: Path) -> None:
    try:
        program = export()
    except Exception as exc:
        summary = str(exc).split("## Exception summary", 1)[-1].strip()
        raise ConversionError("torch.onnx.export failed", summary[:1500]) from exc
    program.save(str(partial))


def _verify(model: Any, inputs: tuple[Any, ...], path: Path, fixed_batch: int | None) -> dict[str, Any]:
    import onnxruntime  # type: ignore[import-untyped]
    import torch

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    names = [item.name for item in session.get_inputs()]
    call = model.module() if isinstance(model, torch.export.ExportedProgram) else model
    batches = VERIFY_BATCHES if fixed_batch is None else (fixed_batch,)
    generator = torch.Generator().manual_seed(0)
    per_batch: dict[str, float] = {}
    agreements: list[bool] = []
    magnitude = 0.0
    for size in batches:
        feeds = tuple(_batch_of(value, size, generator) for value in inputs)
        with torch.no_grad():
            expected = _flatten(call(*feeds))
        got = session.run(None, {name: value.numpy() for name, value in zip(names, feeds, strict=False)})
        largest = 0.0
        for reference, actual in zip(expected, got, strict=True):
            reference = reference.detach().float().numpy()
            largest = max(largest, float(abs(reference - actual).max(initial=0.0)))
            magnitude = max(magnitude, float(abs(reference).max(initial=0.0)))
            if reference.ndim == 2 and reference.shape[-1] > 1:
                agreements.extend((reference.argmax(-1) == actual.argmax(-1)).tolist())
        per_batch[str(size)] = largest
    return {
        "performed": True,
        "runtime": f"onnxruntime {onnxruntime.__version__}",
        "batch_sizes": list(batches),
        "max_abs_diff": max(per_batch.values()),
        "max_abs_diff_by_batch": per_batch,
        "argmax_agreement": (sum(agreements) / len(agreements)) if agreements else None,
        **verdict(max(per_batch.values()), magnitude),
    }


def _batch_of(value: Any, size: int, generator: Any) -> Any:
    import torch

    if value.is_floating_point():
        return torch.randn((size, *value.shape[1:]), generator=generator, dtype=value.dtype)
    repeats = -(-size // value.shape[0])
    return value.repeat(repeats, *([1] * (value.dim() - 1)))[:size]


def _flatten(outputs: Any) -> list[Any]:
    if isinstance(outputs, dict):
        return [item for value in outputs.values() for item in _flatten(value)]
    if isinstance(outputs, list | tuple):
        return [item for value in outputs for item in _flatten(value)]
    return [outputs]


def _fixed_batch(path: Path) -> int | None:
    """The batch size the ONNX model's first input is fixed to; None when it is symbolic."""
    import onnx

    graph = onnx.load(str(path), load_external_data=False).graph
    dims = graph.input[0].type.tensor_type.shape.dim if graph.input else []
    if not dims or dims[0].dim_param:
        return None
    return int(dims[0].dim_value) or 1


def _opset(path: Path) -> int | None:
    import onnx

    model = onnx.load(str(path), load_external_data=False)
    return next((item.version for item in model.opset_import if item.domain in ("", "ai.onnx")), None)


def _describe(value: Any) -> dict[str, Any]:
    dims: Sequence[Any] = value.type.tensor_type.shape.dim
    return {"name": value.name, "shape": [dim.dim_param or dim.dim_value for dim in dims]}


def _kind(model: Any) -> str:
    import torch

    if isinstance(model, torch.jit.ScriptModule):
        return "torchscript"
    if isinstance(model, torch.export.ExportedProgram):
        return "exported_program"
    return "nn.Module"
