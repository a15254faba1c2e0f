"""The learning-rate policies are Caffe's formulas, and PyTorch's scheduler follows them exactly."""

import math

import pytest
import torch

from jlab_platform.kernel.training import ConfigLR, TrainConfig, learning_rate, learning_rates
from jlab_platform.kernel.training.torch_schedule import sgd

ITERATIONS = (0, 1, 7, 250, 999, 1000)


def config(**fields: object) -> TrainConfig:
    return TrainConfig.from_dict({"base_lr": 0.01, "max_iter": 1000, "gamma": 0.5, "power": 0.9, **fields})


@pytest.mark.parametrize(
    ("fields", "formula"),
    [
        ({"lr_policy": "fixed"}, lambda i: 0.01),
        ({"lr_policy": "step", "stepsize": 300}, lambda i: 0.01 * 0.5 ** math.floor(i / 300)),
        ({"lr_policy": "exp", "gamma": 0.999}, lambda i: 0.01 * 0.999**i),
        ({"lr_policy": "inv", "gamma": 0.0001, "power": 0.75}, lambda i: 0.01 * (1 + 0.0001 * i) ** -0.75),
        (
            {"lr_policy": "multistep", "stepvalues": [5, 250, 800]},
            lambda i: 0.01 * 0.5 ** sum(i >= s for s in (5, 250, 800)),
        ),
        ({"lr_policy": "poly"}, lambda i: 0.01 * (1 - i / 1000) ** 0.9),
        ({"lr_policy": "cosine"}, lambda i: 0.01 * (1 + math.cos(math.pi * i / 1000)) / 2),
    ],
)
def test_each_policy_is_its_formula(fields: dict[str, object], formula: object) -> None:
    settings = config(**fields)
    for iteration in ITERATIONS:
        assert learning_rate(settings, iteration) == pytest.approx(formula(iteration), rel=1e-12)  # type: ignore[operator]


def test_the_seeds_defaults_and_edges() -> None:
    seed = TrainConfig()
    assert (seed.base_lr, seed.batch_size, seed.max_iter, seed.lr_policy, seed.power) == (
        0.001,
        256,
        40000,
        "poly",
        0.9,
    )
    assert learning_rate(seed, 0) == 0.001 and learning_rate(seed, 40000) == 0.0
    assert learning_rate(seed, 50000) == 0.0  # past max_iter poly stays at its end
    step = config(lr_policy="step", stepsize=300)
    assert [learning_rate(step, i) for i in (299, 300, 599, 600)] == [0.01, 0.005, 0.005, 0.0025]
    assert learning_rates(config(max_iter=3, lr_policy="fixed")) == [0.01] * 4
    with pytest.raises(ValueError, match="0 or more"):
        learning_rate(seed, -1)


@pytest.mark.parametrize(
    "fields",
    [
        {"lr_policy": "poly", "power": 2.0},
        {"lr_policy": "step", "stepsize": 4},
        {"lr_policy": "multistep", "stepvalues": [3, 9]},
        {"lr_policy": "inv", "gamma": 0.1, "power": 0.75},
        {"lr_policy": "exp", "gamma": 0.9},
        {"lr_policy": "cosine"},
    ],
)
def test_the_torch_scheduler_gives_each_update_the_formulas_rate(fields: dict[str, object]) -> None:
    settings = config(max_iter=12, **fields)
    weight = torch.nn.Parameter(torch.ones(3))
    optimizer = sgd([weight], settings)
    scheduler = ConfigLR(optimizer, settings)
    seen = []
    for _ in range(settings.max_iter):
        seen.append(optimizer.param_groups[0]["lr"])
        torch.autograd.backward(weight.sum())
        optimizer.step()
        optimizer.zero_grad()
        scheduler.step()
    assert seen == pytest.approx([learning_rate(settings, i) for i in range(12)], rel=1e-12)
    assert (
        optimizer.param_groups[0]["momentum"] == 0.9 and optimizer.param_groups[0]["weight_decay"] == 0.0001
    )

    resumed = ConfigLR(sgd([weight], TrainConfig()), TrainConfig())
    resumed.load_state_dict(scheduler.state_dict())
    assert resumed.config == settings and resumed.last_epoch == 12
