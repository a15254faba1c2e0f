"""The ``c.JlabPlatform.*`` traits, generated from the declarations of jlab_platform/settings.py."""

import types
from dataclasses import MISSING
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args, get_origin

from traitlets import Bool, Enum, Float, Int, List, TraitType, Unicode, default
from traitlets.config import Configurable

from ..settings import OPTION, OPTION_TYPES, OPTIONS, option_choices, option_default

_SCALARS: dict[Any, Any] = {int: Int, float: Float, bool: Bool, str: Unicode, Path: Unicode}


def _dynamic(name: str) -> bool:
    """Whether the default is computed when settings are made (the machine's CPU count)."""
    return OPTIONS[name].default_factory is not MISSING


def option_trait(name: str) -> TraitType[Any, Any]:
    """The configurable trait of one option: its type, default and help as declared."""
    hint = OPTION_TYPES[name]
    meta = {"config": True, "help": OPTIONS[name].metadata[OPTION]}
    value = None if _dynamic(name) else option_default(name)
    choices = option_choices(name)
    if choices is not None:
        enum: TraitType[Any, Any] = Enum(list(choices), value, **meta)
        return enum
    if get_origin(hint) is tuple and get_args(hint) == (str, ...):
        strings: TraitType[Any, Any] = List(
            Unicode(), default_value=None if value is None else list(value), **meta
        )
        return strings
    if hint in _SCALARS:
        trait_class = _SCALARS[hint]
        scalar: TraitType[Any, Any] = (
            trait_class(**meta)
            if value is None
            else trait_class(str(value) if hint is Path else value, **meta)
        )
        return scalar
    raise TypeError(f"option {name}: no trait for type {hint!r}")


def _namespace(namespace: dict[str, Any]) -> None:
    for name in OPTIONS:
        namespace[name] = option_trait(name)
        if _dynamic(name):
            namespace[f"_default_{name}"] = default(name)(lambda _self, _name=name: option_default(_name))


# The traits live on the first base class of the extension app (before JupyterApp, whose own
# data_dir they shadow), so c.JlabPlatform.<name> configures them. Type checkers cannot follow
# a generated class: the app reads options through option_value, and services typed, from
# PlatformSettings.
if TYPE_CHECKING:

    class PlatformOptions:
        pass

else:
    PlatformOptions = types.new_class("PlatformOptions", (Configurable,), exec_body=_namespace)


def option_value(app: Configurable, name: str) -> Any:
    """The configured value of one option (type checkers do not see the generated traits)."""
    return getattr(app, name)


def option_values(app: Configurable) -> dict[str, Any]:
    """The configured value of every option, by name."""
    return {name: option_value(app, name) for name in OPTIONS}
