"""Metrics from the JSON lines a job prints: ``{"metric": "loss", "value": 0.3, "step": 10}``.

Parsing is incremental (a job's log can be large and is polled while it
grows); malformed lines and ordinary output are ignored.
"""

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Enough points for a smooth curve; older points are thinned, never the latest.
MAX_POINTS_PER_SERIES = 2000
_READ_BLOCK = 4 * 1024 * 1024


@dataclass
class MetricsState:
    offset: int = 0
    series: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    step: float | None = None
    total: float | None = None

    def to_json(self, elapsed_seconds: float | None) -> dict[str, Any]:
        progress = None
        eta = None
        if self.step is not None and self.total:
            fraction = max(0.0, min(1.0, self.step / self.total))
            progress = {"step": self.step, "total": self.total, "fraction": fraction}
            if elapsed_seconds is not None and 0 < fraction < 1:
                eta = elapsed_seconds * (1 - fraction) / fraction
        return {
            "series": {
                name: [{"step": step, "value": value} for step, value in points]
                for name, points in self.series.items()
            },
            "progress": progress,
            "eta_seconds": eta,
        }


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
            last_newline = block.rfind(b"\n")
            if last_newline < 0:
                break  # an unfinished line: wait for the rest
            for line in block[: last_newline + 1].splitlines():
                _parse_line(state, line)
            state.offset += last_newline + 1
            log.seek(state.offset)
    return state


def _parse_line(state: MetricsState, line: bytes) -> None:
    line = line.strip()
    if not line.startswith(b"{") or b'"metric"' not in line:
        return
    try:
        record = json.loads(line)
    except ValueError:
        return
    if not isinstance(record, dict):
        return
    name, value = record.get("metric"), _number(record.get("value"))
    if not isinstance(name, str) or value is None:
        return
    points = state.series.setdefault(name, [])
    step = _number(record.get("step"))
    if step is None:
        step = float(len(points))
    points.append((step, value))
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
