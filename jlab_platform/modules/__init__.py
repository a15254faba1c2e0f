"""Modules (train/predict folders with a spec) and datasets: discovery, validation, code snippets."""

from .catalog import Catalog
from .documents import Problem
from .params import InvalidParams, validate_params
from .service import ModuleService, ModuleSettings
from .spec import ActionSpec, FieldSpec, ModuleSpec

__all__ = [
    "ActionSpec",
    "Catalog",
    "FieldSpec",
    "InvalidParams",
    "ModuleService",
    "ModuleSettings",
    "ModuleSpec",
    "Problem",
    "validate_params",
]
