"""The metrics equal scikit-learn's on the same predictions; absent classes leave the means alone."""

import numpy as np
import pytest
from sklearn.metrics import (
    accuracy_score,
    classification_report,
    jaccard_score,
    precision_recall_fscore_support,
)
from sklearn.metrics import (
    confusion_matrix as sk_confusion,
)

from jlab_platform.evaluation.metrics import classification_report as ours
from jlab_platform.evaluation.metrics import confusion_matrix, confusion_of_masks


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_per_class_and_means_equal_scikit_learn(seed: int) -> None:
    rng = np.random.default_rng(seed)
    classes = 7
    true = rng.integers(0, classes, 5000)
    pred = np.where(rng.random(5000) < 0.6, true, rng.integers(0, classes, 5000))
    names = [f"c{k}" for k in range(classes)]
    report = ours(true, pred, names)
    precision, recall, f1, support = precision_recall_fscore_support(true, pred, zero_division=0)
    np.testing.assert_allclose([c.precision for c in report.classes], precision, rtol=0, atol=1e-12)
    np.testing.assert_allclose([c.recall for c in report.classes], recall, rtol=0, atol=1e-12)
    np.testing.assert_allclose([c.f1 for c in report.classes], f1, rtol=0, atol=1e-12)
    assert [c.support for c in report.classes] == support.tolist()
    np.testing.assert_allclose([c.iou for c in report.classes], jaccard_score(true, pred, average=None))
    assert report.accuracy == pytest.approx(accuracy_score(true, pred), abs=1e-12)
    sk = classification_report(true, pred, output_dict=True, zero_division=0)
    for ours_name, sk_name in (("macro", "macro avg"), ("weighted", "weighted avg")):
        for metric, sk_metric in (("precision", "precision"), ("recall", "recall"), ("f1", "f1-score")):
            assert getattr(report, ours_name)[metric] == pytest.approx(sk[sk_name][sk_metric], abs=1e-12)
    assert report.macro["iou"] == pytest.approx(jaccard_score(true, pred, average="macro"), abs=1e-12)
    np.testing.assert_array_equal(report.confusion, sk_confusion(true, pred, labels=range(classes)))


def test_absent_class_is_left_out_of_the_macro_mean() -> None:
    """Class 2 is in neither truth nor prediction: scikit-learn given the labels that occur agrees."""
    true = np.array([0, 0, 1, 1, 3, 3, 3])
    pred = np.array([0, 1, 1, 1, 3, 0, 3])
    report = ours(true, pred, ["a", "b", "absent", "d"])
    absent = report.classes[2]
    assert (absent.present, absent.support, absent.predicted) == (False, 0, 0)
    present = [0, 1, 3]
    assert report.macro["iou"] == pytest.approx(jaccard_score(true, pred, labels=present, average="macro"))
    p, r, f, _ = precision_recall_fscore_support(true, pred, labels=present, average="macro", zero_division=0)
    assert (report.macro["precision"], report.macro["recall"], report.macro["f1"]) == pytest.approx((p, r, f))
    # Counting the absent class as 0 (torchmetrics#1693) would give a lower mean.
    assert report.macro["iou"] > np.mean([c.iou for c in report.classes])


def test_class_predicted_but_never_true_counts_with_recall_zero() -> None:
    true = np.array([0, 0, 1])
    pred = np.array([0, 2, 1])
    report = ours(true, pred, ["a", "b", "c"])
    assert report.classes[2].present and report.classes[2].recall == 0.0
    p, r, f, _ = precision_recall_fscore_support(
        true, pred, labels=[0, 1, 2], average="macro", zero_division=0
    )
    assert (report.macro["precision"], report.macro["recall"], report.macro["f1"]) == pytest.approx((p, r, f))


def test_masks_give_pixel_iou_and_ignore_out_of_range_labels() -> None:
    rng = np.random.default_rng(3)
    truth = rng.integers(0, 4, (3, 32, 32)).astype(np.uint8)
    pred = np.where(rng.random((3, 32, 32)) < 0.7, truth, rng.integers(0, 4, (3, 32, 32))).astype(np.uint8)
    truth[0, 0, :5] = 255  # "ignore" pixels
    confusion = confusion_of_masks(zip(truth, pred, strict=True), 4)
    keep = truth.ravel() != 255
    expected = jaccard_score(truth.ravel()[keep], pred.ravel()[keep], average=None)
    report = ours(truth.ravel()[keep], pred.ravel()[keep], list("abcd"))
    np.testing.assert_allclose([c.iou for c in report.classes], expected)
    np.testing.assert_array_equal(confusion, report.confusion)
    assert confusion.sum() == keep.sum()


def test_signed_labels_and_many_classes() -> None:
    true = np.array([-1, 0, 299, 299])
    pred = np.array([0, 0, 299, 5])
    matrix = confusion_matrix(true, pred, 300)
    assert matrix.sum() == 3 and matrix[299, 299] == 1 and matrix[299, 5] == 1
