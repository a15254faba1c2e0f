"""Open TensorBoard from a notebook: ``%platform_tensorboard [LOGDIR]`` or ``open_tensorboard()``.

The server starts (or reuses) the folder's instance; the cell shows it as
``application/vnd.jlab-platform.tensorboard+json`` (JupyterLab opens it in a TensorBoard tab),
with an iframe through the server's proxy for frontends without the extension.
"""

import html
import importlib
import os
from typing import Any
from urllib.parse import urlsplit

from ..tensorboard import RUNS_DIR_ENV
from .client import find_server

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
