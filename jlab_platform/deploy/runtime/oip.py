"""KServe's Open Inference Protocol v2 (REST) over the service's inputs and outputs.

An image input is a ``BYTES`` tensor of base64 strings; ``shape [N]`` asks for N predictions,
which run as N requests (and so share a batch). Other inputs are reshaped to their ``shape``
(``[1]`` gives a scalar); one whose first dimension is N is split across the N predictions.
Each output (a key of the results) is a tensor whose first dimension is N: numbers as
``FP64``/``INT64``/``BOOL``, text as ``BYTES``, anything else as ``BYTES`` of JSON text.
"""

import json
import math
from typing import Any

import numpy as np

from .codec import typed_value
from .config import FieldSpec, ServiceConfig
from .loaders import IMAGE_INPUT, Handler

PLATFORM = "jlab_platform"
_DATATYPES = {"image": "BYTES", "str": "BYTES", "int": "INT64", "float": "FP64", "bool": "BOOL"}


class OipError(ValueError):
    """A malformed v2 request (answered as 400 ``{"error": ...}``, as the protocol says)."""


def metadata(config: ServiceConfig, inputs: dict[str, FieldSpec]) -> dict[str, Any]:
    return {
        "name": config.name,
        "versions": [config.version],
        "platform": PLATFORM,
        "inputs": [_tensor_meta(name, spec) for name, spec in inputs.items()],
        "outputs": [_tensor_meta(name, spec) for name, spec in config.outputs.items()],
    }


def _tensor_meta(name: str, spec: FieldSpec) -> dict[str, Any]:
    return {"name": name, "datatype": _DATATYPES.get(spec.type, "BYTES"), "shape": [-1]}


def infer_requests(body: Any, handler: Handler) -> list[dict[str, Any]]:
    """The body's predictions, each its inputs' values as sent (``typed_inputs`` decodes them)."""
    if not isinstance(body, dict) or not isinstance(body.get("inputs"), list) or not body["inputs"]:
        raise OipError("The body needs 'inputs': a list of tensors {name, shape, datatype, data}")
    tensors = {}
    for tensor in body["inputs"]:
        if not isinstance(tensor, dict) or not isinstance(tensor.get("name"), str):
            raise OipError("Each input needs a 'name'")
        name = tensor["name"]
        if handler.inputs and name not in handler.inputs:
            raise OipError(f"Unknown input '{name}'; the inputs are: {', '.join(handler.inputs)}")
        tensors[name] = _values(tensor)
    image = handler.image_input if handler.inputs else IMAGE_INPUT
    count = len(tensors[image]) if image in tensors else 1
    requests: list[dict[str, Any]] = [{} for _ in range(count)]
    for name, (values, shape) in tensors.items():
        split = name == image or (count > 1 and shape and shape[0] == count)
        for index, request in enumerate(requests):
            request[name] = values[index] if split else _shaped(values, shape)
    return requests


def typed_inputs(values: dict[str, Any], handler: Handler, max_image_bytes: int) -> dict[str, Any]:
    """One prediction's inputs typed, its images decoded (the work of the inference thread)."""
    return {
        name: typed_value(
            name,
            handler.inputs.get(name) or FieldSpec(type="image" if name == IMAGE_INPUT else "json"),
            value,
            max_image_bytes,
        )
        for name, value in values.items()
    }


def _values(tensor: dict[str, Any]) -> tuple[list[Any], list[int]]:
    data, shape = tensor.get("data"), tensor.get("shape")
    if (
        not isinstance(data, list)
        or not isinstance(shape, list)
        or not all(isinstance(n, int) for n in shape)
    ):
        raise OipError(f"Input '{tensor['name']}' needs 'shape' (a list of integers) and 'data' (a list)")
    flat = np.asarray(data, dtype=object).reshape(-1).tolist() if data else []
    if math.prod(shape) != len(flat):
        raise OipError(f"Input '{tensor['name']}': shape {shape} does not hold {len(flat)} values")
    if len(shape) > 1 and shape[0] > 0:  # one row per prediction
        rows = np.asarray(flat, dtype=object).reshape(shape).tolist()
        return rows, shape
    return flat, shape


def _shaped(values: list[Any], shape: list[int]) -> Any:
    return values[0] if math.prod(shape) == 1 and len(shape) <= 1 else values


def infer_response(config: ServiceConfig, body: dict[str, Any], results: list[Any]) -> dict[str, Any]:
    columns: dict[str, list[Any]]
    if all(isinstance(result, dict) for result in results) and results:
        names = list(dict.fromkeys(key for result in results for key in result))
        columns = {name: [result.get(name) for result in results] for name in names}
    else:
        columns = {"output": results}
    wanted = body.get("outputs")
    if isinstance(wanted, list) and wanted:
        names = [item.get("name") for item in wanted if isinstance(item, dict)]
        missing = [name for name in names if name not in columns]
        if missing:
            raise OipError(f"Unknown output(s) {', '.join(map(str, missing))}; outputs: {', '.join(columns)}")
        columns = {name: columns[name] for name in names}
    answer: dict[str, Any] = {
        "model_name": config.name,
        "model_version": config.version,
        "outputs": [_tensor(name, values) for name, values in columns.items()],
    }
    if isinstance(body.get("id"), str):
        answer["id"] = body["id"]
    return answer


def _tensor(name: str, values: list[Any]) -> dict[str, Any]:
    try:
        array = np.asarray(values)
    except ValueError:  # ragged
        array = np.asarray([None])
    kinds = {"b": "BOOL", "i": "INT64", "u": "INT64", "f": "FP64", "U": "BYTES"}
    if array.dtype.kind in kinds and array.size:
        return {
            "name": name,
            "datatype": kinds[array.dtype.kind],
            "shape": list(array.shape),
            "data": array.reshape(-1).tolist(),
        }
    return {
        "name": name,
        "datatype": "BYTES",
        "shape": [len(values)],
        "data": [json.dumps(value, ensure_ascii=False) for value in values],
        "parameters": {"content_type": "json"},
    }
