"""The value types a module spec declares, and turning a given value into one of them.

``coerce`` is shared by spec validation (defaults), the server (form values) and the
kernel library (keyword arguments), so all three accept exactly the same values.
"""

import math
import os
from collections.abc import Callable, Sequence
from typing import Any

SCALAR_TYPES = ("int", "float", "str", "bool", "choice", "path", "image")
OUTPUT_TYPES = (*SCALAR_TYPES, "json")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")

# (value, scalar type "path" or "image") -> the value to use; raises ValueError saying what is wrong.
PathCheck = Callable[[str, str], str]


def split_type(type_name: str, allowed: Sequence[str] = SCALAR_TYPES) -> tuple[str, bool] | None:
    """``"list[int]"`` → ``("int", True)``; ``"float"`` → ``("float", False)``; unknown → None."""
    is_list = type_name.startswith("list[") and type_name.endswith("]")
    scalar = type_name[5:-1].strip() if is_list else type_name
    if scalar not in allowed or (is_list and scalar == "json"):
        return None
    return scalar, is_list


def type_names(allowed: Sequence[str] = SCALAR_TYPES) -> str:
    return ", ".join(allowed) + " or list[<type>]"


def coerce(
    type_name: str,
    value: Any,
    *,
    bounds: tuple[float, float] | None = None,
    choices: Sequence[Any] | None = None,
    check_path: PathCheck | None = None,
) -> Any:
    """``value`` as ``type_name`` wants it; ``ValueError`` with a message for the user otherwise."""
    parsed = split_type(type_name, OUTPUT_TYPES)
    if parsed is None:
        raise ValueError(f"unknown type {type_name!r}")
    scalar, is_list = parsed
    if not is_list:
        return _coerce_scalar(scalar, value, bounds, choices, check_path)
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise ValueError(f"expected a list, got {_kind(value)}")
    items = []
    for index, item in enumerate(value):
        try:
            items.append(_coerce_scalar(scalar, item, bounds, choices, check_path))
        except ValueError as exc:
            raise ValueError(f"item {index + 1}: {exc}") from None
    return items


def _coerce_scalar(
    scalar: str,
    value: Any,
    bounds: tuple[float, float] | None,
    choices: Sequence[Any] | None,
    check_path: PathCheck | None,
) -> Any:
    if scalar == "int":
        number: int | float = _as_int(value)
        _check_bounds(number, bounds)
        return number
    if scalar == "float":
        number = _as_float(value)
        _check_bounds(number, bounds)
        return number
    if scalar == "bool":
        if not isinstance(value, bool):
            raise ValueError(f"expected true or false, got {_kind(value)}")
        return value
    if scalar == "choice":
        if choices is None or value not in choices or isinstance(value, bool) != _has_bool(choices, value):
            allowed = ", ".join(repr(c) for c in choices or ())
            raise ValueError(f"{value!r} is not one of the choices: {allowed}")
        return value
    if scalar == "json":
        return value
    if scalar in ("path", "image"):
        value = os.fspath(value) if isinstance(value, os.PathLike) else value
    if not isinstance(value, str):
        raise ValueError(f"expected text, got {_kind(value)}")
    if scalar == "str":
        return value
    if not value.strip():
        raise ValueError("expected a path, got an empty text")
    if scalar == "image" and not value.lower().endswith(IMAGE_SUFFIXES):
        raise ValueError(f"{value!r} is not an image file ({', '.join(IMAGE_SUFFIXES)})")
    return check_path(value, scalar) if check_path is not None else value


def _as_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a whole number, got {_kind(value)}")
    if isinstance(value, float) and not value.is_integer():
        raise ValueError(f"expected a whole number, got {value!r}")
    return int(value)


def _as_float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a number, got {_kind(value)}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"expected a finite number, got {value!r}")
    return number


def _check_bounds(number: float, bounds: tuple[float, float] | None) -> None:
    if bounds is not None and not bounds[0] <= number <= bounds[1]:
        raise ValueError(f"{number!r} is outside the range {bounds[0]:g} to {bounds[1]:g}")


def _has_bool(choices: Sequence[Any], value: Any) -> bool:
    """True when ``value`` matches a bool choice (``1 == True`` must not pass for a bool choice)."""
    return any(isinstance(c, bool) and c == value for c in choices)


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, str):
        return f"text {value[:40]!r}"
    return f"{type(value).__name__} {value!r}"[:80]
