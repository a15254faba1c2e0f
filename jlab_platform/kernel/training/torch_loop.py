"""The PyTorch loop of the shipped modules: ``max_iter`` SGD iterations on the config's schedule."""

import json
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray
from torch import nn

from ..module_run import RunContext
from .config import TrainConfig
from .data import Prepared
from .progress import Reporter
from .torch_schedule import ConfigLR, sgd

Batch = tuple[NDArray[Any], NDArray[Any]]


def as_tensor(images: NDArray[Any]) -> torch.Tensor:
    """NHWC arrays in [0, 1] (the loaders' layout) as the NCHW tensors PyTorch convolves."""
    return torch.from_numpy(np.ascontiguousarray(images.transpose(0, 3, 1, 2), dtype=np.float32))


def fit(
    model: nn.Module,
    config: TrainConfig,
    batches: Iterator[Batch],
    metric: tuple[str, Callable[[torch.Tensor, torch.Tensor], float]],
    validate: Callable[[], dict[str, float]],
    context: RunContext,
) -> None:
    """Cross-entropy, SGD with momentum and weight decay, ``ConfigLR``; reports every ``display``.

    ``metric`` is the training figure per batch (name, function of logits and targets);
    ``validate`` gives the validation figures at each report.
    """
    optimizer = sgd(model.parameters(), config)
    scheduler = ConfigLR(optimizer, config)
    reporter = Reporter(context, config, metric[0])
    for iteration in range(config.max_iter):
        images, targets = next(batches)
        x, y = as_tensor(images), torch.from_numpy(np.ascontiguousarray(targets, dtype=np.int64))
        model.train()
        lr = float(optimizer.param_groups[0]["lr"])
        optimizer.zero_grad()
        logits = model(x)
        loss = nn.functional.cross_entropy(logits, y)
        torch.autograd.backward(loss)
        optimizer.step()
        scheduler.step()
        with torch.no_grad():
            value = metric[1](logits, y)
        reporter.step(iteration, float(loss.item()), value, lr, validate)


def save_trained(
    model: nn.Module, data: Prepared, context: RunContext, checkpoint: str, **settings: Any
) -> dict[str, Any]:
    """Save the trained model with what its predict needs (classes, ``settings``, the training
    config) and ``classes.json``; return the run's summary (the train action's answer)."""
    settings = {"classes": data.classes, **settings}
    path = context.run_dir / checkpoint
    torch.save(
        {"state_dict": model.state_dict(), **settings, "train_config": data.config.model_dump(mode="json")},
        path,
    )
    (context.run_dir / "classes.json").write_text(json.dumps(data.classes) + "\n")
    return {
        "checkpoint": str(path),
        **settings,
        "max_iter": data.config.max_iter,
        "noncompliant": len(data.noncompliant),
        **context.last_metrics,
    }
