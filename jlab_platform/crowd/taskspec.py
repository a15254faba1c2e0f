"""What the owner sends to create a task, checked field by field with what to fix."""

import unicodedata
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidInput, about_field
from .selection import STRATEGIES

MAX_CLASSES = 100
MAX_OVERLAP = 3
MAX_CHOOSE = 100_000
ENVIRONMENTS = ("cpu", "gpu")
RESERVED_NAME = "owner"  # the task owner labels under this name (notebook widget)
_FIELDS = (
    "name",
    "description",
    "dataset",
    "module",
    "classes",
    "max_choose",
    "overlap",
    "strategy",
    "seed",
    "max_rounds",
    "env",
    "train_options",
    "labelers",
)


@dataclass(frozen=True)
class NewTask:
    name: str
    description: str
    dataset: str
    module: str
    classes: tuple[str, ...]  # empty: take the module's
    max_choose: int
    overlap: int
    strategy: str
    seed: int
    max_rounds: int
    env: str
    train_options: dict[str, Any]
    labelers: tuple[str, ...]


def parse_new_task(body: dict[str, Any], max_rounds: int) -> NewTask:
    """The checked task; an error names the field it is about (the dialog shows it there)."""
    unknown = sorted(set(body) - set(_FIELDS))
    if unknown:
        raise InvalidInput(f"Unknown field(s): {', '.join(unknown)}", f"Use: {', '.join(_FIELDS)}.")
    dataset, module = body.get("dataset"), body.get("module")
    if not isinstance(dataset, str) or not dataset.strip():
        raise InvalidInput("Missing 'dataset'", "Give the dataset folder, e.g. datasets/shapes.", "dataset")
    if not isinstance(module, str) or not module.strip():
        raise InvalidInput(
            "Missing 'module'", "Give a module folder with main.py, or a module's name.", "module"
        )
    classes = body.get("classes") or []
    if not isinstance(classes, list):
        raise InvalidInput("'classes' must be a list of names", 'e.g. ["cat", "dog"]', "classes")
    strategy = body.get("strategy", "least_confidence")
    if strategy not in STRATEGIES:
        raise InvalidInput(
            f"Unknown strategy {strategy!r}", f"Use one of: {', '.join(STRATEGIES)}.", "strategy"
        )
    env = body.get("env", "cpu")
    if env not in ENVIRONMENTS:
        raise InvalidInput(f"Unknown environment {env!r}", f"Use one of: {', '.join(ENVIRONMENTS)}.", "env")
    options = body.get("train_options") or {}
    if not isinstance(options, dict) or not all(
        isinstance(value, str | int | float | bool) for value in options.values()
    ):
        raise InvalidInput(
            "'train_options' must map names to plain values", 'e.g. {"epochs": 2}', "train_options"
        )
    labelers = body.get("labelers") or []
    if not isinstance(labelers, list):
        raise InvalidInput("'labelers' must be a list of names", 'e.g. ["alice", "bob"]', "labelers")
    with about_field("name"):
        name = clean_text(body.get("name"), "name", 256, required=True)
    with about_field("description"):
        description = clean_text(body.get("description", ""), "description", 10_000, multiline=True)
    with about_field("classes"):
        checked_classes = check_classes(classes) if classes else ()
    with about_field("labelers"):
        checked_labelers = check_names(labelers)
    return NewTask(
        name=name,
        description=description,
        dataset=dataset.strip().rstrip("/"),
        module=module.strip().rstrip("/"),
        classes=checked_classes,
        max_choose=_int(body, "max_choose", 100, 1, MAX_CHOOSE),
        overlap=_int(body, "overlap", 1, 1, MAX_OVERLAP),
        strategy=strategy,
        seed=_int(body, "seed", 0, 0, 2**31 - 1),
        max_rounds=_int(body, "max_rounds", max_rounds, 1, max_rounds),
        env=env,
        train_options=dict(options),
        labelers=checked_labelers,
    )


def check_classes(classes: list[Any]) -> tuple[str, ...]:
    names = tuple(clean_text(name, "class name", 64, required=True) for name in classes)
    if not 1 <= len(names) <= MAX_CLASSES:
        raise InvalidInput(f"A task has 1 to {MAX_CLASSES} classes", f"Got {len(names)}.")
    if len(set(names)) != len(names):
        raise InvalidInput("Class names must differ", f"Got {list(names)}.")
    if any("|" in name for name in names):
        raise InvalidInput("Class names cannot contain '|'", "'|' separates the labels of a tie in results.")
    return names


def check_names(names: list[Any]) -> tuple[str, ...]:
    cleaned = tuple(clean_text(name, "labeler name", 64, required=True) for name in names)
    if RESERVED_NAME in cleaned:
        raise InvalidInput(f"{RESERVED_NAME!r} is the task owner's name", "Invite people by their own names.")
    if len(set(cleaned)) != len(cleaned):
        raise InvalidInput("Labeler names must differ", f"Got {list(cleaned)}.")
    return cleaned


def clean_text(value: Any, what: str, limit: int, required: bool = False, multiline: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(f"The {what} must be text", f"Got {type(value).__name__}.")
    text = value.strip()
    allowed = "\n\t" if multiline else ""
    if any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in text):
        raise InvalidInput(f"The {what} contains control characters", "Remove them.")
    if required and not text:
        raise InvalidInput(f"The {what} is empty", f"Give a {what}.")
    if len(text) > limit:
        raise InvalidInput(f"The {what} is too long", f"Use at most {limit} characters.")
    return text


def _int(body: dict[str, Any], key: str, default: int, low: int, high: int) -> int:
    value = body.get(key, default)
    if value is None:
        value = default
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"'{key}' must be a whole number", f"Got {value!r}.", key)
    if not low <= value <= high:
        raise InvalidInput(f"'{key}' is out of range", f"Use {low} to {high}.", key)
    return value
