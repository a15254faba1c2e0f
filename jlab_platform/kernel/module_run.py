"""What a module's train/predict gets as ``context``: its run folder, metrics and a progress bar.

Checkpoints go to ``results/<module>/<run>/``; ``run.json`` there says how the run went
(``complete`` runs are the ones ``predict`` loads). Metrics are appended to ``metrics.jsonl``
and printed: as the JSON lines the Jobs view plots in a job or a script, as one short line per
step ("epoch 3/5 · loss 0.412 · accuracy 0.87") in a notebook someone is looking at. The
progress bar is an ipywidgets bar in a notebook, tqdm in a script (a plain text bar without tqdm).
"""

import datetime as dt
import importlib
import json
import os
import re
import sys
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TextIO

from ..files.atomic import write_json_atomic
from .metrics import log_metric, log_run
from .run_states import COMPLETE
from .tensorboard import TrainingRun

RUN_FILE = "run.json"
METRICS_FILE = "metrics.jsonl"
_REFRESH_SECONDS = 0.2


class Progress(Protocol):
    def update(self, n: int = 1) -> None: ...

    def close(self) -> None: ...


@dataclass
class RunContext:
    """Handed to a module's ``train``/``predict`` as ``context`` when it takes that parameter."""

    module: str
    action: str
    run_dir: Path  # train: write checkpoints here; predict: the trained run to load from
    params: dict[str, Any]
    last_metrics: dict[str, float] = field(default_factory=dict)
    _bars: list[Progress] = field(default_factory=list)
    _logged: bool = False
    _tensorboard: TrainingRun | None = None
    failed: bool = False  # set when train raised: the TensorBoard run ends as failed

    def log(self, step: float, total: float | None = None, unit: str = "epoch", **metrics: float) -> None:
        """Record metrics of one step (an epoch, say): ``context.log(3, total=10, loss=0.2)``.

        ``unit`` names the steps in the line a person reads (``iteration 300/1000 · loss 0.2``).
        """
        time_stamp = time.time()
        people = _interactive()
        if not people and not self._logged and self.action == "train":
            log_run(self.run_dir.name)  # the Jobs view draws each training of a job as its own run
        self._logged = True
        lines = []
        for name, value in metrics.items():
            if not people:
                # Six significant digits keep the printed lines short; metrics.jsonl keeps them all.
                log_metric(name, float(f"{value:.6g}"), step=step, total=total)
            self.last_metrics[name] = float(value)
            lines.append(
                json.dumps({"metric": name, "value": float(value), "step": step, "time": time_stamp})
            )
        if people and metrics:
            print(step_summary(step, total, metrics, unit), flush=True)
        if lines and self.action == "train":
            with open(self.run_dir / METRICS_FILE, "a", encoding="utf-8") as out:
                out.write("\n".join(lines) + "\n")
            if self._tensorboard is None:
                self._tensorboard = TrainingRun(self.module, self.run_dir, self.params)
            self._tensorboard.log(step, metrics)

    def report_saved(self) -> None:
        """The closing line of a training: where its run folder is."""
        try:
            shown = self.run_dir.resolve().relative_to(Path.cwd().resolve())
        except ValueError:  # a notebook in a subfolder: name it as the file browser shows it
            results, module = self.run_dir.parent.parent, self.run_dir.parent
            shown = Path(results.name, module.name, self.run_dir.name)
        print(f"Saved to {shown.as_posix()}/", flush=True)

    def progress(self, total: int, description: str = "") -> Progress:
        """A progress bar for ``total`` steps; call ``update()`` after each one."""
        bar = make_progress(total, description or f"{self.module} {self.action}")
        self._bars.append(bar)
        return bar

    def close(self) -> None:
        for bar in self._bars:
            bar.close()
        self._bars.clear()
        if self._tensorboard is not None:
            self._tensorboard.close("failed" if self.failed else "success")


ProgressFactory = Callable[[int, str], Progress]
_PROGRESS_FACTORY: ContextVar[ProgressFactory | None] = ContextVar("progress_factory", default=None)


@contextmanager
def progress_with(factory: ProgressFactory) -> Iterator[None]:
    """Modules' bars come from ``factory(total, description)`` meanwhile.

    A job that is one long module call (a batch prediction) turns the module's own bar into
    the progress lines the Jobs view draws.
    """
    token = _PROGRESS_FACTORY.set(factory)
    try:
        yield
    finally:
        _PROGRESS_FACTORY.reset(token)


def make_progress(total: int, description: str) -> Progress:
    custom = _PROGRESS_FACTORY.get()
    if custom is not None:
        return custom(total, description)
    if _in_notebook():
        try:
            return WidgetProgress(total, description)
        except ImportError:
            pass
    try:
        tqdm = importlib.import_module("tqdm").tqdm  # optional: scripts fall back to a text bar
    except ImportError:
        return TextProgress(total, description)
    bar: Progress = tqdm(total=total, desc=description, file=sys.stderr, mininterval=_REFRESH_SECONDS)
    return bar


def _in_notebook() -> bool:
    shell = sys.modules.get("IPython")
    ipython = getattr(shell, "get_ipython", lambda: None)()
    return type(ipython).__name__ == "ZMQInteractiveShell"


def _interactive() -> bool:
    """A notebook or console someone watches; a job's notebook (its log is parsed) is not."""
    return _in_notebook() and "JLAB_JOB_ID" not in os.environ


def step_summary(step: float, total: float | None, metrics: dict[str, float], unit: str = "epoch") -> str:
    """``epoch 3/5 · loss 0.412 · accuracy 0.87``: one line a person reads at a glance."""
    done = f"{step:g}/{total:g}" if total else f"{step:g}"
    return " · ".join([f"{unit} {done}", *(f"{name} {value:.3g}" for name, value in metrics.items())])


# absl's format, which TensorFlow's C++ code writes to fd 2 before it reads its log level:
# "I0000 00:00:1796532152.456388    8218 port.cc:153] oneDNN custom operations are on…".
_NATIVE_NOISE = re.compile(
    rb"^(?:[IW]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ \S+:\d+\] "
    rb"|WARNING: All log messages before absl::InitializeLog)"
)


@contextmanager
def quiet_native_logs() -> Iterator[None]:
    """Run a module without the INFO/WARNING start-up lines of native libraries (TensorFlow's).

    TF_CPP_MIN_LOG_LEVEL silences most of them when it is set before TensorFlow is imported;
    the lines written before TensorFlow reads it are dropped from fd 2 here, while errors and
    everything else pass through unchanged.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        sys.stderr.flush()
        original = os.dup(2)
    except (OSError, ValueError):
        yield  # no fd 2 to filter
        return
    read_end, write_end = os.pipe()
    os.dup2(write_end, 2)
    os.close(write_end)
    forward = threading.Thread(target=_drop_native_noise, args=(read_end, original), daemon=True)
    forward.start()
    try:
        yield
    finally:
        os.dup2(original, 2)  # closes our pipe's last writer unless a child process still holds it
        forward.join(timeout=1)


def _drop_native_noise(read_end: int, target: int) -> None:
    with open(read_end, "rb", buffering=0) as pipe, open(target, "wb", buffering=0) as out:
        pending = b""
        while chunk := pipe.read(65536):
            *lines, pending = (pending + chunk).split(b"\n")
            kept = [line + b"\n" for line in lines if not _NATIVE_NOISE.match(line)]
            if kept:
                out.write(b"".join(kept))
        if pending and not _NATIVE_NOISE.match(pending):
            out.write(pending)


class _ThrottledProgress(ABC):
    """Counts steps and redraws at most every 0.2 s (and at the end), so it never slows training."""

    def __init__(self, total: int) -> None:
        self.total, self.done = max(int(total), 1), 0
        self.started = self._shown = time.monotonic()

    def update(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if now - self._shown >= _REFRESH_SECONDS or self.done >= self.total:
            self._redraw(now)

    def _redraw(self, now: float) -> None:
        self._shown = now
        self._draw(now)

    @abstractmethod
    def _draw(self, now: float) -> None: ...


class WidgetProgress(_ThrottledProgress):
    """An ipywidgets bar with a label."""

    def __init__(self, total: int, description: str) -> None:
        super().__init__(total)
        widgets = importlib.import_module("ipywidgets")
        display = importlib.import_module("IPython.display").display
        self.bar = widgets.IntProgress(value=0, min=0, max=self.total, description=description[:30])
        self.bar.add_class("jlab-platform-progress")
        self.label = widgets.Label(value=f"0/{self.total}")
        display(widgets.HBox([self.bar, self.label]))

    def close(self) -> None:
        self._redraw(time.monotonic())
        self.bar.bar_style = "success" if self.done >= self.total else "warning"

    def _draw(self, now: float) -> None:
        self.bar.value = min(self.done, self.total)
        self.label.value = f"{self.done}/{self.total} · {_eta(self.done, self.total, now - self.started)}"


class TextProgress(_ThrottledProgress):
    """``[#####-----]  50% 5/10`` on one line, for scripts where tqdm is not installed."""

    def __init__(self, total: int, description: str, stream: TextIO | None = None) -> None:
        super().__init__(total)
        self.description = description
        self.stream = stream or sys.stderr
        self._redraw(self.started)

    def close(self) -> None:
        self._redraw(time.monotonic())
        self.stream.write("\n")
        self.stream.flush()

    def _draw(self, now: float) -> None:
        filled = int(30 * min(self.done, self.total) / self.total)
        percent = 100 * min(self.done, self.total) // self.total
        eta = _eta(self.done, self.total, now - self.started)
        self.stream.write(
            f"\r{self.description} [{'#' * filled}{'-' * (30 - filled)}] {percent:3d}% "
            f"{self.done}/{self.total} {eta}"
        )
        self.stream.flush()


def _eta(done: int, total: int, elapsed: float) -> str:
    if done <= 0 or done >= total:
        return f"{elapsed:.1f}s"
    return f"ETA {elapsed * (total - done) / done:.1f}s"


# -- run folders ---------------------------------------------------------------


def new_run_dir(module_results: Path) -> Path:
    """``results/<module>/run-YYYYmmdd-HHMMSS[-N]``: names sort in the order runs started."""
    module_results.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("run-%Y%m%d-%H%M%S")
    for attempt in range(1, 1000):
        candidate = module_results / (stamp if attempt == 1 else f"{stamp}-{attempt:03d}")
        try:
            candidate.mkdir()
            return candidate
        except FileExistsError:
            continue
    raise RuntimeError(f"Cannot create a new run folder in {module_results}")


def write_run_record(run_dir: Path, record: dict[str, Any]) -> None:
    write_json_atomic(run_dir / RUN_FILE, record, indent=1, default=str)


def read_run_record(run_dir: Path) -> dict[str, Any] | None:
    try:
        record = json.loads((run_dir / RUN_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def complete_runs(module_results: Path) -> list[Path]:
    """Finished runs of a module, oldest first."""
    if not module_results.is_dir():
        return []
    runs = [
        run
        for run in sorted(module_results.iterdir())
        if run.is_dir() and (read_run_record(run) or {}).get("status") == COMPLETE
    ]
    return runs
