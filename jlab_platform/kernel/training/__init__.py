"""Training configuration for modules, jobs and notebooks: ``TrainConfig`` and its schedules.

>>> from jlab_platform.kernel.training import TrainConfig, learning_rate
>>> config = TrainConfig.from_dict({"base_lr": 0.01, "max_iter": 100, "lr_policy": "poly", "power": 1})
>>> learning_rate(config, 50)
0.005

The framework adapters load their framework only when asked for: ``ConfigLR`` (a PyTorch
``LRScheduler``) and ``ConfigSchedule`` (a Keras ``LearningRateSchedule``).
"""

import importlib
from typing import Any

from .config import (
    LR_POLICIES,
    AugmentConfig,
    ResolutionConfig,
    SplitConfig,
    TrainConfig,
    TrainConfigError,
)
from .schedule import learning_rate, learning_rates

_LAZY = {"ConfigLR": ".torch_schedule", "ConfigSchedule": ".keras_schedule"}

__all__ = [
    "LR_POLICIES",
    "AugmentConfig",
    "ConfigLR",
    "ConfigSchedule",
    "ResolutionConfig",
    "SplitConfig",
    "TrainConfig",
    "TrainConfigError",
    "learning_rate",
    "learning_rates",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
