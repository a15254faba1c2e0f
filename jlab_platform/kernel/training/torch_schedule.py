"""``ConfigLR``: a PyTorch ``LRScheduler`` whose rates are ``learning_rate(config, iteration)``.

Call ``scheduler.step()`` after each ``optimizer.step()`` (once per iteration, not per epoch).
Parameter groups with their own initial rate are scaled alike (rate * group lr / base_lr).
"""

from typing import Any

import torch
from torch.optim.lr_scheduler import LRScheduler

from .config import TrainConfig
from .schedule import learning_rate


class ConfigLR(LRScheduler):
    def __init__(self, optimizer: torch.optim.Optimizer, config: TrainConfig, last_epoch: int = -1) -> None:
        self.config = config
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:  # type: ignore[override]  # torch types it as list[float | Tensor]
        factor = learning_rate(self.config, max(self.last_epoch, 0)) / self.config.base_lr
        return [float(initial) * factor for initial in self.base_lrs]

    def state_dict(self) -> dict[str, Any]:
        state = super().state_dict()
        state["config"] = self.config.model_dump(mode="json")  # plain values: weights_only loads it
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state = dict(state_dict)
        self.config = TrainConfig.from_dict(state.pop("config", self.config.model_dump()))
        super().load_state_dict(state)


def sgd(parameters: Any, config: TrainConfig) -> torch.optim.SGD:
    """The seed's optimizer: SGD with the config's momentum and weight decay, at base_lr."""
    return torch.optim.SGD(
        parameters, lr=config.base_lr, momentum=config.momentum, weight_decay=config.weight_decay
    )
