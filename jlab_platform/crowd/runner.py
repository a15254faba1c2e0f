"""Runs a labeling task's module inside a job: ``train`` on the labels so far, then ``predict``.

The job's script is a small shim the platform keeps in ``results/.crowd/``; it calls
``main`` with the run's configuration (``run.json``, written by the server). The module
starts in the dataset folder, so the seed's relative paths work unchanged:
``./results/<task id>/create.pkl`` (``{"filename": dataset folder}``) is there for it to
read, ``./results/<task id>/sample.pkl`` is where its ``predict`` writes, and
``./results/crowdsourcing/<task id>/*.csv`` are the round files its ``read_csv()`` reads.
What the module scored ends up in ``scores.npz`` for the server to select from; the
module's own names for samples are kept, the server maps them to dataset files.
"""

import ast
import json
import os
import pickle
import runpy
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..files.atomic import atomic_output
from .results import read_rounds
from .samples import list_samples
from .taskmodule import MAIN_FILE, SEED

CHECKPOINT_DIR = "checkpoint"
_UNFITTED = "no trained model yet: every sample scores the same, the seed decides the order"


class RunnerError(RuntimeError):
    """The module broke the contract; the message says what to change."""


@dataclass
class Scores:
    samples: list[str]
    probabilities: np.ndarray[Any, np.dtype[np.float32]]
    max_choose: int | None = None
    notes: list[str] = field(default_factory=list)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: run_task_module.py RUN_JSON", file=sys.stderr)
        return 2
    config: dict[str, Any] = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    folder = module_folder(config)
    say(f"round {config['round']} of task {config['task_id']}: {' + '.join(config['actions'])} with {folder}")
    os.chdir(config["dataset"])
    sys.path.insert(0, str(folder))
    try:
        if config["format"] == SEED:
            scores = run_seed(folder, config)
        else:
            scores = run_platform(folder, config)
    except RunnerError as exc:
        print(f"crowd: {exc}", file=sys.stderr)
        return 2
    write_scores(Path(config["output"]), scores)
    say(f"scored {len(scores.samples)} samples")
    return 0


def module_folder(config: dict[str, Any]) -> Path:
    """A workspace module as the job's snapshot holds it (edits after submitting do not count).

    A freshly submitted job's snapshot is named after the job; a job restarted by hand from
    the Jobs panel shares an older one, and then the module is taken from the workspace.
    """
    if not config["in_workspace"]:
        return Path(config["module_folder"])
    copy: Path = Path(config["snapshots"]) / os.environ.get("JLAB_JOB_ID", "-") / str(config["module"])
    if (copy / MAIN_FILE).is_file():
        return copy
    say(f"{config['module']} is not in this job's snapshot; using the workspace folder")
    return Path(config["module_folder"])


def say(message: str) -> None:
    print(f"crowd: {message}", flush=True)


# -- the seed's contract -------------------------------------------------------


def run_seed(folder: Path, config: dict[str, Any]) -> Scores:
    task_id = config["task_id"]
    own = Path("results") / task_id
    own.mkdir(parents=True, exist_ok=True)
    with open(own / "create.pkl", "wb") as handle:
        pickle.dump({"filename": config["dataset"], "task_id": task_id, "classes": config["classes"]}, handle)
    outputs = [own / "sample.pkl", Path("results") / "crowdsourcing" / task_id / "sample.pkl"]
    for path in outputs:
        path.unlink(missing_ok=True)
    os.environ["JLAB_CROWD_TASK_ID"] = task_id
    for action in config["actions"]:
        _call_seed(folder / MAIN_FILE, action, task_id)
    written = [path for path in outputs if path.is_file()]
    if not written:
        raise RunnerError(
            "predict wrote no sample.pkl: write {'results': [{'sample': ..., 'probability': [...]}], "
            f"'max_choose': N}} to ./results/{task_id}/sample.pkl"
        )
    with open(written[0], "rb") as handle:
        data = pickle.load(handle)  # the module's own file, read in the module's own job
    return _seed_scores(data, config["classes"])


def _call_seed(main: Path, action: str, task_id: str) -> None:
    """Module-level ``train()``/``predict()`` are called; otherwise the template's ``__main__`` runs."""
    say(f"{action} ({main.name})")
    tree = ast.parse(main.read_bytes(), filename=str(main))
    if any(isinstance(node, ast.FunctionDef) and node.name == action for node in tree.body):
        namespace = runpy.run_path(str(main), run_name="crowd_module")
        namespace[action]()
        return
    saved, sys.argv = sys.argv, [str(main), action, task_id]
    try:
        runpy.run_path(str(main), run_name="__main__")
    except SystemExit as exc:
        if exc.code not in (None, 0):
            raise
    finally:
        sys.argv = saved


def _seed_scores(data: Any, classes: list[str]) -> Scores:
    records = data.get("results", data.get("sample")) if isinstance(data, dict) else None
    if not isinstance(records, list | tuple):
        raise RunnerError("sample.pkl must be a dict with 'results': a list of {'sample', 'probability'}")
    samples, rows = [], []
    for index, record in enumerate(records):
        if not isinstance(record, dict) or "sample" not in record or "probability" not in record:
            raise RunnerError(f"sample.pkl: result {index} is not {{'sample': ..., 'probability': [...]}}")
        samples.append(str(record["sample"]))
        rows.append(_row(record["probability"], classes, classes, index))
    max_choose = data.get("max_choose")
    chosen = int(max_choose) if isinstance(max_choose, int | np.integer) and max_choose > 0 else None
    return Scores(samples, _matrix(rows, len(classes)), chosen)


# -- modules of the Modules & Datasets library -----------------------------------


def run_platform(folder: Path, config: dict[str, Any]) -> Scores:
    # Imported here: seed-format runs never need the Modules library.
    from ..kernel.modules import Module, ModuleError
    from ..modules.spec import CHECKPOINT_INPUT, find_spec_file, load_spec

    spec_file = find_spec_file(folder)
    spec = load_spec(spec_file, folder.name)[0] if spec_file else None
    if spec is None:
        raise RunnerError(f"{folder} has no valid module_spec.yml")
    module = Module(spec.name, folder, spec, Path(config["model_folder"]))
    classes: list[str] = config["classes"]
    try:
        if "train" in config["actions"]:
            _train(module, _input(spec, "train", ("path",)), config)
        run = module.latest_run()
        checkpoint = run if run is not None else folder / CHECKPOINT_DIR
        if not checkpoint.is_dir():
            say(_UNFITTED)
            samples = list_samples(Path(config["dataset"]))
            return Scores(
                samples,
                np.full((len(samples), len(classes)), 1.0 / len(classes), np.float32),
                notes=[_UNFITTED],
            )
        say(f"predict with {checkpoint}")
        images = _input(spec, "predict", ("path", "image"))
        records = module.predict(**{images: config["dataset"], CHECKPOINT_INPUT: str(checkpoint)})
    except ModuleError as exc:
        raise RunnerError(str(exc)) from None
    model_classes = _run_classes(checkpoint) or classes
    samples, rows = [], []
    for index, record in enumerate(records or []):
        samples.append(str(record["sample"]))
        rows.append(_row(record["probability"], model_classes, classes, index))
    return Scores(samples, _matrix(rows, len(classes)))


def _train(module: Any, data_input: str, config: dict[str, Any]) -> None:
    labeled = read_rounds(Path(config["labels_folder"]))
    by_class: dict[str, list[str]] = {}
    for sample, label in labeled:
        by_class.setdefault(label, []).append(sample)
    if len(by_class) < 2:
        say(f"the labels so far cover {len(by_class)} class(es); training needs 2: keeping the last model")
        return
    view = Path(config["model_folder"]) / f"round-{config['round']}-labels"
    shutil.rmtree(view, ignore_errors=True)
    dataset = Path(config["dataset"])
    for label, samples in by_class.items():
        (view / label).mkdir(parents=True)
        for index, sample in enumerate(samples):
            (view / label / f"{index:06d}_{Path(sample).name}").symlink_to(dataset / sample)
    say(f"train on {len(labeled)} labels of {len(by_class)} classes")
    module.train(**{data_input: str(view), **config["train_options"]})


def _input(spec: Any, action: str, types: tuple[str, ...]) -> str:
    for item in spec.actions[action].inputs:
        if item.type in types and item.name != "checkpoint":
            return str(item.name)
    raise RunnerError(f"{action} of module {spec.name!r} takes no folder input ({' or '.join(types)})")


def _run_classes(run: Path) -> list[str] | None:
    """The classes a trained run knows, in the order of its probabilities."""
    try:
        record = json.loads((run / "run.json").read_text(encoding="utf-8"))
        found = (record.get("result") or {}).get("classes")
    except (OSError, ValueError, AttributeError):
        found = None
    if found is None and (run / "classes.json").is_file():
        found = json.loads((run / "classes.json").read_text(encoding="utf-8"))
    return [str(name) for name in found] if isinstance(found, list) else None


# -- shared ------------------------------------------------------------------------


def _row(value: Any, model_classes: list[str], classes: list[str], index: int) -> list[float]:
    """One probability per task class, in the task's order (classes the model lacks get 0)."""
    if isinstance(value, dict):
        return [float(value.get(name, 0.0)) for name in classes]
    values = np.asarray(value, dtype=np.float64).ravel()
    if len(values) != len(model_classes):
        raise RunnerError(
            f"result {index}: {len(values)} probabilities for {len(model_classes)} classes ({model_classes})"
        )
    if model_classes == classes:
        return [float(v) for v in values]
    by_name = dict(zip(model_classes, values, strict=True))
    return [float(by_name.get(name, 0.0)) for name in classes]


def _matrix(rows: list[list[float]], classes: int) -> np.ndarray[Any, np.dtype[np.float32]]:
    return np.asarray(rows, dtype=np.float32).reshape(len(rows), classes)


def write_scores(path: Path, scores: Scores) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # An open file: given a name, numpy would add ".npz" to the partial one.
    with atomic_output(path) as partial, open(partial, "wb") as handle:
        np.savez(
            handle,
            samples=np.asarray(scores.samples, dtype=str),
            probabilities=scores.probabilities,
            max_choose=np.int64(scores.max_choose or 0),
            notes=np.asarray(scores.notes, dtype=str),
        )
