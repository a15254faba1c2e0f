"""Validate the inputs of one train/predict call against the spec, the same way everywhere."""

from collections.abc import Mapping
from typing import Any

from ..errors import InvalidRequest
from .fieldtypes import PathCheck
from .spec import ActionSpec


class InvalidParams(InvalidRequest):
    """Some inputs do not fit the spec; ``fields`` maps each input's name to what to fix."""

    def __init__(self, module: str, action: str, fields: dict[str, str]) -> None:
        super().__init__(fields, f"{len(fields)} {action} input(s) of {module!r} need fixing")

    def __str__(self) -> str:
        return self.message + "".join(f"\n  {name}: {message}" for name, message in self.fields.items())


def validate_params(
    module: str, action: ActionSpec, params: Mapping[str, Any], check_path: PathCheck | None = None
) -> dict[str, Any]:
    """Every input of ``action`` with its value (given or default), in spec order."""
    errors: dict[str, str] = {}
    known = [field.name for field in action.inputs]
    for name in params:
        if name not in known:
            takes = ", ".join(known) if known else "no inputs"
            errors[str(name)] = f"unknown input; {action.name} takes {takes}"
    values: dict[str, Any] = {}
    for field in action.inputs:
        given = params.get(field.name)
        value = given if given is not None else field.default
        if value is None:
            if field.required:
                errors[field.name] = "required" + (f" ({field.help})" if field.help else "")
            else:
                values[field.name] = None
            continue
        try:
            values[field.name] = field.coerce(value, check_path)
        except ValueError as exc:
            errors[field.name] = str(exc)
    if errors:
        raise InvalidParams(module, action.name, errors)
    return values
