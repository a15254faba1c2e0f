"""A round's scoring job, seen from the server: its shim and configuration, and what it scored.

Jobs run workspace scripts, so the module runner is started by a small script the platform
keeps in ``results/.crowd/`` (``jobs/scripts.py``).
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import Unavailable
from ..files.atomic import write_json_atomic
from ..jobs.scripts import platform_script
from ..jobs.service import JobService
from ..paths import PathResolver
from ..store.models import CrowdTaskRow
from .results import CROWD_FOLDER, task_folder
from .taskmodule import TaskModule

SHIM_FOLDER = ".crowd"
SHIM_FILE = "run_task_module.py"
SHIM_TEXT = '''"""Written by jlab_platform: runs a labeling task's module (train, then predict) as a job."""

import sys

from jlab_platform.crowd.runner import main

sys.exit(main(sys.argv[1:]))
'''


@dataclass(frozen=True)
class Scored:
    samples: list[str]
    probabilities: np.ndarray[Any, np.dtype[np.float32]]
    max_choose: int | None
    notes: list[str]


class RoundRunner:
    def __init__(self, jobs: JobService, paths: PathResolver, data_dir: Path, results_dir: Path) -> None:
        self.jobs = jobs
        self.paths = paths
        self.work_dir = data_dir / "crowd"
        self.snapshots_dir = data_dir / "snapshots"  # where the Jobs service copies the workspace
        self.results_dir = results_dir

    def submit(self, task: CrowdTaskRow, module: TaskModule, number: int, actions: list[str]) -> str:
        """Start the job that scores round ``number``; return its id."""
        dataset = self.paths.resolve(task.dataset, must_exist=True)
        work = self.work_folder(task.id, number)
        work.mkdir(parents=True, exist_ok=True)
        scores = work / "scores.npz"
        scores.unlink(missing_ok=True)
        config = {
            "task_id": task.id,
            "round": number,
            "actions": actions,
            "format": module.format,
            "module": module.ref,
            "module_folder": str(module.folder),
            "in_workspace": module.in_workspace,
            "snapshots": str(self.snapshots_dir),
            "classes": list(task.classes),
            "dataset": str(dataset),
            "labels_folder": str(task_folder(dataset, task.id)),
            "model_folder": str(self.results_dir / CROWD_FOLDER / task.id),
            "train_options": dict(task.train_options),
            "output": str(scores),
        }
        write_json_atomic(work / "run.json", config, indent=1)
        job = self.jobs.submit(
            self.paths.relative(platform_script(self.results_dir, SHIM_FOLDER, SHIM_FILE, SHIM_TEXT)),
            env=task.env,
            name=f"crowd: {task.name} · round {number}",
            args=[str(work / "run.json")],
        )
        return job.id

    def load(self, task_id: str, number: int) -> Scored:
        path = self.work_folder(task_id, number) / "scores.npz"
        if not path.is_file():
            raise Unavailable(
                "The module's job ended without writing its scores", "Its log says what happened."
            )
        with np.load(path, allow_pickle=False) as data:
            max_choose = int(data["max_choose"])
            return Scored(
                [str(s) for s in data["samples"]],
                data["probabilities"],
                max_choose if max_choose > 0 else None,
                [str(n) for n in data["notes"]],
            )

    def work_folder(self, task_id: str, number: int) -> Path:
        return self.work_dir / task_id / f"round-{number}"
