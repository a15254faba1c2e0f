"""The split is seeded and stratified, the resolution filter lists what it leaves out, and the
run folder gets the manifests the evaluation reads."""

import json
from pathlib import Path

import numpy as np
import pytest

from jlab_platform.kernel.training import TrainConfig
from jlab_platform.kernel.training.config import SplitConfig
from jlab_platform.kernel.training.data import (
    Sample,
    batches,
    classification_samples,
    prepare,
    segmentation_samples,
    split_samples,
)

from .shapes import write_class_shapes, write_segmentation_shapes


def samples(counts: dict[int, int]) -> list[Sample]:
    return [
        Sample(f"c{label}/{index:03d}.png", label)
        for label, count in counts.items()
        for index in range(count)
    ]


def test_the_split_is_deterministic_and_stratified() -> None:
    pool = samples({0: 50, 1: 30, 2: 20})
    first = split_samples(pool, SplitConfig(train=0.8, seed=7))
    assert first == split_samples(list(reversed(pool)), SplitConfig(train=0.8, seed=7))  # order-free
    assert first != split_samples(pool, SplitConfig(train=0.8, seed=8))
    train, val = first
    assert sorted(train + val, key=lambda s: s.path) == sorted(pool, key=lambda s: s.path)
    for label, count in {0: 50, 1: 30, 2: 20}.items():
        assert sum(s.label == label for s in train) == round(0.8 * count)
    plain_train, _ = split_samples(pool, SplitConfig(train=0.8, seed=7, stratified=False))
    assert len(plain_train) == 80
    # Every class with two images or more is in both parts; a share of 1.0 keeps nothing back.
    small_train, small_val = split_samples(samples({0: 2, 1: 9}), SplitConfig(train=0.9))
    assert {s.label for s in small_train} == {s.label for s in small_val} == {0, 1}
    assert split_samples(pool, SplitConfig(train=1.0))[1] == []


def test_resolution_filter_lists_non_compliant_images_and_the_manifests(tmp_path: Path) -> None:
    data = write_class_shapes(
        tmp_path / "data", per_class=6, sizes={"circle_001.png": (80, 32), "square_002.png": (32, 8)}
    )
    (data / "square" / "broken.png").write_bytes(b"not a png")
    config = TrainConfig.from_dict(
        {"resolution": {"max_width": 64, "min_height": 16}, "split": {"train": 0.5, "seed": 1}}
    )
    run = tmp_path / "run"
    run.mkdir()
    prepared = prepare(data, config, "classification", run)
    listed = json.loads((run / "noncompliant.json").read_text())
    by_path = {entry["path"]: entry for entry in listed}
    assert set(by_path) == {"circle/circle_001.png", "square/square_002.png", "square/broken.png"}
    assert by_path["circle/circle_001.png"] == {
        "path": "circle/circle_001.png", "label": "circle", "width": 80, "height": 32,
        "reason": "width 80 > max_width 64",
    }  # fmt: skip
    assert by_path["square/square_002.png"]["reason"] == "height 8 < min_height 16"
    assert by_path["square/broken.png"]["reason"].startswith("unreadable: ")
    manifest = json.loads((run / "split.json").read_text())
    assert manifest["task"] == "classification" and manifest["data_dir"] == str(data.resolve())
    assert (manifest["seed"], manifest["ratio"], manifest["classes"]) == (1, 0.5, ["circle", "square"])
    parts = manifest["train"] + manifest["val"]
    assert len(parts) == 10 and not set(by_path) & {entry["path"] for entry in parts}  # excluded
    assert [entry["path"] for entry in manifest["val"]] == [s.path for s in prepared.val]
    assert all((data / entry["path"]).is_file() for entry in parts)
    assert TrainConfig.from_file(run / "train_config.json") == config
    with pytest.raises(ValueError, match="all 13 images"):
        prepare(data, TrainConfig.from_dict({"resolution": {"min_width": 500}}), "classification", run)


def test_segmentation_layout_and_its_errors(tmp_path: Path) -> None:
    data = write_segmentation_shapes(tmp_path / "seg", count=6)
    listed, classes = segmentation_samples(data)
    assert classes == ["background", "circle", "square"]
    assert listed[0] == Sample("images/circle_000.png", 1, "masks/circle_000.png")  # stratum: its shape
    run = tmp_path / "run"
    run.mkdir()
    prepare(data, TrainConfig.from_dict({"split": 0.5}), "segmentation", run)
    entry = json.loads((run / "split.json").read_text())["val"][0]
    assert set(entry) == {"path", "mask", "label"} and entry["mask"].startswith("masks/")
    (data / "masks" / "square_005.png").unlink()
    with pytest.raises(ValueError, match=r"no mask .* for square_005\.png"):
        segmentation_samples(data)
    (data / "classes.txt").unlink()
    with pytest.raises(ValueError, match=r"classes\.txt"):
        segmentation_samples(data)
    with pytest.raises(ValueError, match="two class folders"):
        classification_samples(tmp_path / "run")


def test_batches_are_seeded_full_and_cover_every_sample() -> None:
    images = np.arange(10, dtype=np.float32).reshape(10, 1, 1, 1)
    labels = np.arange(10)
    config = TrainConfig.from_dict({"batch_size": 4, "seed": 5})
    first = [next(feed) for feed in [batches(images, labels, config)] for _ in range(5)]
    again = batches(images, labels, config)
    assert all(np.array_equal(x, next(again)[0]) for x, _ in first)
    seen = np.concatenate([y for _, y in first])
    assert all(len(y) == 4 for _, y in first) and sorted(seen[:10]) == list(range(10))  # one epoch first
    assert all(np.array_equal(x[:, 0, 0, 0], y) for x, y in first)  # labels stay with their images


def test_a_job_records_the_workspace_data_folder_not_its_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A job trains on its snapshot's copy, which is swept later: split.json names the original."""
    workspace, snapshot = tmp_path / "workspace", tmp_path / "snapshots" / "job1"
    data = write_class_shapes(snapshot / "datasets" / "shapes", per_class=4)
    made_by_the_job = write_class_shapes(snapshot / "made", per_class=4)
    (workspace / "datasets" / "shapes").mkdir(parents=True)
    monkeypatch.setenv("JLAB_WORKSPACE_DIR", str(workspace))
    monkeypatch.setenv("JLAB_SNAPSHOT_DIR", str(snapshot))
    run = tmp_path / "run"
    run.mkdir()
    prepare(data, TrainConfig.from_dict({"split": 0.5}), "classification", run)
    manifest = json.loads((run / "split.json").read_text())
    assert manifest["data_dir"] == str(workspace / "datasets" / "shapes")
    # Data the job wrote itself has no original: its snapshot copy is recorded.
    prepare(made_by_the_job, TrainConfig.from_dict({"split": 0.5}), "classification", run)
    manifest = json.loads((run / "split.json").read_text())
    assert manifest["data_dir"] == str(made_by_the_job.resolve())
