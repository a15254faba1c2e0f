"""Capture names: the folder name of a capture, so only a safe alphabet is accepted."""

import re

from ..errors import InvalidInput

MAX_NAME_LENGTH = 100
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def check_name(name: object) -> str:
    """``name`` when it is a valid capture name; ``InvalidInput`` saying what to change otherwise."""
    if not isinstance(name, str) or not name:
        raise InvalidInput("A capture needs a name", "Give a name such as 'train-cell3'.")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(
            f"Capture name is {len(name)} characters long",
            f"Use at most {MAX_NAME_LENGTH} characters.",
        )
    if not _NAME.fullmatch(name):
        raise InvalidInput(
            f"Capture name {name!r} contains characters that are not allowed",
            "Use letters, digits, '-', '_' and '.', starting with a letter or digit.",
        )
    return name
