"""TensorBoard from a notebook: ``%platform_tensorboard [LOGDIR]`` / ``open_tensorboard()``, and
the TensorBoard run of a module's training (``TrainingRun``).

The server starts (or reuses) the folder's instance; the cell shows it as
``application/vnd.jlab-platform.tensorboard+json`` (JupyterLab opens it in a TensorBoard tab),
with an iframe through the server's proxy for frontends without the extension.
"""

import html
import importlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..tensorboard import RUNS_DIR_ENV
from .client import find_server

if TYPE_CHECKING:
    from ..tensorboard.events import RunWriter  # TensorBoard's protos load on a training's first step

MIME_TYPE = "application/vnd.jlab-platform.tensorboard+json"
DEFAULT_LOGDIR = "results/tensorboard"


def open_tensorboard(logdir: str | None = None, display: bool = True) -> dict[str, Any]:
    """Start or reuse TensorBoard for ``logdir`` (default: where jobs' runs go); its instance."""
    server = find_server()
    folder = logdir or os.environ.get(RUNS_DIR_ENV) or DEFAULT_LOGDIR
    if logdir is None:
        os.makedirs(folder, exist_ok=True)  # no job has written a run yet
    instance: dict[str, Any] = server.request("POST", "tensorboard", {"logdir": server.root_relative(folder)})
    if display:
        show = importlib.import_module("IPython.display").display  # IPython is untyped
        show(bundle(instance, urlsplit(server.url).path), raw=True)
    return instance


def bundle(instance: dict[str, Any], base_path: str) -> dict[str, Any]:
    """The display data: our MIME type, an iframe, and a line of text."""
    src = base_path.rstrip("/") + instance["url"]
    frame = (
        f'<iframe src="{html.escape(src, quote=True)}" width="100%" height="800" frameborder="0" '
        f'title="TensorBoard: {html.escape(instance["logdir"], quote=True)}"></iframe>'
    )
    return {
        MIME_TYPE: {key: instance[key] for key in ("id", "url", "logdir")},
        "text/html": frame,
        "text/plain": f"TensorBoard for {instance['logdir'] or '.'}/ at {src}",
    }


class TrainingRun:
    """A module's training as a TensorBoard run ``<runs dir>/<module>-<run>/``: its parameters
    as hparams, each logged step's metrics as scalars.

    In a job the job's own run already holds these metrics (the supervisor reads them from its
    log), so only trainings in a notebook or console write one here.
    """

    def __init__(self, module: str, run_dir: Path, params: dict[str, Any]) -> None:
        self._module, self._run_dir, self._params = module, run_dir, params
        self._runs_dir = None if "JLAB_JOB_ID" in os.environ else os.environ.get(RUNS_DIR_ENV)
        self._writer: RunWriter | None = None

    def log(self, step: float, metrics: dict[str, float]) -> None:
        if not self._runs_dir or not metrics:
            return
        if self._writer is None:
            from ..tensorboard.events import RunWriter, hparam_values
            from ..tensorboard.runs import run_folder_name

            folder = Path(self._runs_dir) / run_folder_name(self._module, self._run_dir.name)
            hparams = {"module": self._module, **hparam_values(self._params)}
            self._writer = RunWriter(folder, hparams, trial=f"{self._module}/{self._run_dir.name}")
        for name, value in metrics.items():
            self._writer.scalar(name, float(value), step)
        self._writer.flush()

    def close(self, status: str) -> None:
        if self._writer is not None:
            self._writer.close(status)
            self._writer = None
