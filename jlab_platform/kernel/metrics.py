"""Print metrics as the JSON lines the platform plots for jobs.

>>> log_metric("loss", 0.31, step=120, total=1000)
{"metric": "loss", "value": 0.31, "step": 120, "total": 1000}
"""

import json
import sys
from typing import TextIO


def log_metric(
    name: str,
    value: float,
    step: float | None = None,
    total: float | None = None,
    stream: TextIO | None = None,
) -> None:
    record: dict[str, object] = {"metric": name, "value": float(value)}
    if step is not None:
        record["step"] = step
    if total is not None:
        record["total"] = total
    out = stream or sys.stdout
    out.write(json.dumps(record) + "\n")
    out.flush()


def log_run(label: str, stream: TextIO | None = None) -> None:
    """Start a new run in the job's charts: ``{"run": "run-20260101-120000"}``.

    A job that trains twice gets one curve per training; without this line a new run is
    still seen where a metric's step goes back.
    """
    out = stream or sys.stdout
    out.write(json.dumps({"run": label}) + "\n")
    out.flush()


def log_metrics(
    step: float, total: float | None = None, stream: TextIO | None = None, **values: float
) -> None:
    """Several metrics of one step: ``log_metrics(3, total=10, loss=0.2, accuracy=0.9)``."""
    for name, value in values.items():
        log_metric(name, value, step=step, total=total, stream=stream)
