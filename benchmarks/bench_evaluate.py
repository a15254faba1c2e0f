"""Evaluation benchmark: metrics against scikit-learn and torchmetrics, drill-down paging.

Prints each figure with its baseline from the same run. Targets (issue "Evaluation report"):
- classification report on 1,000,000 predictions: scikit-learn's ``classification_report``
  time / ours >= 5;
- per-class metrics over 100 masks of 512x512 with 21 classes: torchmetrics' time / ours >= 1.0,
  values equal within 1e-6;
- drill-down query (one class's misclassified samples, one page) over 1,000,000 sample records:
  p95 under 50 ms (through the service, as the REST handler calls it).
"""

import gc
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jlab_platform.evaluation.metrics import classification_report, confusion_of_masks, report
from jlab_platform.evaluation.models import SampleQuery
from jlab_platform.evaluation.report import RECORD_JSON, REPORT_JSON, write_json
from jlab_platform.evaluation.samples import Sample, write_samples
from jlab_platform.evaluation.service import EvaluationService
from jlab_platform.paths import PathResolver

PREDICTIONS, CLASSES = 1_000_000, 10
MASKS, SIDE, MASK_CLASSES = 100, 512, 21
RECORDS, PAGE, QUERIES = 1_000_000, 60, 200
RUNS = 5


def best_of(function: Callable[[], Any], runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_report(rng: np.random.Generator) -> None:
    from sklearn.metrics import classification_report as sklearn_report

    true = rng.integers(0, CLASSES, PREDICTIONS)
    pred = np.where(rng.random(PREDICTIONS) < 0.8, true, rng.integers(0, CLASSES, PREDICTIONS))
    names = [f"class{k}" for k in range(CLASSES)]
    ours = best_of(lambda: classification_report(true, pred, names))
    theirs = best_of(lambda: sklearn_report(true, pred, output_dict=True, zero_division=0), runs=3)
    mine = classification_report(true, pred, names)
    sk = sklearn_report(true, pred, output_dict=True, zero_division=0)
    assert abs(mine.macro["f1"] - sk["macro avg"]["f1-score"]) < 1e-12
    print(
        f"classification report, {PREDICTIONS:,} predictions: ours {ours * 1000:.1f} ms, "
        f"scikit-learn {theirs * 1000:.1f} ms -> {theirs / ours:.1f}x (target >= 5)"
    )


def bench_masks(rng: np.random.Generator) -> None:
    import torch
    from torchmetrics import MetricCollection
    from torchmetrics.classification import MulticlassJaccardIndex, MulticlassPrecision, MulticlassRecall

    truth = rng.integers(0, MASK_CLASSES, (MASKS, SIDE, SIDE)).astype(np.uint8)
    noise = rng.integers(0, MASK_CLASSES, truth.shape).astype(np.uint8)
    predicted = np.where(rng.random(truth.shape) < 0.8, truth, noise).astype(np.uint8)
    names = [str(k) for k in range(MASK_CLASSES)]

    def ours() -> Any:
        return report(confusion_of_masks(zip(truth, predicted, strict=True), MASK_CLASSES), names)

    # torchmetrics gets the tensors ready-made (int64, as it wants them); its time is the update + compute.
    true_t, pred_t = torch.from_numpy(truth.astype(np.int64)), torch.from_numpy(predicted.astype(np.int64))

    def theirs() -> list[Any]:
        # One collection, one update over the whole batch: torchmetrics' fastest path (precision and
        # recall share their counts in one compute group).
        collection = MetricCollection(
            {
                "precision": MulticlassPrecision(MASK_CLASSES, average=None),
                "recall": MulticlassRecall(MASK_CLASSES, average=None),
                "iou": MulticlassJaccardIndex(MASK_CLASSES, average=None),
            }
        )
        collection.update(pred_t, true_t)
        values = collection.compute()
        return [values["precision"], values["recall"], values["iou"]]

    ours_s, theirs_s = best_of(ours, runs=3), best_of(theirs, runs=2)
    mine, (precision, recall, iou) = ours(), theirs()
    worst = max(
        float(np.abs(np.array([getattr(c, name) for c in mine.classes]) - values.numpy()).max())
        for name, values in (("precision", precision), ("recall", recall), ("iou", iou))
    )
    print(
        f"per-class precision/recall/IoU, {MASKS} masks {SIDE}x{SIDE}, {MASK_CLASSES} classes: "
        f"ours {ours_s * 1000:.0f} ms, torchmetrics {theirs_s * 1000:.0f} ms -> {theirs_s / ours_s:.1f}x "
        f"(target >= 1.0); largest difference {worst:.1e} (target <= 1e-6)"
    )


def bench_drilldown(rng: np.random.Generator) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        folder = root / "results" / "m" / "run-1" / "evaluation" / "val-20260101-000000-abcdef"
        folder.mkdir(parents=True)
        truth = rng.integers(0, MASK_CLASSES, RECORDS)
        predicted = np.where(rng.random(RECORDS) < 0.9, truth, rng.integers(0, MASK_CLASSES, RECORDS))
        confidence = rng.random(RECORDS)
        samples = [
            Sample(
                n,
                f"{root}/data/{truth[n]}/img{n:07d}.png",
                int(truth[n]),
                int(predicted[n]),
                float(confidence[n]),
            )
            for n in range(RECORDS)
        ]
        names = [f"class{k}" for k in range(MASK_CLASSES)]
        start = time.perf_counter()
        write_samples(folder, samples, names)
        written = time.perf_counter() - start
        del samples  # a million live objects would put the garbage collector's pauses into the timings
        gc.collect()
        write_json(folder / REPORT_JSON, {"classes": names})
        write_json(folder / RECORD_JSON, {"id": folder.name, "status": "complete"})
        service = EvaluationService(PathResolver(root), root / "results", jobs=None)  # type: ignore[arg-type]
        times = []
        for _ in range(QUERIES):
            query = SampleQuery.model_validate(
                {
                    "class": int(rng.integers(0, MASK_CLASSES)),
                    "kind": "misclassified",
                    "offset": int(rng.integers(0, 20)) * PAGE,
                    "limit": PAGE,
                }
            )
            start = time.perf_counter()
            page = service.samples(folder.name, query)
            times.append((time.perf_counter() - start) * 1000)
            assert len(page.samples) == PAGE
        p95 = statistics.quantiles(times, n=20)[-1]
        print(
            f"drill-down page ({PAGE} of one class's misclassified) over {RECORDS:,} records: "
            f"p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms (target < 50 ms); "
            f"records written in {written:.1f} s"
        )


def main() -> None:
    rng = np.random.default_rng(0)
    bench_report(rng)
    bench_masks(rng)
    bench_drilldown(rng)


if __name__ == "__main__":
    main()
