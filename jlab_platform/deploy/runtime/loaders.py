"""What a service serves: a module run, a .py service, or a ModelArts folder, loaded once.

Each becomes a ``Handler``: ``prepare`` (per request, a worker thread), ``infer`` (a batch,
the inference thread) and ``finish`` (per request). A request reaches ``prepare`` as a dict
of its inputs, images already decoded (``codec.ImageInput``).
"""

import importlib.util
import inspect
import sys
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from ...modules.catalog import BUILTIN_DIR
from ...modules.mainfile import CONTEXT_PARAMETER, MAIN_FILE
from ...modules.spec import find_spec_file, load_spec
from .codec import BadInput, ImageInput
from .config import FieldSpec, ServiceConfig

IMAGE_INPUT = "image"
BATCH_ATTRIBUTE = "batchable"  # a service class sets ``batchable = True``: inference takes a list


class LoadError(RuntimeError):
    """The service cannot start: the message says what to change."""


class Handler(ABC):
    """A loaded model. ``inputs`` empty means the inputs are open (see codec.request_values)."""

    inputs: dict[str, FieldSpec]
    batchable: bool = False

    @property
    def image_input(self) -> str:
        """The input ``/aip``'s image goes to: the first image input, else ``image``."""
        return next((name for name, spec in self.inputs.items() if spec.type == "image"), IMAGE_INPUT)

    def prepare(self, inputs: dict[str, Any]) -> Any:
        return inputs

    @abstractmethod
    def infer(self, items: list[Any]) -> list[Any]: ...

    def finish(self, result: Any) -> Any:
        return result


def load_handler(config: ServiceConfig) -> Handler:
    if config.kind == "module":
        return ModuleHandler(config)
    if config.kind == "python":
        return PythonHandler(config)
    from .modelarts import ModelArtsHandler  # here: modelarts.py builds on this module

    return ModelArtsHandler(config)


def import_file(path: Path, name: str) -> ModuleType:
    """Import ``path`` as module ``name``, with its folder first on sys.path (its own imports)."""
    if not path.is_file():
        raise LoadError(f"{path.name} is missing")
    folder = str(path.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise LoadError(f"Cannot import {path.name}")
    code = importlib.util.module_from_spec(spec)
    sys.modules[name] = code
    spec.loader.exec_module(code)
    return code


def own_classes(code: ModuleType, has: Callable[[type], bool]) -> list[type]:
    """Classes defined in ``code`` itself (not imported into it) for which ``has`` holds."""
    return [
        value
        for value in vars(code).values()
        if isinstance(value, type) and value.__module__ == code.__name__ and has(value)
    ]


class ModuleHandler(Handler):
    """A module run: the module's ``load(context=...)`` gives a predictor of decoded images."""

    batchable = True

    def __init__(self, config: ServiceConfig) -> None:
        assert config.module is not None and config.run_dir is not None  # the config's validator
        folder = config.module_dir or BUILTIN_DIR / config.module
        spec_file = find_spec_file(folder)
        if spec_file is None:
            raise LoadError(f"Module {config.module!r} has no module_spec.yml in {folder}")
        spec, problems = load_spec(spec_file, folder.name)
        if spec is None:
            raise LoadError(f"The spec of module {config.module!r} has errors: {problems[0].message}")
        if not config.run_dir.is_dir():
            raise LoadError(f"The run folder {config.run_dir} does not exist")
        code = import_file(folder / MAIN_FILE, "jlab_deploy_module")
        owner: Any = code
        if spec.class_name is not None:
            owner = getattr(code, spec.class_name, None)
            if not isinstance(owner, type):
                raise LoadError(f"main.py of module {config.module!r} has no class {spec.class_name!r}")
            owner = owner()
        load = getattr(owner, "load", None)
        if not callable(load):
            raise LoadError(
                f"Module {config.module!r} has no load() for serving: add load(*, context) that loads "
                "the checkpoint once and returns a function of a list of images"
            )
        # Imported here: main.py imports it anyway; the other kinds need nothing of the kernel library.
        from ...kernel.module_run import RunContext

        context = RunContext(config.module, "predict", config.run_dir, {})
        arguments: dict[str, Any] = {CONTEXT_PARAMETER: context}
        if config.checkpoint is not None:
            if "checkpoint" not in inspect.signature(load).parameters:
                raise LoadError(f"Module {config.module!r} serves its default checkpoint only")
            arguments["checkpoint"] = config.checkpoint
        self.predictor: Callable[[list[Any]], list[Any]] = load(**arguments)
        self.inputs = config.inputs or {IMAGE_INPUT: FieldSpec(type="image", help="The image to score")}

    def prepare(self, inputs: dict[str, Any]) -> Any:
        image = inputs.get(self.image_input)
        if not isinstance(image, ImageInput):
            raise BadInput(f"'{self.image_input}' must be an image")
        return image.image

    def infer(self, items: list[Any]) -> list[Any]:
        return self.predictor(items)


class PythonHandler(Handler):
    """A .py file: one service class (preprocess/inference/postprocess, optional load) or predict()."""

    STEPS = ("preprocess", "inference", "postprocess")

    def __init__(self, config: ServiceConfig) -> None:
        path = config.entry_path
        if path.suffix != ".py":
            raise LoadError(f"{config.entry} is not a .py file")
        code = import_file(path, "jlab_deploy_service")
        classes = own_classes(code, lambda cls: any(step in vars(cls) for step in self.STEPS))
        self.inputs = config.inputs
        self.predict: Callable[..., Any] | None = None
        if len(classes) > 1:
            names = ", ".join(cls.__name__ for cls in classes)
            raise LoadError(f"{path.name} defines several service classes ({names}); keep one")
        if classes:
            self.service = classes[0]()
            self.batchable = bool(getattr(self.service, BATCH_ATTRIBUTE, False))
            setup = getattr(self.service, "load", None)
            if callable(setup):
                setup()
            return
        predict = getattr(code, "predict", None)
        if not callable(predict):
            raise LoadError(
                f"{path.name} needs a class with preprocess/inference/postprocess "
                "or a predict(**inputs) function"
            )
        self.predict = predict

    def prepare(self, inputs: dict[str, Any]) -> Any:
        plain = {
            name: value.image if isinstance(value, ImageInput) else value for name, value in inputs.items()
        }
        if self.predict is not None:
            return plain
        step = getattr(self.service, "preprocess", None)
        return step(plain) if step is not None else plain

    def infer(self, items: list[Any]) -> list[Any]:
        if self.predict is not None:
            return [self.predict(**item) for item in items]
        step = getattr(self.service, "inference", None)
        if step is None:
            return items
        if self.batchable:
            return list(step(items))
        return [step(item) for item in items]

    def finish(self, result: Any) -> Any:
        step = None if self.predict is not None else getattr(self.service, "postprocess", None)
        return step(result) if step is not None else result
