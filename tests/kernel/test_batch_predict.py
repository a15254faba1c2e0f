"""Batch prediction with a trained image classifier: predictions, progress lines, and a report
that equals a direct evaluation of the same data."""

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest
import torch

from jlab_platform.evaluation.report import evaluation_folder, new_evaluation_id
from jlab_platform.jobs.metrics import MetricsState, update
from jlab_platform.kernel import batch_predict, modules
from jlab_platform.kernel.client import ServerNotFound
from jlab_platform.kernel.evaluate import evaluate
from jlab_platform.kernel.modules import ModuleError, TrainRun

from .training.shapes import write_class_shapes

SMALL = {"circle_003.png": (4, 4)}  # under the run's min_width: non-compliant


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, TrainRun]]:
    root = tmp_path_factory.mktemp("batch")
    with pytest.MonkeyPatch.context() as patch:
        _isolate(patch, root)
        threads = torch.get_num_threads()
        torch.set_num_threads(1)  # two spinning OpenMP threads on a busy CI machine are slower
        write_class_shapes(root / "train", per_class=8, size=16)
        (root / "train.yml").write_text(
            "classification:\n  base_lr: 0.05\n  batch_size: 8\n  max_iter: 20\n"
            "  resolution: {min_width: 8}\n"
        )
        run = modules.load("image-classifier").train(data_dir="train", config="train.yml", image_size=16)
        write_class_shapes(root / "test", per_class=12, size=16, seed=1, sizes=SMALL)
        yield root, run
        torch.set_num_threads(threads)


@pytest.fixture
def workspace(trained: tuple[Path, TrainRun], monkeypatch: pytest.MonkeyPatch) -> tuple[Path, TrainRun]:
    _isolate(monkeypatch, trained[0])
    return trained


def _isolate(patch: pytest.MonkeyPatch, root: Path) -> None:
    def no_server() -> NoReturn:
        raise ServerNotFound("no server in this test")

    patch.setattr("jlab_platform.kernel.modules.find_server", no_server)
    for name in ("JLAB_RESULTS_DIR", "JLAB_JOB_ID", "JLAB_PLATFORM_URL"):
        patch.delenv(name, raising=False)
    patch.chdir(root)


def _without_about(analysis: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in analysis.items() if k not in ("id", "run", "data")}


def test_labeled_folder_report_equals_a_direct_evaluation(
    workspace: tuple[Path, TrainRun], capsys: pytest.CaptureFixture[str]
) -> None:
    root, run = workspace
    out = evaluation_folder(run.run_dir, new_evaluation_id("test"))  # where the model library puts it
    args = ["--ref", "shapes@1.01", "--run", str(run.run_dir), "--data", "test", "--out", str(out)]
    code = batch_predict.main([*args, "--batch-size", "5"])
    assert code == 0
    printed = capsys.readouterr().out

    direct = evaluate(run.run_dir, data="test")
    ours = json.loads((out / "model_analysis_results.json").read_text())
    assert _without_about(ours) == _without_about(direct.analysis)
    assert ours["overall"]["samples"] == 24 and ours["overall"]["noncompliant"] == 1
    direct_samples = json.loads((direct.folder / "all_samples.json").read_text())
    assert json.loads((out / "all_samples.json").read_text()) == direct_samples
    assert (out / "samples.sqlite").is_file() and not (out / ".inputs").exists()

    with open(out / "predictions.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 24 and list(rows[0]) == [
        "sample",
        "label",
        "confidence",
        "true_label",
        "reason",
        "p:circle",
        "p:square",
    ]
    small = next(row for row in rows if row["sample"] == "circle/circle_003.png")
    assert small["label"] == "" and "width" in small["reason"] and small["true_label"] == "circle"
    predicted = [row for row in rows if row["label"]]
    assert all(abs(float(r["p:circle"]) + float(r["p:square"]) - 1) < 1e-4 for r in predicted)
    right = sum(row["label"] == row["true_label"] for row in predicted)
    assert right == round(ours["overall"]["accuracy"] * 23)

    saved = json.loads((out / "predictions.json").read_text())
    assert saved["classes"] == ["circle", "square"] and len(saved["predictions"]) == 23
    assert [entry["sample"] for entry in saved["noncompliant"]] == ["circle/circle_003.png"]
    record = json.loads((out / "batch_prediction.json").read_text())
    assert record["status"] == "complete" and record["labeled"] is True
    assert (record["images"], record["predicted"], record["noncompliant"]) == (24, 23, 1)
    assert record["module"] == "image-classifier" and record["accuracy"] == ours["overall"]["accuracy"]
    assert record["ref"] == "shapes@1.01"
    listed = json.loads((out / "evaluation.json").read_text())  # the evaluations API lists the folder
    assert (listed["id"], listed["status"], listed["run"]) == (out.name, "complete", str(run.run_dir))

    # The lines a job prints are the Jobs view's progress: 23 of 23 images at the end.
    log = root / "job.log"
    log.write_text(printed)
    metrics = update(MetricsState(), log).to_model(elapsed_seconds=1.0)
    assert metrics.progress is not None and metrics.progress.step == 23 and metrics.progress.fraction == 1.0
    assert batch_predict.PROGRESS_METRIC in metrics.series
    assert "accuracy" in printed and f"Results in {out}/" in printed


def test_unlabeled_images_get_predictions_only(workspace: tuple[Path, TrainRun]) -> None:
    root, run = workspace
    flat = root / "flat"
    flat.mkdir(exist_ok=True)
    for path in sorted((root / "test" / "square").iterdir())[:5]:
        (flat / path.name).write_bytes(path.read_bytes())
    result = batch_predict.run(run.run_dir, flat, root / "batch-2")
    assert (result.images, result.predicted, result.analysis) == (5, 5, None)
    assert not (result.out / "model_analysis_results.json").exists()
    assert not (result.out / "evaluation.json").exists()
    saved = json.loads((result.out / "predictions.json").read_text())
    assert [p["sample"] for p in saved["predictions"]] == sorted(p.name for p in flat.iterdir())
    assert all("true_label" not in p and p["label"] in ("circle", "square") for p in saved["predictions"])
    record = json.loads((result.out / "batch_prediction.json").read_text())
    assert record["labeled"] is False and "accuracy" not in record


def test_a_labels_file_labels_the_data(workspace: tuple[Path, TrainRun]) -> None:
    root, run = workspace
    labels = root / "labels.csv"
    images = sorted((root / "test").rglob("*.png"))
    labels.write_text(
        "sample,label\n"
        + "".join(f"{p.relative_to(root / 'test').as_posix()},{p.parent.name}\n" for p in images)
    )
    result = batch_predict.run(run.run_dir, root / "test", root / "batch-3", labels=labels)
    direct = evaluate(run.run_dir, data="test").analysis
    assert result.analysis is not None
    assert result.analysis["confusion_matrix"] == direct["confusion_matrix"]

    labels.write_text("sample,label\nnowhere.png,circle\n")
    with pytest.raises(ModuleError, match="not in"):
        batch_predict.run(run.run_dir, root / "test", root / "batch-4", labels=labels)
    record = json.loads((root / "batch-4" / "batch_prediction.json").read_text())
    assert record["status"] == "failed" and "nowhere.png" in record["error"]


def test_an_unfinished_run_is_refused(
    workspace: tuple[Path, TrainRun], capsys: pytest.CaptureFixture[str]
) -> None:
    root, _ = workspace
    (root / "not-a-run").mkdir(exist_ok=True)
    code = batch_predict.main(["--run-dir", "not-a-run", "--data", "test", "--out", "batch-5"])
    assert code == 1 and "not a complete training run" in capsys.readouterr().err
