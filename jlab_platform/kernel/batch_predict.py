"""Batch prediction (题库预测): a trained run's module predicts every image of a data path.

``python -m jlab_platform.kernel.batch_predict --run-dir RUN --data DATA --out OUT`` (a job's
entry; ``run`` is the same in Python). The module's own ``predict`` runs once over all the
images, so its model is loaded once and scores them in batches; its progress bar becomes the
metric lines the Jobs view draws as the job's progress. ``OUT`` gets:

- ``batch_prediction.json``: what was predicted, the status, the counts;
- ``predictions.csv`` and ``predictions.json``: one row per image (relative to ``DATA``), the
  non-compliant ones (outside the run's resolution bounds, unreadable) with the reason instead;
- when ``DATA`` is labeled (class folders, or ``--labels`` a ``sample,label`` CSV): the
  evaluation report, the files an evaluation folder has (``evaluation.json``,
  ``model_analysis_results.json``, ``all_samples.json``, ``samples.sqlite``), computed by the
  evaluation's own code from the same predictions, so they equal ``evaluate(RUN, data=DATA)``;
  with ``OUT`` = ``RUN/evaluation/<id>/`` the evaluations API and report view show it.
"""

import argparse
import csv
import io
import shutil
import sys
import time
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..evaluation.report import now_iso, read_json, update_record, write_json, write_report
from ..files.atomic import write_atomic
from ..modules.imagefolder import list_images
from .evaluate import (
    Dataset,
    Item,
    Rejected,
    folder_dataset,
    link_inputs,
    run_classes,
    run_config,
    score,
)
from .metrics import log_metric
from .module_run import progress_with, read_run_record
from .modules import ModuleError, load
from .run_states import COMPLETE
from .training.data import SPLIT_FILE, filter_resolution
from .training.data import Sample as TrainingSample

RECORD_FILE = "batch_prediction.json"
PREDICTIONS_CSV = "predictions.csv"
PREDICTIONS_JSON = "predictions.json"
PREDICTED_MASKS = "masks"
PROGRESS_METRIC = "images_per_second"
_INPUTS = ".inputs"
_UNLABELED = -1


@dataclass(frozen=True)
class BatchPrediction:
    """What ``run`` returns: the output folder, the counts, and the report when the data is labeled."""

    out: Path
    images: int
    predicted: int
    noncompliant: int
    analysis: dict[str, Any] | None

    def __repr__(self) -> str:
        shown = f", accuracy={self.analysis['overall']['accuracy']:.4g}" if self.analysis else ""
        return (
            f"BatchPrediction(images={self.images}, predicted={self.predicted}, "
            f"noncompliant={self.noncompliant}{shown}, out={str(self.out)!r})"
        )


class MetricProgress:
    """A module's progress bar as ``{"metric": "images_per_second", "step": done, "total": all}`` lines."""

    def __init__(self, total: int, description: str = "", every_seconds: float = 0.5) -> None:
        self.total, self.done, self.every = max(int(total), 1), 0, every_seconds
        self.started = self._shown = time.monotonic()
        self._reported = -1

    def update(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if now - self._shown >= self.every or self.done >= self.total:
            self._report(now)

    def close(self) -> None:
        if self._reported != self.done:
            self._report(time.monotonic())

    def _report(self, now: float) -> None:
        self._shown, self._reported = now, self.done
        rate = self.done / max(now - self.started, 1e-9)
        log_metric(PROGRESS_METRIC, round(rate, 2), step=self.done, total=self.total)


def run(
    run_dir: str | Path,
    data: str | Path,
    out: str | Path,
    module: str | None = None,
    batch_size: int | None = None,
    labels: str | Path | None = None,
    *,
    ref: str | None = None,
    report_progress: bool = False,
) -> BatchPrediction:
    """Predict every image of ``data`` with the run in ``run_dir``; write the results to ``out``.

    ``labels``: a CSV with ``sample,label`` columns (samples relative to ``data``); without it,
    class folders in ``data`` are its labels. ``ref`` names the model version (for the record).
    ``report_progress`` prints the Jobs view's progress lines instead of the module's own bar.
    """
    run_dir, data, out = Path(run_dir), Path(data), Path(out)
    record = read_run_record(run_dir)
    if record is None or record.get("status") != COMPLETE:
        raise ModuleError(f"{str(run_dir)!r} is not a complete training run (its run.json says otherwise)")
    module_name = module or str(record["module"])
    out.mkdir(parents=True, exist_ok=True)
    about = {
        "run_dir": str(run_dir),
        "module": module_name,
        "data": str(data),
        "labels": None if labels is None else str(labels),
        "ref": ref,
    }
    started = now_iso()
    _update_record(out, status="running", started_at=started, **about)
    try:
        result = _run(run_dir, data, out, module_name, batch_size, labels, report_progress, started)
    except BaseException as exc:
        _update_record(out, status="failed", finished_at=now_iso(), error=f"{type(exc).__name__}: {exc}")
        raise
    finally:
        shutil.rmtree(out / _INPUTS, ignore_errors=True)
    figures = {"accuracy": result.analysis["overall"]["accuracy"]} if result.analysis else {}
    _update_record(
        out,
        status="complete",
        finished_at=now_iso(),
        labeled=result.analysis is not None,
        images=result.images,
        predicted=result.predicted,
        noncompliant=result.noncompliant,
        **figures,
    )
    return result


def _run(
    run_dir: Path,
    data: Path,
    out: Path,
    module_name: str,
    batch_size: int | None,
    labels: str | Path | None,
    report_progress: bool,
    started: str,
) -> BatchPrediction:
    base = data if data.is_dir() else data.parent
    if labels is not None:
        dataset, labeled = folder_dataset(run_dir, base, _labels_file(base, Path(labels))), True
    elif _labeled_layout(run_dir, data):
        dataset, labeled = folder_dataset(run_dir, data), True  # just as evaluate(run, data=data)
    else:
        dataset, labeled = _unlabeled(run_dir, data), False
    if not dataset.items:
        raise ModuleError(f"Nothing to predict in {data}: no images, or every image is non-compliant")
    module = load(module_name)
    predict = module.spec.actions.get("predict")
    if predict is None:
        raise ModuleError(f"Module {module_name!r} has no predict")
    options: dict[str, Any] = {}
    if batch_size is not None and predict.input("batch_size") is not None:
        options["batch_size"] = batch_size
    if predict.input("output") is not None:  # a segmentation module writes its masks here
        options["output"] = str(out / PREDICTED_MASKS)
    inputs = link_inputs(out / _INPUTS, dataset.items)
    with progress_with(MetricProgress) if report_progress else nullcontext():
        records = module.predict(images=str(inputs), checkpoint=str(run_dir), **options)
    by_item = {int(Path(str(r["sample"])).stem): r for r in records}
    missing = len(dataset.items) - len(by_item)
    if missing:
        raise ModuleError(f"{module_name}'s predict returned no prediction for {missing} images")
    _write_predictions(out, base, data, module_name, dataset, by_item, labeled)
    analysis = None
    if labeled:
        confusion, samples = score(dataset, by_item)
        analysis = write_report(
            out,
            dataset.task,
            dataset.classes,
            confusion,
            samples,
            {"id": out.name, "run": str(run_dir), "data": str(data), "module": module_name},
        )
        # OUT as an evaluation folder (<run>/evaluation/<id>/): the evaluations API lists it.
        update_record(
            out,
            id=out.name,
            run=str(run_dir),
            data=str(data),
            status="complete",
            started_at=started,
            finished_at=now_iso(),
        )
        overall = analysis["overall"]
        print(
            f"accuracy {overall['accuracy']:.3g} · {overall['misclassified']} misclassified · "
            f"{overall['noncompliant']} non-compliant of {overall['samples']} images",
            flush=True,
        )
    images = len(dataset.items) + len(dataset.rejected)
    print(f"Predicted {len(dataset.items)} of {images} images. Results in {out}/", flush=True)
    return BatchPrediction(out, images, len(dataset.items), len(dataset.rejected), analysis)


# -- what is predicted ---------------------------------------------------------


def _labeled_layout(run_dir: Path, data: Path) -> bool:
    """Whether ``data`` is in the training layout of the run's task, so it carries its labels.

    Classification: every image in a first-level folder, at least two of them, one named as a
    class of the run (folders of unlabeled images by date are not classes). Segmentation:
    ``images/`` beside ``masks/``.
    """
    if not data.is_dir():
        return False
    manifest = read_json(run_dir / SPLIT_FILE)
    if isinstance(manifest, dict) and manifest.get("task") == "segmentation":
        return (data / "images").is_dir() and (data / "masks").is_dir()
    images = list_images(data)
    folders = {path.relative_to(data).parts[0] for path in images if path.parent != data}
    if any(path.parent == data for path in images) or len(folders) < 2:
        return False
    return bool(folders & set(run_classes(run_dir)))


def _labels_file(base: Path, labels: Path) -> tuple[list[TrainingSample], list[str]]:
    """A ``sample,label`` CSV (the crowd's round files): samples relative to the data folder."""
    try:
        with open(labels, newline="", encoding="utf-8") as handle:
            rows = [(row.get("sample") or "", row.get("label") or "") for row in csv.DictReader(handle)]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ModuleError(f"Cannot read the labels file {labels}: {exc}") from None
    rows = [(sample.strip(), label.strip()) for sample, label in rows if sample.strip() and label.strip()]
    if not rows:
        raise ModuleError(f"{labels} has no labels: it needs a header 'sample,label' and one row per image")
    missing = [sample for sample, _ in rows if not (base / sample).is_file()]
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise ModuleError(f"{labels} names images that are not in {base}: {shown}")
    names = sorted({label for _, label in rows})
    return [TrainingSample(sample, names.index(label)) for sample, label in rows], names


def _unlabeled(run_dir: Path, data: Path) -> Dataset:
    base = data if data.is_dir() else data.parent
    found = [TrainingSample(path.relative_to(base).as_posix(), 0) for path in list_images(data)]
    kept, left_out = filter_resolution(base, found, run_config(run_dir), [""])
    return Dataset(
        "classification",
        run_classes(run_dir),
        [Item(base / sample.path, _UNLABELED) for sample in kept],
        [Rejected(base / entry["path"], _UNLABELED, str(entry["reason"])) for entry in left_out],
    )


# -- what is written -----------------------------------------------------------


def _write_predictions(
    out: Path,
    base: Path,
    data: Path,
    module_name: str,
    dataset: Dataset,
    by_item: dict[int, dict[str, Any]],
    labeled: bool,
) -> None:
    def truth(index: int) -> dict[str, str]:
        return {"true_label": dataset.classes[index]} if labeled else {}

    predictions = []
    for number, item in enumerate(dataset.items):
        record = by_item[number]
        row: dict[str, Any] = {"sample": item.path.relative_to(base).as_posix(), "label": record.get("label")}
        if "probability" in record:
            row["confidence"] = float(max(record["probability"]))
            row["probability"] = [float(p) for p in record["probability"]]
        if "mask" in record:
            row["mask"] = str(record["mask"])
        predictions.append({**row, **truth(item.truth)})
    noncompliant = [
        {"sample": r.path.relative_to(base).as_posix(), "reason": r.reason, **truth(r.truth)}
        for r in dataset.rejected
    ]
    predictions.sort(key=lambda row: str(row["sample"]))
    noncompliant.sort(key=lambda row: str(row["sample"]))
    write_json(
        out / PREDICTIONS_JSON,
        {
            "module": module_name,
            "data": str(data),
            "classes": dataset.classes,
            "predictions": predictions,
            "noncompliant": noncompliant,
        },
    )
    write_atomic(out / PREDICTIONS_CSV, _csv(dataset.classes, predictions, noncompliant))


def _csv(classes: list[str], predictions: list[dict[str, Any]], noncompliant: list[dict[str, Any]]) -> str:
    masks = any("mask" in row for row in predictions)
    probabilities = any("probability" in row for row in predictions)
    header = ["sample", "label", "confidence", "true_label", "reason"]
    header += ["mask"] if masks else []
    header += [f"p:{name}" for name in classes] if probabilities else []
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in sorted([*predictions, *noncompliant], key=lambda row: str(row["sample"])):
        cells = [row["sample"], row.get("label", ""), _number(row.get("confidence"))]
        cells += [row.get("true_label", ""), row.get("reason", "")]
        cells += [row.get("mask", "")] if masks else []
        if probabilities:
            given = row.get("probability") or []
            cells += [_number(p) for p in given] + [""] * (len(classes) - len(given))
        writer.writerow(cells)
    return buffer.getvalue()


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.6g}"


def _update_record(out: Path, **changes: Any) -> None:
    record = read_json(out / RECORD_FILE)
    write_json(out / RECORD_FILE, {**(record if isinstance(record, dict) else {}), **changes})


def main(argv: list[str]) -> int:
    """A job's entry (see the module's docstring)."""
    parser = argparse.ArgumentParser(
        prog="python -m jlab_platform.kernel.batch_predict",
        description="Predict every image of a data path with a trained run (and evaluate labeled data).",
    )
    parser.add_argument(
        "--run-dir", "--run", required=True, help="The trained run folder (its run.json is complete)."
    )
    parser.add_argument("--ref", help="The model version predicting (name@X.YY), kept in the record.")
    parser.add_argument(
        "--data", required=True, help="An image, or a folder of images (class folders: labeled)."
    )
    parser.add_argument("--out", required=True, help="The folder the predictions and the report go to.")
    parser.add_argument("--module", help="The module that predicts (default: the run's).")
    parser.add_argument("--batch-size", type=int, help="Images per forward pass (default: the module's).")
    parser.add_argument("--labels", help="A CSV of sample,label (samples relative to --data).")
    options = parser.parse_args(argv)
    try:
        run(
            options.run_dir,
            options.data,
            options.out,
            module=options.module,
            batch_size=options.batch_size,
            labels=options.labels,
            ref=options.ref,
            report_progress=True,
        )
    except (ModuleError, ValueError, OSError) as exc:
        print(f"batch_predict: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
