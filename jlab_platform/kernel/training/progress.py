"""Iteration progress of a training loop: a bar (with its ETA) and metrics every ``display`` steps.

The metrics go through ``context.log`` (the JSON lines the Jobs view plots, with an ETA from
``step``/``total``, and ``metrics.jsonl``): ``loss`` and the training metric averaged over the
iterations since the last report, the ``lr`` of the last one, and the validation figures.
"""

from collections.abc import Callable

from ..module_run import RunContext
from .config import TrainConfig


class Reporter:
    def __init__(self, context: RunContext, config: TrainConfig, metric: str) -> None:
        self.context, self.config, self.metric = context, config, metric
        self.bar = context.progress(config.max_iter, "train")
        self._loss = self._value = 0.0
        self._count = 0

    def step(
        self, iteration: int, loss: float, value: float, lr: float, validate: Callable[[], dict[str, float]]
    ) -> None:
        """Count iteration ``iteration`` (0-based); report when ``display`` iterations are done."""
        self._loss += loss
        self._value += value
        self._count += 1
        self.bar.update()
        done = iteration + 1
        if done % self.config.display_every and done != self.config.max_iter:
            return
        metrics = {"loss": self._loss / self._count, self.metric: self._value / self._count, "lr": lr}
        self._loss = self._value = 0.0
        self._count = 0
        self.context.log(done, total=self.config.max_iter, unit="iteration", **metrics, **validate())
