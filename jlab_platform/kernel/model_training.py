"""A model library training task inside its job: train the template module, then evaluate it.

The job's script is a shim the server keeps in ``results/.models/``; it calls ``main`` with
the training's configuration (written by the server): the template, the data paths and the
training config. Several data paths are trained on as one folder of links (each path's files
prefixed with its number, so equal names never collide). The run's evaluation on its
validation split becomes the training's report. What the server needs to publish it (the run
folder, its metrics, the report's id) is written to ``result-<job id>.json`` beside the config.
"""

import json
import os
import sys
from pathlib import Path
from typing import Any

from ..errors import PlatformError
from ..files.atomic import write_json_atomic
from .client import ServerNotFound, find_server
from .evaluate import evaluate
from .modules import ModuleError, load
from .training.data import SPLIT_FILE

_MERGED = "data"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: run_model_training.py TRAINING_JSON", file=sys.stderr)
        return 2
    config_file = Path(argv[0])
    config: dict[str, Any] = json.loads(config_file.read_text(encoding="utf-8"))
    job_id = os.environ.get("JLAB_JOB_ID", "local")
    work = config_file.parent
    try:
        find_server()
    except ServerNotFound:
        # Without a server the modules come from modules/ of the folder the job runs in: the
        # job's snapshot of the workspace, whose code its commit names.
        os.chdir(os.environ.get("JLAB_SNAPSHOT_DIR", os.getcwd()))
    data_dir = training_data([Path(p) for p in config["data_paths"]], work / f"{_MERGED}-{job_id}")
    print(
        f"model {config['model']}: training {config['template']} on {len(config['data_paths'])} data path(s)"
    )
    try:
        run = load(config["template"]).train(**{**config["params"], "data_dir": str(data_dir)})
    except (ModuleError, PlatformError) as exc:  # the module cannot load, or a config input does not fit
        print(f"training: {exc}", file=sys.stderr)
        return 1
    evaluation = _evaluate(run.run_dir)
    write_json_atomic(
        work / f"result-{job_id}.json",
        {"run_dir": str(run.run_dir), "metrics": run.metrics, "evaluation": evaluation},
        indent=1,
    )
    return 0


def training_data(paths: list[Path], merged: Path) -> Path:
    """The one folder to train on: the data path itself, or links to the files of every path."""
    if len(paths) == 1:
        return paths[0]
    merged.mkdir(parents=True, exist_ok=True)
    for index, source in enumerate(paths, start=1):
        for current, dirs, files in os.walk(source):
            dirs[:] = [name for name in dirs if not name.startswith(".")]
            relative = Path(current).relative_to(source)
            for name in files:
                if name.startswith("."):
                    continue
                target = merged / relative / f"{index}-{name}"
                target.parent.mkdir(parents=True, exist_ok=True)
                if not target.is_symlink():
                    target.symlink_to(Path(current, name).resolve())
    return merged


def _evaluate(run_dir: Path) -> str | None:
    """The id of the run's evaluation on its validation split; None when it has none to score."""
    try:
        split = json.loads((run_dir / SPLIT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(split, dict) or not split.get("val"):
        return None
    try:
        return evaluate(run_dir, split="val").id
    except (ModuleError, OSError, ValueError) as exc:
        # The model trained; a report that cannot be made leaves the training usable.
        print(f"evaluation: {exc}", file=sys.stderr)
        return None


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
