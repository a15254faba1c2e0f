"""The learning rate at an iteration: the one formula source of every framework's schedule.

Caffe's SGD solver policies (``iter`` counts from 0; the rate at ``iter`` is used for that
iteration's update):

- fixed:     base_lr
- step:      base_lr * gamma ^ floor(iter / stepsize)
- exp:       base_lr * gamma ^ iter
- inv:       base_lr * (1 + gamma * iter) ^ (-power)
- multistep: base_lr * gamma ^ (number of stepvalues <= iter)
- poly:      base_lr * (1 - iter / max_iter) ^ power
- cosine:    base_lr * (1 + cos(pi * iter / max_iter)) / 2   (PyTorch's CosineAnnealingLR, eta_min 0)

Past ``max_iter`` (never reached by the shipped loops) poly and cosine stay at their end value.
"""

import bisect
import math

from .config import TrainConfig


def learning_rate(config: TrainConfig, iteration: int) -> float:
    """The rate of ``config``'s policy at ``iteration`` (0-based)."""
    if iteration < 0:
        raise ValueError(f"iteration must be 0 or more, got {iteration}")
    base, gamma, policy = config.base_lr, config.gamma, config.lr_policy
    if policy == "fixed":
        return base
    if policy == "step":
        return base * math.pow(gamma, iteration // (config.stepsize or 1))
    if policy == "exp":
        return base * math.pow(gamma, iteration)
    if policy == "inv":
        return base * math.pow(1.0 + gamma * iteration, -config.power)
    if policy == "multistep":
        return base * math.pow(gamma, bisect.bisect_right(config.stepvalues, iteration))
    done = min(iteration, config.max_iter) / config.max_iter
    if policy == "poly":
        return base * math.pow(1.0 - done, config.power)
    return base * 0.5 * (1.0 + math.cos(math.pi * done))


def learning_rates(config: TrainConfig) -> list[float]:
    """The rate at every iteration 0..max_iter (the table Keras's schedule looks up)."""
    return [learning_rate(config, iteration) for iteration in range(config.max_iter + 1)]
