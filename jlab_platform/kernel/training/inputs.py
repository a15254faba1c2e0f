"""A module's flat form inputs (``base_lr``, ``split``, ``flip``, ...) as one ``TrainConfig``.

The shipped modules declare the config's fields as ordinary spec inputs, grouped like the
seed's steps; ``config`` may name a JSON/YAML file whose fields win over the form's. The older
inputs keep working: ``lr`` is ``base_lr``, ``val_split`` is ``1 - split``, and ``epochs``
sets ``max_iter`` to that many passes over the training images (``epochs_to_iterations``).
"""

from collections.abc import Mapping
from typing import Any

from .config import TrainConfig, read_config_file, task_section

_TOP = (
    "base_lr", "batch_size", "max_iter", "weight_decay", "momentum", "lr_policy", "gamma", "power",
    "stepsize", "stepvalues", "display", "seed",
)  # fmt: skip
_RESOLUTION = ("min_width", "max_width", "min_height", "max_height")
_AUGMENT = ("color", "scale", "flip", "random")


def config_from_inputs(inputs: Mapping[str, Any], task: str = "classification") -> TrainConfig:
    """One validated config from a module's inputs (``None`` values are the config's defaults)."""
    given = {name: value for name, value in inputs.items() if value is not None}
    data: dict[str, Any] = {name: given[name] for name in _TOP if name in given}
    if "lr" in given:
        data["base_lr"] = given["lr"]
    split: dict[str, Any] = {"seed": given.get("seed", 0)}
    if "split" in given:
        split["train"] = given["split"]
    if "val_split" in given:
        split["train"] = 1.0 - given["val_split"]
    if "stratified" in given:
        split["stratified"] = given["stratified"]
    data["split"] = split
    bounds = {name: given[name] for name in _RESOLUTION if name in given}
    if bounds:
        data["resolution"] = bounds
    data["augment"] = {name: given[name] for name in _AUGMENT if name in given}
    if given.get("config"):
        data = _merged(data, task_section(read_config_file(given["config"]), task))
    return TrainConfig.from_dict(data)


def _merged(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``override`` over ``base``, section by section (``split``, ``resolution``, ``augment``)."""
    merged = dict(base)
    for name, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(name), dict):
            merged[name] = {**merged[name], **value}
        else:
            merged[name] = value
    return merged


def epochs_to_iterations(config: TrainConfig, epochs: int | None, train_count: int) -> TrainConfig:
    """With ``epochs``: ``max_iter`` = epochs x batches per epoch, one report per epoch."""
    if epochs is None:
        return config
    per_epoch = -(-train_count // config.batch_size)
    return config.with_values(max_iter=epochs * per_epoch, display=config.display or per_epoch)
