"""Run modules from a notebook or a job: ``modules.load("image-classifier").train(...)``.

``load`` asks the platform server where the module lives (so the sidebar and the kernel see
the same catalog); without a server it searches ``modules/`` here, installed packages and the
built-in modules. ``train`` and ``predict`` validate their inputs against the spec, give the
module a ``context`` (run folder, metrics, progress bar) and keep a record of every run.
"""

import datetime as dt
import importlib.util
import inspect
import os
import sys
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from types import ModuleType
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement

from ..modules.catalog import Catalog
from ..modules.entries import read_requirements
from ..modules.mainfile import CONTEXT_PARAMETER, MAIN_FILE
from ..modules.params import validate_params
from ..modules.spec import CHECKPOINT_INPUT, ModuleSpec, find_spec_file, load_spec
from ..paths import PathResolver
from . import jobs
from .client import ServerConnection, ServerError, ServerNotFound, find_server
from .module_run import (
    RunContext,
    complete_runs,
    new_run_dir,
    quiet_native_logs,
    read_run_record,
    write_run_record,
)
from .run_states import COMPLETE, FAILED, INTERRUPTED, RUNNING

CHECKPOINT_DIR = "checkpoint"


class ModuleError(RuntimeError):
    """The module cannot be loaded or run; the message says what to change."""


@dataclass(frozen=True)
class TrainRun:
    """What ``train`` returns: where the checkpoint is, the last metrics, the module's own result."""

    module: str
    run_dir: Path
    metrics: dict[str, float] = field(default_factory=dict)
    result: Any = None

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={value:.4g}" for name, value in self.metrics.items())
        return f"TrainRun({self.module!r}, run_dir={str(self.run_dir)!r}{', ' + shown if shown else ''})"


class Module:
    """A loaded module: its spec, and train/predict that run its ``main.py``."""

    def __init__(self, name: str, folder: Path, spec: ModuleSpec, results_dir: Path) -> None:
        self.name, self.folder, self.spec = name, folder, spec
        self.results_dir = results_dir / name
        self._code: ModuleType | None = None
        self._instance: Any = None

    def __repr__(self) -> str:
        return f"Module({self.name!r}, version={self.spec.version!r}, folder={str(self.folder)!r})"

    def train(self, **params: Any) -> TrainRun:
        """Validate ``params`` against the spec, train in a new ``results/<module>/<run>/``."""
        values = self._validated("train", params)
        run_dir = new_run_dir(self.results_dir)
        context = RunContext(self.name, "train", run_dir, values)
        record: dict[str, Any] = {
            "module": self.name,
            "version": self.spec.version,
            "status": RUNNING,
            "params": values,
            "started_at": _now(),
            "job_id": os.environ.get("JLAB_JOB_ID"),  # the job view finds the runs its job trained
        }
        write_run_record(run_dir, record)
        result = self._call("train", values, context, record)
        record.update(status=COMPLETE, finished_at=_now(), metrics=context.last_metrics, result=result)
        write_run_record(run_dir, record)
        context.report_saved()
        return TrainRun(self.name, run_dir, dict(context.last_metrics), result)

    def predict(self, **inputs: Any) -> Any:
        """Validate ``inputs`` and predict with ``checkpoint`` (default: the latest complete run)."""
        values = self._validated("predict", inputs)
        run_dir = self._checkpoint(values.pop(CHECKPOINT_INPUT, None))
        context = RunContext(self.name, "predict", run_dir, values)
        return self._call("predict", values, context, None)

    def runs(self) -> list[Path]:
        """Complete training runs, oldest first."""
        return complete_runs(self.results_dir)

    def latest_run(self) -> Path | None:
        runs = self.runs()
        return runs[-1] if runs else None

    # -- internals ----------------------------------------------------------

    def _validated(self, action: str, params: dict[str, Any]) -> dict[str, Any]:
        spec = self.spec.actions.get(action)
        if spec is None:
            raise ModuleError(
                f"Module {self.name!r} has no {action}; it offers: {', '.join(self.spec.actions)}"
            )
        return validate_params(self.name, spec, params, _existing_path)

    def _call(
        self, action: str, values: dict[str, Any], context: RunContext, record: dict[str, Any] | None
    ) -> Any:
        with quiet_native_logs():  # from the import of main.py (and its frameworks) on
            function = self._entry(action)
            arguments = dict(values)
            if CONTEXT_PARAMETER in inspect.signature(function).parameters:
                arguments[CONTEXT_PARAMETER] = context
            try:
                return function(**arguments)
            except BaseException as exc:
                context.failed = True
                if record is not None:
                    status = INTERRUPTED if isinstance(exc, KeyboardInterrupt) else FAILED
                    record.update(status=status, finished_at=_now(), error=f"{type(exc).__name__}: {exc}")
                    write_run_record(context.run_dir, record)
                raise
            finally:
                context.close()

    def _entry(self, action: str) -> Callable[..., Any]:
        code = self._import()
        if self.spec.class_name is None and callable(getattr(code, action, None)):
            function: Callable[..., Any] = getattr(code, action)
            return function
        if self._instance is None:
            self._instance = _entry_class(code, self.spec.class_name)()
        function = getattr(self._instance, action)
        return function

    def _import(self) -> ModuleType:
        if self._code is None:
            folder = str(self.folder)
            if folder not in sys.path:
                sys.path.insert(0, folder)  # main.py may import files beside it
            unique = "jlab_module_" + "".join(c if c.isalnum() else "_" for c in self.name)
            spec = importlib.util.spec_from_file_location(unique, self.folder / MAIN_FILE)
            if spec is None or spec.loader is None:
                raise ModuleError(f"Cannot import {self.folder / MAIN_FILE}")
            code = importlib.util.module_from_spec(spec)
            sys.modules[unique] = code
            spec.loader.exec_module(code)
            self._code = code
        return self._code

    def _checkpoint(self, chosen: str | None) -> Path:
        if chosen is not None:
            path = Path(chosen)
            shipped = (self.folder / CHECKPOINT_DIR).resolve()
            if read_run_record(path) is None and path.resolve() != shipped:
                raise ModuleError(f"{chosen!r} is not a run of a module (it has no run.json)")
            return path
        latest = self.latest_run()
        if latest is not None:
            return latest
        if (self.folder / CHECKPOINT_DIR).is_dir():
            return self.folder / CHECKPOINT_DIR
        raise ModuleError(
            f"Module {self.name!r} has no trained run in {self.results_dir} yet: train it first, "
            "or pass checkpoint= the run folder to use."
        )


def load(name: str) -> Module:
    """The module called ``name`` (as the Modules & Datasets sidebar lists it)."""
    folder, results_dir = _locate(name)
    spec_path = find_spec_file(folder)
    if spec_path is None:
        raise ModuleError(f"Module {name!r} in {folder} has no module_spec.yml")
    spec, problems = load_spec(spec_path, folder.name)
    if spec is None:
        listed = "\n".join(
            f"  {folder / problem.file}:{problem.line}: {problem.message}" for problem in problems
        )
        raise ModuleError(f"The spec of module {name!r} has errors:\n{listed}")
    _check_requirements(name, folder)
    return Module(spec.name, folder, spec, results_dir)


def train(module: str | Module, **params: Any) -> TrainRun:
    return (load(module) if isinstance(module, str) else module).train(**params)


def predict(module: str | Module, **inputs: Any) -> Any:
    return (load(module) if isinstance(module, str) else module).predict(**inputs)


def available() -> list[dict[str, Any]]:
    """Every module the platform lists, as ``GET /modules`` returns them."""
    try:
        modules: list[dict[str, Any]] = find_server().request("GET", "modules")["modules"]
        return modules
    except ServerNotFound:
        return [
            entry.summary().model_dump(mode="json", by_alias=True) for entry in _local_catalog().modules()
        ]


# -- finding modules -----------------------------------------------------------


def _locate(name: str) -> tuple[Path, Path]:
    """The module's folder and the results folder, from the server when there is one."""
    try:
        server = find_server()
    except ServerNotFound:
        entry = _local_catalog().module(name)
        return entry.folder, _results_dir(None, None)
    try:
        detail = server.request("GET", f"modules/{urllib.parse.quote(name, safe='')}")
    except ServerError as exc:
        raise ModuleError(f"Cannot load module {name!r}: {exc}") from None
    folder = Path(detail["dir"])
    if detail.get("path") and os.environ.get("JLAB_JOB_ID"):
        folder = _snapshot_copy(server, detail["path"]) or folder
    return folder, _results_dir(server, detail.get("results"))


def _snapshot_copy(server: ServerConnection, workspace_path: str) -> Path | None:
    """In a job, the module as it was snapshotted with the job, not as it is being edited now."""
    try:
        script = jobs.get(os.environ["JLAB_JOB_ID"])["script"]
    except (ServerError, KeyError):
        return None
    run_root = Path.cwd()
    for _ in Path(script).parent.parts:
        run_root = run_root.parent
    copy = run_root / workspace_path
    return copy if find_spec_file(copy) is not None else None


def _results_dir(server: ServerConnection | None, module_results: str | None) -> Path:
    """The platform's ``results/``: ``$JLAB_RESULTS_DIR``, else the server's, else ``./results``."""
    if os.environ.get("JLAB_RESULTS_DIR"):
        return Path(os.environ["JLAB_RESULTS_DIR"])
    if server is not None and server.root_dir and module_results:
        return (Path(server.root_dir) / module_results).parent
    return Path.cwd() / "results"


def _local_catalog() -> Catalog:
    return Catalog(PathResolver(Path.cwd()), ["modules"], ["datasets"])


def _entry_class(code: ModuleType, class_name: str | None) -> type:
    if class_name is not None:
        found = getattr(code, class_name, None)
        if not isinstance(found, type):
            raise ModuleError(f"main.py has no class {class_name!r}")
        return found
    classes = [
        value
        for value in vars(code).values()
        if isinstance(value, type)
        and value.__module__ == code.__name__
        and ("train" in vars(value) or "predict" in vars(value))  # its own, as the server checks
    ]
    if len(classes) != 1:
        raise ModuleError("main.py must define train/predict functions, or exactly one class with them")
    return classes[0]


def _check_requirements(name: str, folder: Path) -> None:
    missing = []
    for line in read_requirements(folder):
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            continue
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        try:
            installed = version(requirement.name)
        except PackageNotFoundError:
            missing.append(f"{line} (not installed)")
            continue
        if requirement.specifier and not requirement.specifier.contains(installed, prereleases=True):
            missing.append(f"{line} ({installed} is installed)")
    if missing:
        raise ModuleError(
            f"Module {name!r} needs: {'; '.join(missing)}. "
            f"Install them with: %pip install -r {folder / 'requirements.txt'}"
        )


def _existing_path(value: str, kind: str) -> str:
    path = Path(value).expanduser()
    if not path.exists():
        raise ValueError(f"{value!r} does not exist (relative paths start in {Path.cwd()})")
    if kind == "image" and not path.is_file():
        raise ValueError(f"{value!r} is a folder, not an image file")
    return str(path)


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
