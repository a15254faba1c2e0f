"""What the owner sends to create a task, checked field by field with what to fix."""

import unicodedata
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidInput, about_field
from ..i18n import N_
from .models import NewTaskRequest

MAX_CLASSES = 100
RESERVED_NAME = "owner"  # the task owner labels under this name (notebook widget)


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
    train_options: dict[str, str | int | float | bool]  # plain values (the request model checked them)
    labelers: tuple[str, ...]


def parse_new_task(request: NewTaskRequest, max_rounds: int) -> NewTask:
    """The checked task; an error names the field it is about (the dialog shows it there).

    The request model has checked the types and ranges; this cleans the texts and names.
    """
    if not request.module.strip():
        raise InvalidInput(
            "Missing 'module'", "Give a module folder with main.py, or a module's name.", "module"
        )
    rounds = max_rounds if request.max_rounds is None else request.max_rounds
    if rounds > max_rounds:
        raise InvalidInput("'max_rounds' is out of range", f"Use 1 to {max_rounds}.", "max_rounds")
    with about_field("name"):
        name = clean_text(request.name, N_("name"), 256, required=True)
    with about_field("description"):
        description = clean_text(request.description, N_("description"), 10_000, multiline=True)
    with about_field("classes"):
        checked_classes = check_classes(request.classes) if request.classes else ()
    with about_field("labelers"):
        checked_labelers = check_names(request.labelers)
    return NewTask(
        name=name,
        description=description,
        dataset=request.dataset.strip().rstrip("/"),
        module=request.module.strip().rstrip("/"),
        classes=checked_classes,
        max_choose=request.max_choose,
        overlap=request.overlap,
        strategy=request.strategy,
        seed=request.seed,
        max_rounds=rounds,
        env=request.env,
        train_options=dict(request.train_options),
        labelers=checked_labelers,
    )


def check_classes(classes: list[Any]) -> tuple[str, ...]:
    names = tuple(clean_text(name, N_("class name"), 64, required=True) for name in classes)
    if not 1 <= len(names) <= MAX_CLASSES:
        raise InvalidInput(f"A task has 1 to {MAX_CLASSES} classes", f"Got {len(names)}.")
    if len(set(names)) != len(names):
        raise InvalidInput("Class names must differ", f"Got {list(names)}.")
    if any("|" in name for name in names):
        raise InvalidInput("Class names cannot contain '|'", "'|' separates the labels of a tie in results.")
    return names


def check_names(names: list[Any]) -> tuple[str, ...]:
    cleaned = tuple(clean_text(name, N_("labeler name"), 64, required=True) for name in names)
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
