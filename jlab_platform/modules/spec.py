"""The module spec (``module_spec.yml`` or ``config.json``): its model and its validation.

Every problem is collected with the file and line it comes from, so a user sees all of
them at once (``module_spec.yml:14: train.inputs.epochs.range: ...``), never a traceback.
"""

import keyword
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from . import models
from .documents import Document, KeyPath, Problem, read_document
from .fieldtypes import OUTPUT_TYPES, SCALAR_TYPES, coerce, split_type, type_names

SPEC_FILES = ("module_spec.yml", "module_spec.yaml", "config.json")
ACTIONS = ("train", "predict")
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
CHECKPOINT_INPUT = "checkpoint"
RESERVED_INPUTS = ("context", "self", CHECKPOINT_INPUT)

_TOP_KEYS = (
    "name", "version", "title", "description", "task", "task_type", "framework", "tags", "classes",
    "class", *ACTIONS,
)  # fmt: skip
_ACTION_KEYS = ("description", "inputs", "outputs")
_INPUT_KEYS = ("type", "default", "range", "choices", "help", "label", "required", "group")
_OUTPUT_KEYS = ("type", "help", "label")


@dataclass(frozen=True)
class FieldSpec:
    """One input or output of an action."""

    name: str
    type: str
    help: str = ""
    label: str = ""
    default: Any = None
    has_default: bool = False
    required: bool = True
    bounds: tuple[float, float] | None = None
    choices: tuple[Any, ...] | None = None
    group: str = ""  # forms show inputs under their group's heading, in order of first appearance
    line: int = 1

    def coerce(self, value: Any, check_path: Any = None) -> Any:
        return coerce(self.type, value, bounds=self.bounds, choices=self.choices, check_path=check_path)

    def to_model(self) -> models.ModuleField:
        scalar, is_list = split_type(self.type, OUTPUT_TYPES) or (self.type, False)
        return models.ModuleField(
            name=self.name,
            type=self.type,
            item_type=scalar,
            is_list=is_list,
            label=self.label or self.name.replace("_", " ").capitalize(),
            help=self.help,
            default=self.default,
            has_default=self.has_default,
            required=self.required,
            range=list(self.bounds) if self.bounds is not None else None,
            choices=list(self.choices) if self.choices is not None else None,
            group=self.group,
        )


@dataclass(frozen=True)
class ActionSpec:
    name: str
    description: str
    inputs: tuple[FieldSpec, ...]
    outputs: tuple[FieldSpec, ...]

    def input(self, name: str) -> FieldSpec | None:
        return next((field for field in self.inputs if field.name == name), None)

    def to_model(self) -> models.ModuleAction:
        return models.ModuleAction(
            description=self.description,
            inputs=[field.to_model() for field in self.inputs],
            outputs=[field.to_model() for field in self.outputs],
        )


@dataclass(frozen=True)
class ModuleSpec:
    name: str
    version: str
    title: str
    description: str
    task: str
    framework: str
    tags: tuple[str, ...]
    classes: tuple[str, ...]
    class_name: str | None
    actions: dict[str, ActionSpec]
    file: str

    def to_model(self) -> models.ModuleSpec:
        return models.ModuleSpec(
            file=self.file,
            classes=list(self.classes),
            class_name=self.class_name,
            actions={name: action.to_model() for name, action in self.actions.items()},
        )


def find_spec_file(folder: Path) -> Path | None:
    for name in SPEC_FILES:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def load_spec(spec_path: Path, default_name: str) -> tuple[ModuleSpec | None, list[Problem]]:
    document, problems = read_document(spec_path, spec_path.name)
    if document is None:
        return None, problems
    spec, found = parse_spec(document, default_name)
    problems += found
    return (spec if not problems else None), problems


def parse_spec(document: Document, default_name: str) -> tuple[ModuleSpec | None, list[Problem]]:
    """The spec in ``document``; ``None`` when it has problems (all of them are returned)."""
    parser = _Parser(document)
    spec = parser.module(default_name)
    return (spec if not parser.problems else None), parser.problems


class _Parser:
    def __init__(self, document: Document) -> None:
        self.doc = document
        self.problems: list[Problem] = []

    def error(self, path: KeyPath, message: str) -> None:
        where = ".".join(str(p) for p in path)
        self.problems.append(self.doc.problem(path, f"{where}: {message}" if where else message))

    def mapping(self, value: Any, path: KeyPath, allowed: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.error(path, f"expected a mapping of keys to values, got {type(value).__name__}")
            return {}
        for key in value:
            if key not in allowed:
                self.error((*path, key), f"unknown key; use one of: {', '.join(allowed)}")
        return value

    def text(self, data: dict[str, Any], key: str, path: KeyPath, default: str = "") -> str:
        value = data.get(key, default)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.error((*path, key), f"expected text, got {type(value).__name__}")
            return default
        return str(value)

    def text_list(self, data: dict[str, Any], key: str) -> tuple[str, ...]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.error((key,), "expected a list of texts, e.g. [image, classification]")
            return ()
        return tuple(value)

    def module(self, default_name: str) -> ModuleSpec:
        data = self.mapping(self.doc.data, (), _TOP_KEYS)
        name = self.text(data, "name", (), default_name)
        if not NAME_PATTERN.match(name):
            self.error(("name",), f"{name!r} is not a valid module name (letters, digits, '.', '_', '-')")
        class_name = data.get("class")
        if class_name is not None and not (isinstance(class_name, str) and class_name.isidentifier()):
            self.error(("class",), "expected the name of a class defined in main.py")
            class_name = None
        actions = {
            action: self.action(data[action], (action,)) for action in ACTIONS if data.get(action) is not None
        }
        if not actions:
            self.error((), "declares neither 'train' nor 'predict'; add at least one with its inputs")
        task = self.text(data, "task", ()) or self.text(data, "task_type", ())
        return ModuleSpec(
            name=name,
            version=self.text(data, "version", (), "1"),  # a module that names none is at its first version
            title=self.text(data, "title", ()),
            description=self.text(data, "description", ()),
            task=task,
            framework=self.text(data, "framework", ()),
            tags=self.text_list(data, "tags"),
            classes=self.text_list(data, "classes"),
            class_name=class_name,
            actions=actions,
            file=self.doc.file,
        )

    def action(self, value: Any, path: KeyPath) -> ActionSpec:
        data = self.mapping(value, path, _ACTION_KEYS)
        inputs = self.fields(data.get("inputs"), (*path, "inputs"), is_input=True)
        if path[0] == "predict":
            inputs = (*inputs, _checkpoint_field(self.doc.line(*path)))
        outputs = self.fields(data.get("outputs"), (*path, "outputs"), is_input=False)
        return ActionSpec(str(path[0]), self.text(data, "description", path), inputs, outputs)

    def fields(self, value: Any, path: KeyPath, is_input: bool) -> tuple[FieldSpec, ...]:
        if value is None:
            return ()
        data = self.mapping(value, path, tuple(str(k) for k in value) if isinstance(value, dict) else ())
        fields = []
        for name, body in data.items():
            key = str(name)
            if not key.isidentifier() or keyword.iskeyword(key) or key.startswith("_"):
                self.error(
                    (*path, key), "input and output names must be Python identifiers (e.g. learning_rate)"
                )
                continue
            if is_input and key in RESERVED_INPUTS:
                self.error((*path, key), f"{key!r} is reserved by the platform; choose another name")
                continue
            fields.append(
                self.input(key, body, (*path, key)) if is_input else self.output(key, body, (*path, key))
            )
        return tuple(fields)

    def output(self, name: str, value: Any, path: KeyPath) -> FieldSpec:
        data = self.mapping(value, path, _OUTPUT_KEYS)
        type_name = self.field_type(data, path, OUTPUT_TYPES)
        return FieldSpec(
            name, type_name, help=self.text(data, "help", path), label=self.text(data, "label", path),
            line=self.doc.line(*path),
        )  # fmt: skip

    def input(self, name: str, value: Any, path: KeyPath) -> FieldSpec:
        data = self.mapping(value, path, _INPUT_KEYS)
        type_name = self.field_type(data, path, SCALAR_TYPES)
        scalar = (split_type(type_name) or ("", False))[0]
        bounds = self.bounds(data, path, scalar)
        choices = self.choices(data, path, scalar)
        has_default = "default" in data
        required = data.get("required", not has_default)
        if not isinstance(required, bool):
            self.error((*path, "required"), "expected true or false")
            required = not has_default
        field = FieldSpec(
            name=name,
            type=type_name,
            help=self.text(data, "help", path),
            label=self.text(data, "label", path),
            default=data.get("default"),
            has_default=has_default,
            required=required,
            bounds=bounds,
            choices=choices,
            group=self.text(data, "group", path),
            line=self.doc.line(*path),
        )
        if has_default and field.default is not None and type_name:
            try:
                field = replace(field, default=field.coerce(field.default))
            except ValueError as exc:
                self.error((*path, "default"), f"does not fit the type {type_name}: {exc}")
        return field

    def field_type(self, data: dict[str, Any], path: KeyPath, allowed: tuple[str, ...]) -> str:
        type_name = data.get("type")
        if not isinstance(type_name, str) or split_type(type_name, allowed) is None:
            where = (*path, "type") if "type" in data else path
            self.error(where, f"type must be one of {type_names(allowed)}; got {type_name!r}")
            return ""
        return type_name

    def bounds(self, data: dict[str, Any], path: KeyPath, scalar: str) -> tuple[float, float] | None:
        value = data.get("range")
        if value is None:
            return None
        if scalar not in ("int", "float"):
            self.error((*path, "range"), "a range only applies to int and float inputs")
            return None
        numbers = value if isinstance(value, list) else []
        if len(numbers) != 2 or any(isinstance(n, bool) or not isinstance(n, int | float) for n in numbers):
            self.error((*path, "range"), "expected [minimum, maximum], e.g. [1, 100]")
            return None
        if numbers[0] > numbers[1]:
            self.error((*path, "range"), f"the minimum {numbers[0]} is larger than the maximum {numbers[1]}")
            return None
        return float(numbers[0]), float(numbers[1])

    def choices(self, data: dict[str, Any], path: KeyPath, scalar: str) -> tuple[Any, ...] | None:
        value = data.get("choices")
        if scalar != "choice":
            if value is not None:
                self.error((*path, "choices"), "choices only apply to inputs of type choice")
            return None
        if not isinstance(value, list) or not value:
            self.error(
                (*path, "choices") if "choices" in data else path, "a choice input needs a list of choices"
            )
            return None
        if any(not isinstance(item, str | int | float | bool) for item in value):
            self.error((*path, "choices"), "choices must be texts, numbers or true/false")
            return None
        return tuple(value)


def _checkpoint_field(line: int) -> FieldSpec:
    """Every predict takes ``checkpoint``: the platform loads that run (default: the latest)."""
    return FieldSpec(
        name=CHECKPOINT_INPUT,
        type="path",
        label="Checkpoint",
        help="Run folder to load, e.g. results/<module>/<run>; empty: the latest trained run",
        has_default=True,
        required=False,
        line=line,
    )
