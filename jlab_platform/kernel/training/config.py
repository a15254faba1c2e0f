"""``TrainConfig``: the seed's training parameters and preprocessing, validated in one place.

Caffe's SGD solver fields (``base_lr``, ``batch_size``, ``max_iter`` counted in batches,
``weight_decay``, ``momentum``, ``lr_policy`` with ``gamma``/``power``/``stepsize``/``stepvalues``)
and the seed's preprocessing steps (split, resolution filter, augmentations). Every bad field
is reported at once, named by its dotted path (``split.train``, ``resolution.max_width``).
"""

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ...errors import InvalidInput
from ...modules.documents import load_yaml

LR_POLICIES = ("fixed", "step", "exp", "inv", "multistep", "poly", "cosine")
LrPolicy = Literal["fixed", "step", "exp", "inv", "multistep", "poly", "cosine"]
TASKS = ("classification", "segmentation")


class TrainConfigError(InvalidInput):
    """A training configuration with bad fields; ``fields`` maps each dotted name to what to fix."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(
            f"{len(fields)} training configuration field(s) need fixing: {', '.join(fields)}",
            "; ".join(f"{name}: {fix}" for name, fix in fields.items()),
            field=next(iter(fields), None),
        )
        self.fields = fields

    def __str__(self) -> str:
        return self.message + "".join(f"\n  {name}: {fix}" for name, fix in self.fields.items())


class _Problems(ValueError):
    """Checks across fields, each named: raised from a model validator, expanded by ``_named``."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {fix}" for name, fix in problems.items()))
        self.problems = problems


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SplitConfig(_Section):
    """Train/validation split: ``train`` is the train share (the seed's 切分比例, 0.8 = 80 % train)."""

    train: float = Field(default=0.8, gt=0.0, le=1.0, description="Share of the images used for training")
    seed: int = Field(default=0, ge=0, description="Seed of the shuffle: same seed and files, same split")
    stratified: bool = Field(default=True, description="Keep each class's share the same in both parts")


class ResolutionConfig(_Section):
    """Images outside these bounds (in pixels, before resizing) are non-compliant and left out."""

    min_width: int | None = Field(default=None, ge=1)
    max_width: int | None = Field(default=None, ge=1)
    min_height: int | None = Field(default=None, ge=1)
    max_height: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> "ResolutionConfig":
        problems = {
            f"max_{side}": f"{high} is smaller than min_{side} {low}"
            for side, low, high in (
                ("width", self.min_width, self.max_width),
                ("height", self.min_height, self.max_height),
            )
            if low is not None and high is not None and high < low
        }
        if problems:
            raise _Problems(problems)
        return self

    def violations(self, width: int, height: int) -> list[str]:
        """What is wrong with an image of this size, e.g. ``["width 4000 > max_width 1024"]``."""
        found = []
        for name, value, low, high in (
            ("width", width, self.min_width, self.max_width),
            ("height", height, self.min_height, self.max_height),
        ):
            if low is not None and value < low:
                found.append(f"{name} {value} < min_{name} {low}")
            if high is not None and value > high:
                found.append(f"{name} {value} > max_{name} {high}")
        return found


class AugmentConfig(_Section):
    """The seed's four augmentations, applied on the fly to training images (never to validation).

    Each enabled one is applied to a drawn sample with ``probability``: ``color`` shifts hue and
    scales saturation and value in HSV; ``scale`` zooms by ``scale_factor``; ``flip`` mirrors left
    to right; ``random`` zooms by a factor drawn from ``scale_range`` and mirrors half the time.
    """

    color: bool = False
    scale: bool = False
    flip: bool = False
    random: bool = False
    probability: float = Field(default=0.5, ge=0.0, le=1.0)
    hue: float = Field(
        default=0.05, ge=0.0, le=0.5, description="Largest hue shift, a share of the colour circle"
    )
    saturation: float = Field(
        default=0.3, ge=0.0, lt=1.0, description="Saturation is scaled by 1 ± this at most"
    )
    value: float = Field(
        default=0.3, ge=0.0, lt=1.0, description="Value (brightness) is scaled by 1 ± this at most"
    )
    scale_factor: float = Field(default=1.25, gt=0.0, le=4.0, description="Zoom of 'scale' (>1 enlarges)")
    scale_range: tuple[float, float] = Field(default=(0.8, 1.25), description="Zooms 'random' draws from")

    @field_validator("scale_range")
    @classmethod
    def _range(cls, value: tuple[float, float]) -> tuple[float, float]:
        low, high = value
        if not 0.0 < low <= high <= 4.0:
            raise ValueError("expected [low, high] with 0 < low <= high <= 4")
        return value

    @property
    def any(self) -> bool:
        return self.color or self.scale or self.flip or self.random


class TrainConfig(_Section):
    """Everything a training run is configured by; the defaults are the seed's classification ones."""

    base_lr: float = Field(default=0.001, gt=0.0, le=10.0)
    batch_size: int = Field(default=256, ge=1, le=65536)
    max_iter: int = Field(default=40000, ge=1, le=100_000_000, description="Iterations (batches), not epochs")
    weight_decay: float = Field(default=0.0001, ge=0.0, le=1.0)
    momentum: float = Field(default=0.9, ge=0.0, lt=1.0)
    lr_policy: LrPolicy = "poly"
    gamma: float = Field(default=0.1, gt=0.0)
    power: float = Field(default=0.9, ge=0.0)
    stepsize: int | None = Field(default=None, ge=1, description="Iterations per step of lr_policy 'step'")
    stepvalues: tuple[int, ...] = Field(
        default=(), description="Iterations where 'multistep' multiplies by gamma"
    )
    display: int | None = Field(
        default=None,
        ge=1,
        description="Report metrics every this many iterations (default: about 20 reports)",
    )
    seed: int = Field(default=0, ge=0, le=2**31 - 1, description="Seed of weights, batches and augmentations")
    split: SplitConfig = SplitConfig()
    resolution: ResolutionConfig | None = None
    augment: AugmentConfig = AugmentConfig()

    @field_validator("split", mode="before")
    @classmethod
    def _split_share(cls, value: Any) -> Any:
        """``"split": 0.8`` is short for ``"split": {"train": 0.8}``, as the seed writes it."""
        return {"train": value} if isinstance(value, int | float) and not isinstance(value, bool) else value

    @model_validator(mode="after")
    def _policy_fields(self) -> "TrainConfig":
        problems = _policy_problems(self.lr_policy, self.stepsize, self.stepvalues, self.gamma)
        if problems:
            raise _Problems(problems)
        return self

    @property
    def display_every(self) -> int:
        return self.display or max(1, self.max_iter // 20)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], task: str = "classification") -> "TrainConfig":
        """Validate ``data``; the seed's ``{"classification": {...}, "segmentation": {...}}`` works too."""
        fields = task_section(data, task)
        try:
            return cls.model_validate(fields)
        except ValidationError as exc:
            named = _named(exc)
            # The policy's own fields are checked after the others are valid: name them now too.
            policy, stepsize, stepvalues, gamma = (
                fields.get(k) for k in ("lr_policy", "stepsize", "stepvalues", "gamma")
            )
            if isinstance(policy, str) and isinstance(gamma, float | int | None):
                values = stepvalues if isinstance(stepvalues, list | tuple) else ()
                found = _policy_problems(policy, stepsize, values, 0.1 if gamma is None else gamma)
                named.update({name: fix for name, fix in found.items() if name not in named})
            raise TrainConfigError(named) from None

    @classmethod
    def from_file(cls, path: str | Path, task: str = "classification") -> "TrainConfig":
        """A JSON or YAML file (``.json``; anything else is read as YAML)."""
        return cls.from_dict(read_config_file(path), task)

    def with_values(self, **values: Any) -> "TrainConfig":
        """A copy with some fields changed (validated: nested sections as mappings or models)."""
        return TrainConfig.from_dict({**self.model_dump(), **values})

    def to_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), indent=1) + "\n"


def _policy_problems(policy: str, stepsize: Any, stepvalues: Sequence[Any], gamma: float) -> dict[str, str]:
    problems: dict[str, str] = {}
    if policy == "step" and stepsize is None:
        problems["stepsize"] = "required when lr_policy is 'step'"
    if policy == "multistep":
        if not stepvalues:
            problems["stepvalues"] = "required when lr_policy is 'multistep', e.g. [1000, 2000]"
        elif not all(isinstance(v, int) and v >= 1 for v in stepvalues) or list(stepvalues) != sorted(
            set(stepvalues)
        ):
            problems["stepvalues"] = "expected increasing positive iterations, e.g. [1000, 2000]"
    if policy == "exp" and gamma > 1.0:
        problems["gamma"] = "'exp' multiplies the rate by gamma each iteration: use 0 < gamma <= 1"
    return problems


def read_config_file(path: str | Path) -> dict[str, Any]:
    """The raw fields of a JSON/YAML config file, not yet validated (errors name ``config``)."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
        data = json.loads(text) if file.suffix.lower() == ".json" else load_yaml(text)
    except (OSError, ValueError) as exc:
        raise TrainConfigError({"config": f"cannot read {file}: {exc}"}) from None
    except yaml.YAMLError as exc:
        raise TrainConfigError({"config": f"{file} is not valid YAML: {exc}"}) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise TrainConfigError({"config": f"{file} holds a {type(data).__name__}, not a mapping of fields"})
    return data


def task_section(data: Mapping[str, Any], task: str) -> dict[str, Any]:
    """``data`` itself, or its ``task`` section when it is laid out as the seed's per-task config."""
    if not isinstance(data, Mapping):
        raise TrainConfigError({"(config)": f"expected a mapping of fields, got {type(data).__name__}"})
    if not data or not set(data) <= set(TASKS):
        return dict(data)
    section = data.get(task)
    if not isinstance(section, Mapping):
        raise TrainConfigError({task: f"this configuration has no '{task}' section of fields"})
    return dict(section)


def _named(exc: ValidationError) -> dict[str, str]:
    """Each error under its dotted field name (a cross-field check names its own fields)."""
    fields: dict[str, str] = {}
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"])
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, _Problems):
            for name, fix in cause.problems.items():
                fields[f"{where}.{name}" if where else name] = fix
            continue
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown field"
        elif error["type"] == "literal_error" and where == "lr_policy":
            message = f"{error['input']!r} is not a policy; use one of: {', '.join(LR_POLICIES)}"
        fields[where or "(config)"] = message
    return fields
