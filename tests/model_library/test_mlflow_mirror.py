"""The MLflow mirror against a real ``mlflow server`` on SQLite: versions, tags, artifact, aliases."""

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jlab_platform.model_library.mlflow_mirror import VERSION_TAG, mirror_alias, mirror_version
from jlab_platform.model_library.models import Version
from tests.helpers.jupyter import free_port

mlflow = pytest.importorskip("mlflow")

from tests.helpers.mlflow_server import running_mlflow  # noqa: E402 — only where mlflow is installed


@pytest.fixture(scope="module")
def mlflow_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_mlflow(tmp_path_factory.mktemp("mlflow")) as url:
        yield url


def version(number: str, aliases: list[str], commit: str | None = "0123abc") -> Version:
    return Version(
        model="shapes",
        version=number,
        template="image-classifier",
        template_version="1.0.0",
        task="image-classification",
        commit=commit,
        training_id="t-1",
        job_id="job-1",
        data_paths=["datasets/shapes"],
        data_hash="d" * 64,
        images=20,
        config={"max_iter": 20, "base_lr": 0.05},
        checkpoint_sha256="c" * 64,
        checkpoint_bytes=8,
        metrics={"val_accuracy": 0.95, "loss": 0.12},
        evaluation=None,
        aliases=aliases,
        published_by="alice",
        published_at="2026-12-06T10:00:00+00:00",
    )


def test_versions_and_aliases_follow_the_library(mlflow_url: str, tmp_path: Path) -> None:
    client: Any = mlflow.MlflowClient(mlflow_url)
    checkpoint = tmp_path / "model.pt"
    checkpoint.write_bytes(b"weights!")

    first = mirror_version(mlflow_url, version("1.01", ["staging"]), checkpoint)
    assert first.ok and first.mlflow_version == "1", first.error
    again = mirror_version(mlflow_url, version("1.01", ["staging"]), checkpoint)
    assert again.ok and again.mlflow_version == "1"  # a retry finds it, adds nothing
    run_folder = tmp_path / "run"
    run_folder.mkdir()
    (run_folder / "model.pt").write_bytes(b"weights2")
    second = mirror_version(mlflow_url, version("1.02", [], commit=None), run_folder)
    assert second.ok and second.mlflow_version == "2", second.error

    registered = client.get_model_version("shapes", "1")
    assert registered.tags[VERSION_TAG] == "1.01" and registered.tags["jlab.commit"] == "0123abc"
    assert registered.tags["jlab.checkpoint_sha256"] == "c" * 64 and registered.aliases == ["staging"]
    run = client.get_run(registered.run_id)
    assert run.data.metrics == {"val_accuracy": 0.95, "loss": 0.12}
    assert run.data.params == {"max_iter": "20", "base_lr": "0.05"}
    files = [entry.path for entry in client.list_artifacts(registered.run_id, "checkpoint")]
    assert files == ["checkpoint/model.pt"]
    local = client.download_artifacts(registered.run_id, "checkpoint/model.pt", str(tmp_path))
    assert Path(local).read_bytes() == b"weights!"
    assert "jlab.commit" not in client.get_model_version("shapes", "2").tags

    assert mirror_alias(mlflow_url, "shapes", "production", "1.01").ok
    assert client.get_model_version_by_alias("shapes", "production").version == "1"
    moved = mirror_alias(mlflow_url, "shapes", "production", "1.02")
    assert moved.ok and moved.mlflow_version == "2"
    assert client.get_model_version_by_alias("shapes", "production").tags[VERSION_TAG] == "1.02"
    assert mirror_alias(mlflow_url, "shapes", "staging", None).ok
    assert client.get_model_version("shapes", "1").aliases == []

    unknown = mirror_alias(mlflow_url, "shapes", "production", "9.01")
    assert not unknown.ok and unknown.error is not None and "9.01 is not in MLflow" in unknown.error


def test_an_unreachable_server_is_reported_quickly(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    checkpoint = tmp_path / "model.pt"
    checkpoint.write_bytes(b"w")
    started = time.monotonic()
    result = mirror_version(f"http://127.0.0.1:{free_port()}", version("1.01", []), checkpoint)
    assert time.monotonic() - started < 10
    assert not result.ok and result.error is not None and "cannot be reached" in result.error
    assert "MLflow mirror: cannot mirror shapes@1.01" in caplog.text
