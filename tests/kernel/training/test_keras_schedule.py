"""Keras's schedule is the same formula source: each update's rate equals ``learning_rate()``.

Kept apart from the other training tests: importing TensorFlow takes seconds.
"""

import numpy as np
import pytest

from jlab_platform.kernel.training import TrainConfig, learning_rate

keras = pytest.importorskip("keras")

from jlab_platform.kernel.training.keras_schedule import ConfigSchedule, sgd  # noqa: E402


@pytest.mark.parametrize(
    "fields",
    [
        {"lr_policy": "poly", "power": 0.9},
        {"lr_policy": "step", "stepsize": 4, "gamma": 0.5},
        {"lr_policy": "multistep", "stepvalues": [2, 7], "gamma": 0.1},
        {"lr_policy": "inv", "gamma": 0.1, "power": 0.75},
        {"lr_policy": "exp", "gamma": 0.9},
        {"lr_policy": "cosine"},
        {"lr_policy": "fixed"},
    ],
)
def test_the_keras_schedule_equals_the_formula(fields: dict[str, object]) -> None:
    config = TrainConfig.from_dict({"base_lr": 0.05, "max_iter": 10, **fields})
    schedule = ConfigSchedule(config)
    for iteration in (0, 1, 3, 7, 10, 25):
        expected = learning_rate(config, min(iteration, config.max_iter))
        assert float(schedule(iteration)) == pytest.approx(expected, rel=1e-6)
    assert ConfigSchedule.from_config(schedule.get_config()).config == config


def test_a_schedule_table_has_a_limit() -> None:
    with pytest.raises(ValueError, match="2,000,000 iterations"):
        ConfigSchedule(TrainConfig.from_dict({"max_iter": 2_000_001}))


def test_an_optimizer_steps_with_the_schedules_rates() -> None:
    config = TrainConfig.from_dict(
        {
            "base_lr": 0.1,
            "max_iter": 6,
            "lr_policy": "step",
            "stepsize": 2,
            "gamma": 0.5,
            "momentum": 0.0,
            "weight_decay": 0.0,
        }
    )
    optimizer = sgd(config)
    weight = keras.Variable(np.zeros(1, dtype="float32"))
    optimizer.build([weight])
    applied = []
    for _ in range(config.max_iter):
        before = float(weight.numpy()[0])
        optimizer.apply_gradients([(keras.ops.ones(1), weight)])
        applied.append(before - float(weight.numpy()[0]))  # gradient 1: the step is the rate
    assert applied == pytest.approx([learning_rate(config, i) for i in range(6)], rel=1e-6)
