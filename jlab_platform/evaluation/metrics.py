"""Exact classification and segmentation metrics from one confusion matrix (NumPy only).

Every figure is read off the K x K confusion matrix (rows: truth, columns: prediction), which
one ``np.bincount`` over ``true * K + pred`` counts; that is what makes a million predictions
or a hundred 512 x 512 masks cheap. The values equal scikit-learn's (``precision_recall_fscore_support``,
``jaccard_score``, ``classification_report`` with ``zero_division=0``) on the same predictions.

A class absent from both the truth and the predictions has no precision, recall or IoU to
speak of: it is reported with ``support`` 0 and ``present`` False and left out of the macro
means (torchmetrics counts it as an IoU of 0 and drags the mean down, torchmetrics#1693).
scikit-learn does the same when it is given only the labels that occur.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

Matrix = NDArray[np.int64]
# Masks are counted in slices of this many pixels: the intermediate arrays stay in cache.
_CHUNK = 1 << 20


def confusion_matrix(true: NDArray[Any], pred: NDArray[Any], classes: int) -> Matrix:
    """Counts of (true, predicted) pairs; labels outside ``0..classes-1`` are ignored (255, -1)."""
    true = np.asarray(true).ravel()
    pred = np.asarray(pred).ravel()
    if true.shape != pred.shape:
        raise ValueError(f"truth and prediction differ in size: {true.size} and {pred.size}")
    counts = np.zeros(classes * classes, dtype=np.int64)
    # The smallest unsigned type that holds true * K + pred keeps the pass over the pixels cheap.
    wide: type[np.integer[Any]] = np.uint16 if classes * classes < 1 << 16 else np.int64
    for start in range(0, true.size, _CHUNK):
        t = true[start : start + _CHUNK]
        p = pred[start : start + _CHUNK]
        if np.issubdtype(t.dtype, np.signedinteger) or np.issubdtype(p.dtype, np.signedinteger):
            keep = (t >= 0) & (t < classes) & (p >= 0) & (p < classes)
        else:
            keep = (t < classes) & (p < classes)
        if not keep.all():
            t, p = t[keep], p[keep]
        pairs = t.astype(wide) * np.asarray(classes, dtype=wide) + p.astype(wide)
        counts += np.bincount(pairs, minlength=classes * classes)
    return counts.reshape(classes, classes)


def confusion_of_masks(pairs: Iterable[tuple[NDArray[Any], NDArray[Any]]], classes: int) -> Matrix:
    """The pixel confusion matrix summed over (truth mask, predicted mask) pairs."""
    total = np.zeros((classes, classes), dtype=np.int64)
    for true, pred in pairs:
        total += confusion_matrix(true, pred, classes)
    return total


@dataclass(frozen=True)
class ClassMetrics:
    name: str
    precision: float
    recall: float
    f1: float
    iou: float
    support: int  # how many true samples (pixels, for segmentation) the class has
    predicted: int  # how many were predicted as the class
    present: bool  # in the truth or the predictions: counted in the macro means


@dataclass(frozen=True)
class Report:
    classes: list[ClassMetrics]
    confusion: Matrix
    accuracy: float
    macro: dict[str, float]  # precision, recall, f1, iou over the present classes
    weighted: dict[str, float]  # the same weighted by support

    @property
    def total(self) -> int:
        return int(self.confusion.sum())

    def to_json(self) -> dict[str, Any]:
        return {
            "accuracy": self.accuracy,
            "total": self.total,
            "macro": self.macro,
            "weighted": self.weighted,
            "classes": [vars(c) for c in self.classes],
            "confusion_matrix": self.confusion.tolist(),
        }


def _ratio(numerator: NDArray[np.float64], denominator: NDArray[np.float64]) -> NDArray[np.float64]:
    """``numerator / denominator``, 0 where the denominator is 0 (scikit-learn's zero_division=0)."""
    out = np.zeros_like(numerator, dtype=np.float64)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def report(confusion: Matrix, names: Sequence[str]) -> Report:
    """Per-class and overall precision, recall, F1, IoU and support of a confusion matrix."""
    confusion = np.asarray(confusion, dtype=np.int64)
    if confusion.shape != (len(names), len(names)):
        raise ValueError(f"a {confusion.shape} confusion matrix for {len(names)} class names")
    tp = np.diag(confusion).astype(np.float64)
    support = confusion.sum(axis=1).astype(np.float64)
    predicted = confusion.sum(axis=0).astype(np.float64)
    precision = _ratio(tp, predicted)
    recall = _ratio(tp, support)
    f1 = _ratio(2 * precision * recall, precision + recall)
    iou = _ratio(tp, support + predicted - tp)
    present = (support + predicted) > 0
    scores = {"precision": precision, "recall": recall, "f1": f1, "iou": iou}
    total = support.sum()
    macro = {name: float(values[present].mean()) if present.any() else 0.0 for name, values in scores.items()}
    weighted = {name: float(values @ support / total) if total else 0.0 for name, values in scores.items()}
    per_class = [
        ClassMetrics(
            name=str(names[k]),
            precision=float(precision[k]),
            recall=float(recall[k]),
            f1=float(f1[k]),
            iou=float(iou[k]),
            support=int(support[k]),
            predicted=int(predicted[k]),
            present=bool(present[k]),
        )
        for k in range(len(names))
    ]
    accuracy = float(tp.sum() / total) if total else 0.0
    return Report(per_class, confusion, accuracy, macro, weighted)


def classification_report(true: NDArray[Any], pred: NDArray[Any], names: Sequence[str]) -> Report:
    """The report of class indices ``pred`` against ``true`` (both in ``0..len(names)-1``)."""
    return report(confusion_matrix(true, pred, len(names)), names)
