"""The jobs of the model library, seen from the server: trainings and batch predictions.

Jobs run workspace scripts, so each kind starts a small shim the platform keeps in
``results/.models/`` (``jobs/scripts.py``); its configuration is in the library's private work
folder (``<data_dir>/models/trainings/<id>/``), where the training's job writes its result.
"""

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..files.atomic import make_private_dir, write_json_atomic
from ..jobs.models import Job
from ..jobs.scripts import platform_script
from ..jobs.service import JobService
from ..paths import PathResolver

SHIM_FOLDER = ".models"
_TRAIN_SHIM = "run_model_training.py"
_TRAIN_TEXT = '''"""Written by jlab_platform: a model library training (train, evaluate) as a job."""

import sys

from jlab_platform.kernel.model_training import main

sys.exit(main(sys.argv[1:]))
'''
_PREDICT_SHIM = "run_batch_prediction.py"
_PREDICT_TEXT = '''"""Written by jlab_platform: a batch prediction of a model version as a job."""

import sys

from jlab_platform.kernel.batch_predict import main

sys.exit(main(sys.argv[1:]))
'''


@dataclass(frozen=True)
class TrainingResult:
    run_dir: Path
    metrics: dict[str, float]
    evaluation: str | None


class LibraryJobs:
    def __init__(self, jobs: JobService, paths: PathResolver, data_dir: Path, results_dir: Path) -> None:
        self.jobs = jobs
        self.paths = paths
        self.work_dir = data_dir / "models" / "trainings"
        self.results_dir = results_dir

    def train(self, training_id: str, model: str, template: str, config: dict[str, Any]) -> Job:
        """Start a job training ``template`` with ``config`` (params and absolute data paths)."""
        work = self.work_dir / training_id
        make_private_dir(work)
        write_json_atomic(work / "training.json", {"model": model, "template": template, **config}, indent=1)
        script = platform_script(self.results_dir, SHIM_FOLDER, _TRAIN_SHIM, _TRAIN_TEXT)
        return self.jobs.submit(
            self.paths.relative(script),
            env=str(config.get("env", "cpu")),
            name=f"model {model}: train {template}",
            args=[str(work / "training.json")],
        )

    def result(self, training_id: str, job_id: str) -> TrainingResult | None:
        """What the training's job ``job_id`` left for publishing; None before it ended well."""
        try:
            data = json.loads((self.work_dir / training_id / f"result-{job_id}.json").read_text("utf-8"))
            return TrainingResult(Path(data["run_dir"]), dict(data["metrics"]), data.get("evaluation"))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def forget(self, training_id: str) -> None:
        shutil.rmtree(self.work_dir / training_id, ignore_errors=True)

    def predict(self, ref: str, run_dir: Path, data: Path, out: Path, env: str) -> Job:
        """Start the batch prediction of ``ref`` (run folder ``run_dir``) over ``data`` into ``out``."""
        script = platform_script(self.results_dir, SHIM_FOLDER, _PREDICT_SHIM, _PREDICT_TEXT)
        return self.jobs.submit(
            self.paths.relative(script),
            env=env,
            name=f"model {ref}: predict {self.paths.relative(data) if self.paths.contains(data) else data}",
            args=["--ref", ref, "--run-dir", str(run_dir), "--data", str(data), "--out", str(out)],
        )
