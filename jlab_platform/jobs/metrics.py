"""Metrics from the JSON lines a job prints: ``{"metric": "loss", "value": 0.3, "step": 10}``.

Parsing is incremental (a job's log can be large and is polled while it
grows): each job keeps its offset and series, and only what was appended since
is read. Lines longer than ``MAX_LINE`` (a progress bar redrawn thousands of
times without a newline) are skipped, malformed lines and ordinary output ignored.

A job may train more than once: a metric whose step goes back, or a run line
``{"run": "run-20260101-120000"}`` (printed by the kernel library at the start of
a training), starts a new run, so that each run gets its own curve.
"""

import json
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .models import JobMetrics, MetricPoint, MetricRun, Progress

# Called with (metric, step, value, run index) for each point as it is parsed.
PointListener = Callable[[str, float, float, int], None]

# Enough points for a smooth curve; older points are thinned, never the latest.
MAX_POINTS_PER_SERIES = 2000
# No metric line is this long; longer ones are progress output and are skipped.
MAX_LINE = 64 * 1024
_READ_BLOCK = 4 * 1024 * 1024
_LINE_BREAKS = (b"\n", b"\r")


@dataclass
class MetricsState:
    offset: int = 0
    series: dict[str, list[tuple[float, float, int]]] = field(default_factory=dict)
    step: float | None = None
    total: float | None = None
    # One label per run (None: detected from a step going back, no run line).
    runs: list[str | None] = field(default_factory=lambda: [None])
    # Inside a line longer than MAX_LINE: discard up to the next line break.
    skipping: bool = False
    # Parsing happens outside the job service's lock; this one keeps two polls
    # of the same job from parsing into the same state at once.
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    # Each metric's latest (run, step): a step going back within a run starts the next run.
    last_steps: dict[str, tuple[int, float]] = field(default_factory=dict, repr=False)
    # Every point, also those thinned out of ``series`` later (the job's TensorBoard run).
    listener: PointListener | None = field(default=None, repr=False, compare=False)

    def to_model(self, elapsed_seconds: float | None) -> JobMetrics:
        progress = None
        eta = None
        if self.step is not None and self.total:
            fraction = max(0.0, min(1.0, self.step / self.total))
            progress = Progress(step=self.step, total=self.total, fraction=fraction)
            if elapsed_seconds is not None and 0 < fraction < 1:
                eta = elapsed_seconds * (1 - fraction) / fraction
        return JobMetrics(
            series={
                name: [MetricPoint(step=step, value=value, run=run) for step, value, run in points]
                for name, points in self.series.items()
            },
            runs=[MetricRun(index=index, label=label) for index, label in enumerate(self.runs)],
            progress=progress,
            eta_seconds=eta,
        )

    def start_run(self, label: str | None) -> int:
        """Begin the next run (or name the current one while it has no point); its index."""
        current = len(self.runs) - 1
        if any(run == current for run, _ in self.last_steps.values()):
            self.runs.append(label)
        else:
            self.runs[current] = label
        self.step = self.total = None
        return len(self.runs) - 1


def update(state: MetricsState, log_path: Path) -> MetricsState:
    """Parse what was appended to ``log_path`` since ``state.offset``; complete lines only."""
    try:
        log = open(log_path, "rb")
    except FileNotFoundError:
        return state
    with log:
        log.seek(state.offset)
        while True:
            block = log.read(_READ_BLOCK)
            if not block:
                break
            end = max(block.rfind(brk) for brk in _LINE_BREAKS) + 1
            if end == 0:
                if len(block) <= MAX_LINE:
                    break  # an unfinished line: wait for the rest
                state.offset += len(block)
                state.skipping = True
                continue
            lines = block[:end].splitlines()
            if state.skipping:
                lines = lines[1:]  # the end of the over-long line
                state.skipping = False
            for line in lines:
                if len(line) <= MAX_LINE:
                    _parse_line(state, line)
            state.offset += end
            if len(block) - end > MAX_LINE:
                state.offset += len(block) - end
                state.skipping = True
            log.seek(state.offset)
    return state


def _parse_line(state: MetricsState, line: bytes) -> None:
    line = line.strip()
    if not line.startswith(b"{") or (b'"metric"' not in line and b'"run"' not in line):
        return
    try:
        record = json.loads(line)
    except ValueError:
        return
    if not isinstance(record, dict):
        return
    if "metric" not in record:
        label = record.get("run")
        if isinstance(label, str):
            state.start_run(label[:200])
        return
    name, value = record.get("metric"), _number(record.get("value"))
    if not isinstance(name, str) or value is None:
        return
    points = state.series.setdefault(name, [])
    step = _number(record.get("step"))
    if step is None:
        step = float(len(points))
    run = len(state.runs) - 1
    last = state.last_steps.get(name)
    if last is not None and last[0] == run and step < last[1]:
        run = state.start_run(None)  # the step went back: another training in the same job
    state.last_steps[name] = (run, step)
    points.append((step, value, run))
    if state.listener is not None:
        state.listener(name, step, value, run)
    if len(points) > MAX_POINTS_PER_SERIES:
        del points[0 : len(points) - 1 : 2]  # halve the older points, keep the newest
    total = _number(record.get("total"))
    if total is not None and total > 0:
        state.step, state.total = step, total


def _number(value: Any) -> float | None:
    """A finite JSON number as float; None for anything else (bools included)."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None
