"""An evaluation's folder in its run: ``results/<module>/<run>/evaluation/<id>/``.

- ``evaluation.json``: what was evaluated (run, data, split), by which job, its status;
- ``model_analysis_results.json`` (the seed's name): overall and per-class precision, recall,
  F1, IoU and support, the confusion matrix, and per class how many samples were
  misclassified or non-compliant;
- ``all_samples.json`` and ``samples.sqlite``: every sample (see ``samples.py``);
- ``thumbs/``: thumbnails, made the first time each is asked for.

The folders are the index of evaluations: an id names its folder, found under any run.
"""

import datetime as dt
import json
import re
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ..files.atomic import write_atomic
from .metrics import Matrix, report
from .samples import Sample, write_samples

EVALUATION_FOLDER = "evaluation"
RECORD_JSON = "evaluation.json"
REPORT_JSON = "model_analysis_results.json"
THUMBS_FOLDER = "thumbs"
ID_PATTERN = re.compile(r"^[a-z]+-\d{8}-\d{6}-[0-9a-f]{6}$")

Task = Literal["classification", "segmentation"]
Status = Literal["submitted", "running", "complete", "failed"]


def new_evaluation_id(source: str) -> str:
    """``val-20260101-120000-1a2b3c``: the split (or ``data``), when, and a random tail."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    prefix = source if source in ("val", "train") else "data"
    return f"{prefix}-{stamp}-{secrets.token_hex(3)}"


def evaluation_folder(run_dir: Path, evaluation_id: str) -> Path:
    return run_dir / EVALUATION_FOLDER / evaluation_id


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def write_json(final: Path, data: Any) -> None:
    """Written beside its name and renamed over it: a reader never sees half a file."""
    text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    write_atomic(final, text.encode("utf-8"), secrets.token_hex(4))


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def update_record(folder: Path, **changes: Any) -> dict[str, Any]:
    """Merge ``changes`` into ``evaluation.json`` (created when missing)."""
    record = read_json(folder / RECORD_JSON)
    record = {**(record if isinstance(record, dict) else {}), **changes}
    write_json(folder / RECORD_JSON, record)
    return record


def write_report(
    folder: Path,
    task: Task,
    classes: Sequence[str],
    confusion: Matrix,
    samples: Sequence[Sample],
    about: dict[str, Any],
) -> dict[str, Any]:
    """Write the metrics and the per-sample files; return what ``model_analysis_results.json`` holds."""
    figures = report(confusion, classes)
    counts = _sample_counts(samples, len(classes))
    per_class = []
    for index, metrics in enumerate(figures.classes):
        per_class.append(
            {
                **vars(metrics),
                "samples": int(counts["samples"][index]),
                "misclassified": int(counts["misclassified"][index]),
                "noncompliant": int(counts["noncompliant"][index]),
            }
        )
    analysis = {
        **about,
        "task": task,
        "classes": list(classes),
        "overall": {
            "accuracy": figures.accuracy,
            **figures.macro,
            "weighted": figures.weighted,
            "samples": len(samples),
            "evaluated": int(counts["samples"].sum() - counts["noncompliant"].sum()),
            "misclassified": int(counts["misclassified"].sum()),
            "noncompliant": int(counts["noncompliant"].sum()),
            "units": "pixels" if task == "segmentation" else "samples",
        },
        "per_class": per_class,
        "confusion_matrix": figures.confusion.tolist(),
    }
    write_samples(folder, samples, classes)
    write_json(folder / REPORT_JSON, analysis)  # last: its presence means the report is whole
    return analysis


def _sample_counts(samples: Sequence[Sample], classes: int) -> dict[str, np.ndarray[Any, Any]]:
    truth = np.fromiter((s.truth for s in samples), dtype=np.int64, count=len(samples))
    kinds = np.fromiter((s.kind for s in samples), dtype="<U13", count=len(samples))
    return {
        "samples": np.bincount(truth, minlength=classes),
        "misclassified": np.bincount(truth[kinds == "misclassified"], minlength=classes),
        "noncompliant": np.bincount(truth[kinds == "noncompliant"], minlength=classes),
    }
