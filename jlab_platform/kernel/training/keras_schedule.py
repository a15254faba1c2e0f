"""``ConfigSchedule``: a Keras ``LearningRateSchedule`` whose rates are ``learning_rate()``'s.

The rates of iterations 0..max_iter are computed once by the shared formula and looked up by
the optimizer's iteration count, so Keras and PyTorch follow the very same numbers. Registered
for serialization: a saved model's optimizer loads it back (Keras imports this module).
"""

from typing import Any

import keras  # type: ignore[import-untyped]  # keras ships no type information

from .config import TrainConfig
from .schedule import learning_rates

MAX_TABLE = 2_000_000  # rates kept: 8 MB of float32, computed in a few seconds


@keras.saving.register_keras_serializable(package="jlab_platform")
class ConfigSchedule(keras.optimizers.schedules.LearningRateSchedule):  # type: ignore[misc]
    def __init__(self, config: TrainConfig | dict[str, Any]) -> None:
        super().__init__()
        self.config = config if isinstance(config, TrainConfig) else TrainConfig.from_dict(config)
        if self.config.max_iter > MAX_TABLE:
            raise ValueError(
                f"max_iter {self.config.max_iter} is more than the {MAX_TABLE:,} iterations a Keras "
                "schedule table holds; train in several runs or with fewer, larger batches"
            )
        self._table = keras.ops.convert_to_tensor(learning_rates(self.config), dtype="float32")

    def __call__(self, step: Any) -> Any:
        last = self.config.max_iter
        index = keras.ops.clip(keras.ops.cast(step, "int32"), 0, last)
        return keras.ops.take(self._table, index)

    def get_config(self) -> dict[str, Any]:
        return {"config": self.config.model_dump(mode="json")}


def sgd(config: TrainConfig) -> keras.optimizers.SGD:
    """SGD with the config's momentum and weight decay (Keras decays weights by lr * weight_decay
    each step, apart from the gradient; PyTorch and Caffe add weight_decay * w to the gradient)."""
    return keras.optimizers.SGD(
        learning_rate=ConfigSchedule(config),
        momentum=config.momentum,
        weight_decay=config.weight_decay or None,
    )
