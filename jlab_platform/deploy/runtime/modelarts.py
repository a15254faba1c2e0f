"""A ModelArts model folder (``customize_service.py`` + ``config.json``) served unchanged.

The service class (a subclass of ModelArts' ``PTServingBaseService`` or another base of the
``model_service`` package, provided here by a small shim) is built once with the model's name
and path. Each request becomes ModelArts' ``data``: an image input ``{name: {file name: file}}``,
other inputs as values; ``_preprocess``, ``_inference``, ``_postprocess`` run in that order.
"""

import io
import json
import sys
from pathlib import Path
from typing import Any

from .codec import ImageInput
from .config import FieldSpec, ServiceConfig
from .loaders import Handler, LoadError, import_file, own_classes

SHIM_DIR = Path(__file__).resolve().parent / "modelarts_shim"
SERVICE_FILE = "customize_service.py"
CONFIG_FILE = "config.json"
WEIGHT_SUFFIXES = (".pth", ".pt", ".pkl", ".h5", ".ckpt", ".onnx", ".pb", ".params", ".caffemodel")
# config.json's JSON-schema types as module spec types ("file" is an uploaded image).
_TYPES = {"file": "image", "string": "str", "number": "float", "integer": "int", "boolean": "bool"}


class ModelArtsHandler(Handler):
    def __init__(self, config: ServiceConfig) -> None:
        folder = config.entry_path
        if not (folder / SERVICE_FILE).is_file():
            raise LoadError(f"{config.entry} has no {SERVICE_FILE}")
        api = _first_api(folder / CONFIG_FILE)
        self.inputs = config.inputs or _fields(api.get("request"))
        if str(SHIM_DIR) not in sys.path:
            sys.path.insert(0, str(SHIM_DIR))  # import_file puts the folder before it: its modules win
        code = import_file(folder / SERVICE_FILE, "customize_service")
        classes = own_classes(code, lambda cls: any(hasattr(cls, step) for step in _STEPS))
        if len(classes) != 1:
            found = ", ".join(cls.__name__ for cls in classes) or "none"
            raise LoadError(f"{SERVICE_FILE} must define one service class with _inference (found: {found})")
        self.service = classes[0](config.name, str(_model_path(folder)))

    def prepare(self, inputs: dict[str, Any]) -> Any:
        data = {
            name: {value.filename: io.BytesIO(value.data)} if isinstance(value, ImageInput) else value
            for name, value in inputs.items()
        }
        return self.service._preprocess(data)

    def infer(self, items: list[Any]) -> list[Any]:
        return [self.service._inference(item) for item in items]

    def finish(self, result: Any) -> Any:
        return self.service._postprocess(result)


_STEPS = ("_preprocess", "_inference", "_postprocess")


def _first_api(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise LoadError(f"The ModelArts folder has no {CONFIG_FILE}")
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise LoadError(f"{CONFIG_FILE} is not valid JSON: {exc}") from None
    apis = config.get("apis") if isinstance(config, dict) else None
    first = apis[0] if isinstance(apis, list) and apis else {}
    return first if isinstance(first, dict) else {}


def _fields(section: Any) -> dict[str, FieldSpec]:
    """``request.data.properties`` of config.json as inputs (none listed: an ``images`` file)."""
    data = section.get("data") if isinstance(section, dict) else None
    properties = data.get("properties") if isinstance(data, dict) else None
    if not isinstance(properties, dict) or not properties:
        return {"images": FieldSpec(type="image", help="The image file")}
    return {
        str(name): FieldSpec(
            type=_TYPES.get(str(schema.get("type")), "json") if isinstance(schema, dict) else "json"
        )
        for name, schema in properties.items()
    }


def _model_path(folder: Path) -> Path:
    """ModelArts hands the service its model file: the folder's one weights file, else the folder."""
    weights = sorted(path for path in folder.iterdir() if path.suffix.lower() in WEIGHT_SUFFIXES)
    return weights[0] if len(weights) == 1 else folder
