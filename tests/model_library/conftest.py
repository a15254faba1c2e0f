"""A workspace with a tiny template module and image folders, and a model library on a real store."""

import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from jlab_platform.jobs.service import JobService
from jlab_platform.model_library.models import Training
from jlab_platform.model_library.service import LibrarySettings, ModelLibrary
from jlab_platform.modules.catalog import Catalog
from tests.helpers.services import jobs_on
from tests.modules.factory import write_module, write_stripes

# Trains in well under a second and imports no framework: the jobs are real, the model trivial.
TINY_SPEC = """\
name: tiny
version: "{version}"
description: Counts the images of each class
task: image-classification
train:
  inputs:
    data_dir: {{type: path}}
    steps: {{type: int, default: 2, range: [1, 10]}}
    pause: {{type: float, default: 0, range: [0, 60]}}
  outputs:
    checkpoint: {{type: path}}
predict:
  inputs:
    images: {{type: path}}
"""

TINY_MAIN = """\
import json
import time
from pathlib import Path


def train(data_dir, steps, pause, *, context):
    counts = {p.name: len(list(p.iterdir())) for p in sorted(Path(data_dir).iterdir()) if p.is_dir()}
    for step in range(1, steps + 1):
        context.log(step, total=steps, accuracy=step / steps)
        time.sleep(pause)
    (context.run_dir / "model.pt").write_text(json.dumps(counts))
    (context.run_dir / "classes.json").write_text(json.dumps(sorted(counts)))
    return {"checkpoint": str(context.run_dir / "model.pt")}


def predict(images, *, context):
    return []
"""


@dataclass
class Library:
    root: Path
    jobs: JobService
    service: ModelLibrary

    def set_template_version(self, version: str) -> None:
        (self.root / "modules" / "tiny" / "module_spec.yml").write_text(TINY_SPEC.format(version=version))

    def wait_state(self, name: str, training_id: str, *states: str, timeout: float = 120) -> Training:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.jobs.tick()
            training = self.service.training(name, training_id)
            if training.state in states:
                return training
            time.sleep(0.05)
        raise AssertionError(
            f"training {training_id} is not {states}: {self.service.training(name, training_id)}"
        )

    def wait(self, name: str, training_id: str, timeout: float = 120) -> Training:
        """The training once it ended; its job's log when it did not complete."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.jobs.tick()  # the server's scheduler does this every half second
            training = self.service.training(name, training_id)
            if training.state not in ("waiting", "training"):
                log = self.jobs.log(training.job_id, -4000, 4000).data
                assert training.state in ("completed", "published"), f"{training}\n{log}"
                return training
            time.sleep(0.05)
        raise AssertionError(
            f"training {training_id} did not end: {self.service.training(name, training_id)}"
        )


def library_on(tmp_path: Path, db_url: str) -> Library:
    root = tmp_path / "workspace"
    write_module(root / "modules", "tiny", TINY_SPEC.format(version="3.0"), TINY_MAIN)
    write_stripes(root / "data" / "stripes", per_class=3, size=8)
    write_stripes(root / "data" / "more", per_class=2, size=8, seed=1)
    (root / "data" / "empty").mkdir()
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "tiny"], check=True)
    made = jobs_on(root, db_url)
    catalog = Catalog(made.paths, ["modules"], [], builtin=False, entry_points=False)
    settings = LibrarySettings(data_dir=made.data, results_dir=made.results)
    service = ModelLibrary(made.store, made.paths, made.jobs, catalog, settings)
    return Library(root, made.jobs, service)


@pytest.fixture
def library(tmp_path: Path, db_url: str) -> Iterator[Library]:
    """On SQLite and on PostgreSQL."""
    made = library_on(tmp_path, db_url)
    yield made
    made.service.store.dispose()


@pytest.fixture
def sqlite_library(tmp_path: Path) -> Iterator[Library]:
    made = library_on(tmp_path, f"sqlite:///{tmp_path / 'platform.db'}")
    yield made
    made.service.store.dispose()
