"""Evaluate a trained run: ``evaluate("results/image-classifier/run-...", split="val")``.

The run's own module predicts (through its ``predict``, as the sidebar and notebooks call
it) on the run's validation or training split (``split.json``, written by training) or on a
folder of class folders, and the report lands in ``<run>/evaluation/<id>/`` (see
``jlab_platform.evaluation.report``). Images outside the run's resolution bounds, or that
cannot be read, are non-compliant: listed with the reason, not predicted, not in the metrics.
Segmentation runs are scored per pixel (IoU from the masks).
"""

import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from ..evaluation.metrics import Matrix, confusion_matrix
from ..evaluation.report import (
    RECORD_JSON,
    Task,
    evaluation_folder,
    new_evaluation_id,
    now_iso,
    read_json,
    update_record,
    write_report,
)
from ..evaluation.samples import Sample
from .module_run import read_run_record
from .modules import ModuleError, load
from .training.config import TrainConfig
from .training.data import (
    CONFIG_FILE,
    NONCOMPLIANT_FILE,
    SPLIT_FILE,
    classification_samples,
    filter_resolution,
    segmentation_samples,
)
from .training.data import Sample as TrainingSample

_INPUTS = ".inputs"  # links to the evaluated images, the folder predict() is given
PREDICTED_MASKS = "masks"


@dataclass(frozen=True)
class Item:
    path: Path
    truth: int
    mask: Path | None = None  # segmentation: the true mask


@dataclass(frozen=True)
class Rejected:
    path: Path
    truth: int
    reason: str


@dataclass(frozen=True)
class Dataset:
    task: Task
    classes: list[str]
    items: list[Item]
    rejected: list[Rejected]


@dataclass(frozen=True)
class Evaluation:
    """What ``evaluate`` returns: the report's folder and what ``model_analysis_results.json`` holds."""

    id: str
    folder: Path
    analysis: dict[str, Any]

    @property
    def overall(self) -> dict[str, Any]:
        overall: dict[str, Any] = self.analysis["overall"]
        return overall

    def __repr__(self) -> str:
        o = self.overall
        return (
            f"Evaluation({self.id!r}, accuracy={o['accuracy']:.4g}, f1={o['f1']:.4g}, "
            f"iou={o['iou']:.4g}, folder={str(self.folder)!r})"
        )


def evaluate(
    run: str | Path,
    data: str | Path | None = None,
    split: str = "val",
    *,
    evaluation_id: str | None = None,
) -> Evaluation:
    """Score the run's model on ``data`` (a folder of class folders) or on its ``split``.

    ``split`` is ``"val"`` (default) or ``"train"``: the samples the run's ``split.json`` put
    there; a folder works as ``split`` too. Returns the evaluation; its files are in
    ``<run>/evaluation/<id>/``.
    """
    run_dir = Path(run)
    record = read_run_record(run_dir)
    if record is None or record.get("status") != "complete":
        raise ModuleError(f"{str(run)!r} is not a complete training run (its run.json says otherwise)")
    source = str(data) if data is not None else split
    evaluation_id = evaluation_id or new_evaluation_id(source)
    folder = evaluation_folder(run_dir, evaluation_id)
    folder.mkdir(parents=True, exist_ok=True)
    update_record(
        folder,
        id=evaluation_id,
        run=str(run_dir),
        data=source,
        status="running",
        started_at=now_iso(),
    )
    try:
        dataset = _dataset(run_dir, source)
        confusion, samples = _predict(str(record["module"]), run_dir, dataset, folder)
        analysis = write_report(
            folder,
            dataset.task,
            dataset.classes,
            confusion,
            samples,
            {"id": evaluation_id, "run": str(run_dir), "data": source, "module": record["module"]},
        )
    except BaseException as exc:
        update_record(folder, status="failed", finished_at=now_iso(), error=f"{type(exc).__name__}: {exc}")
        raise
    finally:
        shutil.rmtree(folder / _INPUTS, ignore_errors=True)
    update_record(folder, status="complete", finished_at=now_iso())
    result = Evaluation(evaluation_id, folder, analysis)
    print(_summary(result), flush=True)
    return result


def _summary(result: Evaluation) -> str:
    o = result.overall
    figures = f"accuracy {o['accuracy']:.3g} · precision {o['precision']:.3g} · recall {o['recall']:.3g}"
    if result.analysis["task"] == "segmentation":
        figures += f" · IoU {o['iou']:.3g}"
    return (
        f"{figures} · {o['misclassified']} misclassified · {o['noncompliant']} non-compliant "
        f"of {o['samples']} samples. Report in {result.folder}/"
    )


# -- what is evaluated ---------------------------------------------------------


def _dataset(run_dir: Path, source: str) -> Dataset:
    if source in ("val", "train"):
        return _split(run_dir, source)
    return folder_dataset(run_dir, Path(source))


def _split(run_dir: Path, part: str) -> Dataset:
    manifest = read_json(run_dir / SPLIT_FILE)
    if not isinstance(manifest, dict):
        raise ModuleError(
            f"{run_dir} has no {SPLIT_FILE}: it was trained before splits were saved; "
            "evaluate it on a folder instead (data=...)"
        )
    base = Path(manifest["data_dir"])
    classes = [str(name) for name in manifest["classes"]]
    index = {name: number for number, name in enumerate(classes)}
    items = [
        Item(base / entry["path"], index[entry["label"]], base / entry["mask"] if "mask" in entry else None)
        for entry in manifest[part]
    ]
    rejected = [
        Rejected(base / entry["path"], index[entry["label"]], str(entry["reason"]))
        for entry in read_json(run_dir / NONCOMPLIANT_FILE) or []
    ]
    return Dataset(manifest.get("task", "classification"), classes, items, rejected)


def folder_dataset(
    run_dir: Path, folder: Path, labeled: tuple[list[TrainingSample], list[str]] | None = None
) -> Dataset:
    """A dataset folder in the training layout; classes the run never saw come after its own.

    ``labeled`` gives the samples and their class names read some other way (a labels file).
    """
    if not folder.is_dir():
        raise ModuleError(f"{str(folder)!r} is not a dataset folder")
    manifest = read_json(run_dir / SPLIT_FILE)
    task: Task = manifest.get("task", "classification") if isinstance(manifest, dict) else "classification"
    try:
        found, names = labeled or (
            segmentation_samples(folder) if task == "segmentation" else classification_samples(folder)
        )
    except ValueError as exc:
        raise ModuleError(str(exc)) from None
    classes = run_classes(run_dir)
    classes += [name for name in names if name not in classes]
    kept, left_out = filter_resolution(folder, found, run_config(run_dir), names)
    items = [
        Item(folder / s.path, classes.index(names[s.label]), folder / s.mask if s.mask else None)
        for s in kept
    ]
    rejected = [Rejected(folder / r["path"], classes.index(r["label"]), str(r["reason"])) for r in left_out]
    return Dataset(task, classes, items, rejected)


def run_config(run_dir: Path) -> TrainConfig:
    """The run's training configuration: its resolution bounds say which images are non-compliant."""
    file = run_dir / CONFIG_FILE
    return TrainConfig.from_file(file) if file.is_file() else TrainConfig.from_dict({})


def run_classes(run_dir: Path) -> list[str]:
    manifest = read_json(run_dir / SPLIT_FILE)
    names = manifest.get("classes") if isinstance(manifest, dict) else read_json(run_dir / "classes.json")
    if not isinstance(names, list):
        raise ModuleError(f"{run_dir} names no classes (no {SPLIT_FILE} or classes.json)")
    return [str(name) for name in names]


# -- predicting ----------------------------------------------------------------


def _predict(module_name: str, run_dir: Path, dataset: Dataset, folder: Path) -> tuple[Matrix, list[Sample]]:
    if not dataset.items:
        raise ModuleError("Nothing to evaluate: every sample is non-compliant or the data is empty")
    inputs = link_inputs(folder / _INPUTS, dataset.items)
    module = load(module_name)
    # A segmentation module writes its predicted masks: they stay with the report.
    outputs = {"output": str(folder / PREDICTED_MASKS)} if dataset.task == "segmentation" else {}
    records = module.predict(images=str(inputs), checkpoint=str(run_dir), **outputs)
    by_item = {int(Path(str(r["sample"])).stem): r for r in records}
    missing = len(dataset.items) - len(by_item)
    if missing:
        raise ModuleError(f"{module_name}'s predict returned no prediction for {missing} samples")
    return score(dataset, by_item)


def score(dataset: Dataset, by_item: dict[int, dict[str, Any]]) -> tuple[Matrix, list[Sample]]:
    """The confusion matrix and samples of predict's records (keyed by item index) on ``dataset``."""
    classes = len(dataset.classes)
    if dataset.task == "segmentation":
        confusion, samples = _segmentation(dataset, by_item)
    else:
        confusion, samples = _classification(dataset, by_item)
    first = len(samples)
    samples += [
        Sample(first + n, str(r.path), r.truth, None, None, r.reason) for n, r in enumerate(dataset.rejected)
    ]
    assert confusion.shape == (classes, classes)
    return confusion, samples


def link_inputs(inputs: Path, items: Sequence[Item]) -> Path:
    """``000000.png`` ... linking to each image: predict sees exactly these, named by their index."""
    shutil.rmtree(inputs, ignore_errors=True)
    inputs.mkdir(parents=True)
    width = max(6, len(str(len(items))))
    for number, item in enumerate(items):
        (inputs / f"{number:0{width}d}{item.path.suffix.lower()}").symlink_to(item.path.resolve())
    return inputs


def _classification(dataset: Dataset, by_item: dict[int, dict[str, Any]]) -> tuple[Matrix, list[Sample]]:
    index = {name: number for number, name in enumerate(dataset.classes)}
    truth = np.fromiter((item.truth for item in dataset.items), dtype=np.int64, count=len(dataset.items))
    predicted = np.empty_like(truth)
    samples = []
    for number, item in enumerate(dataset.items):
        record = by_item[number]
        label = str(record["label"])
        if label not in index:
            raise ModuleError(f"predict named a class {label!r} the run does not have")
        predicted[number] = index[label]
        confidence = float(max(record["probability"]))
        samples.append(Sample(number, str(item.path), item.truth, int(predicted[number]), confidence))
    return confusion_matrix(truth, predicted, len(dataset.classes)), samples


def _segmentation(dataset: Dataset, by_item: dict[int, dict[str, Any]]) -> tuple[Matrix, list[Sample]]:
    """Pixels are scored; each sample is named by its most frequent non-background class."""
    classes = len(dataset.classes)
    total = np.zeros((classes, classes), dtype=np.int64)
    samples = []
    for number, item in enumerate(dataset.items):
        if item.mask is None:
            raise ModuleError(f"{item.path} has no true mask")
        with Image.open(item.mask) as image:
            truth = np.asarray(image)
        with Image.open(by_item[number]["mask"]) as image:
            predicted = np.asarray(image)
        if predicted.shape != truth.shape:
            raise ModuleError(
                f"predicted mask of {item.path} is {predicted.shape}, its true mask {truth.shape}"
            )
        confusion = confusion_matrix(truth, predicted, classes)
        total += confusion
        samples.append(
            Sample(number, str(item.path), item.truth, _dominant(confusion.sum(axis=0)), _mean_iou(confusion))
        )
    return total, samples


def _dominant(pixels: np.ndarray[Any, Any]) -> int:
    """The most frequent non-background class (class 0 is background), 0 when there is none."""
    foreground = pixels[1:]
    return int(np.argmax(foreground)) + 1 if foreground.size and foreground.max() > 0 else 0


def _mean_iou(confusion: Matrix) -> float:
    tp = np.diag(confusion).astype(np.float64)
    union = confusion.sum(axis=0) + confusion.sum(axis=1) - tp
    present = union > 0
    return float((tp[present] / union[present]).mean()) if present.any() else 1.0


def main(argv: list[str]) -> int:
    """A job's entry: ``python -m jlab_platform.kernel.evaluate <evaluation folder>``."""
    if len(argv) != 1:
        print("usage: evaluate EVALUATION_FOLDER", file=sys.stderr)
        return 2
    folder = Path(argv[0])
    request = read_json(folder / RECORD_JSON)
    if not isinstance(request, dict):
        print(f"{folder} has no {RECORD_JSON}", file=sys.stderr)
        return 2
    try:
        evaluate(request["run"], data=request["data"], evaluation_id=str(request["id"]))
    except ModuleError as exc:
        print(f"evaluate: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
