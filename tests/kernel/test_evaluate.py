"""``evaluate`` on a run with known predictions: the report equals scikit-learn, samples page."""

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import classification_report, jaccard_score

from jlab_platform.evaluation.samples import SampleFilter, SampleIndex
from jlab_platform.kernel.evaluate import evaluate
from jlab_platform.kernel.modules import ModuleError
from tests.evaluation.fabricate import fabricate, fabricate_segmentation

CLASSES = ["cat", "dog", "absent", "fox"]


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("JLAB_PLATFORM_URL", "JLAB_PLATFORM_SERVER_PID", "JLAB_RESULTS_DIR", "JLAB_JOB_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("jlab_platform.kernel.modules.find_server", _no_server)
    return tmp_path


def _no_server() -> None:
    from jlab_platform.kernel.client import ServerNotFound

    raise ServerNotFound("no server in this test")


def test_val_report_equals_scikit_learn(workspace: Path) -> None:
    rng = np.random.default_rng(0)
    truth = rng.choice([0, 1, 3], 120).tolist()
    predicted = [t if rng.random() < 0.7 else int(rng.choice([0, 1, 3])) for t in truth]
    made = fabricate(workspace, truth, predicted, CLASSES)

    result = evaluate(made.run, split="val")

    analysis = json.loads((result.folder / "model_analysis_results.json").read_text())
    assert result.folder.parent == made.run / "evaluation"
    sk = classification_report(made.truth, made.predicted, output_dict=True, zero_division=0)
    overall = analysis["overall"]
    assert overall["precision"] == pytest.approx(sk["macro avg"]["precision"], abs=1e-12)
    assert overall["recall"] == pytest.approx(sk["macro avg"]["recall"], abs=1e-12)
    assert overall["f1"] == pytest.approx(sk["macro avg"]["f1-score"], abs=1e-12)
    assert overall["accuracy"] == pytest.approx(sk["accuracy"], abs=1e-12)
    assert overall["iou"] == pytest.approx(jaccard_score(made.truth, made.predicted, average="macro"))
    for k in (0, 1, 3):
        row = analysis["per_class"][k]
        assert row["precision"] == pytest.approx(sk[str(k)]["precision"], abs=1e-12)
        assert row["support"] == sk[str(k)]["support"]
    assert analysis["per_class"][2]["present"] is False  # "absent": in no truth and no prediction
    assert overall["noncompliant"] == 1 and overall["samples"] == 121
    wrong = sum(t != p for t, p in zip(made.truth, made.predicted, strict=True))
    assert overall["misclassified"] == wrong

    samples = json.loads((result.folder / "all_samples.json").read_text())
    assert len(samples) == 121
    first = samples[0]
    assert set(first) == {
        "id",
        "path",
        "true_label",
        "predicted_label",
        "confidence",
        "noncompliant",
        "reason",
    }
    assert (
        first["true_label"] == CLASSES[made.truth[0]]
        and first["predicted_label"] == CLASSES[made.predicted[0]]
    )
    flagged = [s for s in samples if s["noncompliant"]]
    assert flagged == [
        {
            "id": 120,
            "path": made.noncompliant[0],
            "true_label": "cat",
            "predicted_label": None,
            "confidence": None,
            "noncompliant": True,
            "reason": "width 40 > max_width 32",
        }
    ]
    assert not (result.folder / ".inputs").exists()
    assert json.loads((result.folder / "evaluation.json").read_text())["status"] == "complete"

    index = SampleIndex(result.folder / "samples.sqlite")
    total, page = index.page(SampleFilter(truth=0, kind="misclassified"), 0, 5)
    expected = [
        n for n, (t, p) in enumerate(zip(made.truth, made.predicted, strict=True)) if t == 0 and p != 0
    ]
    assert total == len(expected) and [s.id for s in page] == expected[:5]
    total, rest = index.page(SampleFilter(truth=0, kind="misclassified"), 5, 100)
    assert [s.id for s in rest] == expected[5:]
    total, _ = index.page(SampleFilter(truth=1, predicted=3), 0, 100)
    assert total == sum(t == 1 and p == 3 for t, p in zip(made.truth, made.predicted, strict=True))
    assert index.page(SampleFilter(kind="noncompliant"), 0, 10)[0] == 1
    index.close()


def test_folder_evaluation_applies_the_runs_resolution_bounds(workspace: Path) -> None:
    made = fabricate(workspace, [0, 1, 1, 0], [0, 1, 0, 0], ["cat", "dog"])
    (made.data / "dog" / "broken.png").write_bytes(b"not an image")
    answers = json.loads((made.run / "answers.json").read_text())

    result = evaluate(made.run, data=made.data)

    reasons = {
        Path(s["path"]).name: s["reason"]
        for s in json.loads((result.folder / "all_samples.json").read_text())
    }
    assert reasons["huge.png"] == "width 40 > max_width 32"
    assert reasons["broken.png"].startswith("unreadable")
    assert result.overall["evaluated"] == len(answers["probabilities"]) == 4
    assert result.overall["accuracy"] == pytest.approx(0.75)
    assert result.id.startswith("data-")


def test_a_run_without_split_says_so(workspace: Path) -> None:
    made = fabricate(workspace, [0, 1], [0, 1], ["cat", "dog"])
    (made.run / "split.json").unlink()
    with pytest.raises(ModuleError, match=r"no split\.json"):
        evaluate(made.run, split="train")
    record = json.loads(next((made.run / "evaluation").glob("*/evaluation.json")).read_text())
    assert record["status"] == "failed" and "split.json" in record["error"]


def test_segmentation_iou_from_masks_equals_scikit_learn(workspace: Path) -> None:
    rng = np.random.default_rng(5)
    truth = rng.integers(0, 3, (4, 16, 16))
    truth[:, :4] = 0
    predicted = np.where(rng.random(truth.shape) < 0.8, truth, rng.integers(0, 3, truth.shape))
    run = fabricate_segmentation(workspace, truth, predicted, ["background", "road", "car", "absent"])

    result = evaluate(run)

    expected = jaccard_score(truth.ravel(), predicted.ravel(), labels=[0, 1, 2], average=None)
    per_class = result.analysis["per_class"]
    np.testing.assert_allclose([c["iou"] for c in per_class[:3]], expected)
    assert per_class[3]["present"] is False
    assert result.overall["iou"] == pytest.approx(expected.mean())
    assert result.overall["units"] == "pixels"
    assert len(list((result.folder / "masks").glob("*.png"))) == 4
    samples = json.loads((result.folder / "all_samples.json").read_text())
    assert all(0 <= s["confidence"] <= 1 for s in samples)
