"""What a deployment source is: a module run, a .py file, a ModelArts folder or a model version.

``source`` is the only request field that names a file: it is resolved inside the root
(``PathResolver``), and everything else the service needs is found from it.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

import yaml

from ..errors import InvalidInput
from ..i18n import N_
from ..kernel.module_run import read_run_record
from ..kernel.run_states import COMPLETE
from ..modules.deployment import config_path
from ..modules.documents import load_yaml
from ..modules.spec import CHECKPOINT_INPUT, ModuleSpec
from ..paths import PathResolver
from .models import DeploymentKind, IOField

MODEL_PREFIX = "model:"
MODELARTS_SERVICE = "customize_service.py"
MODELARTS_CONFIG = "config.json"
CHECKPOINT_SUFFIXES = (".pt", ".pth", ".ckpt", ".h5", ".keras", ".pkl", ".joblib", ".onnx", ".safetensors")
# Its help is shown in the deploy dialog and the Try-it form: translated there (hence N_).
IMAGE_INPUT = IOField(name="image", type="image", help=N_("The image, base64-encoded (at most 4 MB)."))


class ResolvedModel(Protocol):
    """The model library's ``ResolvedVersion`` (contract with #17)."""

    name: str
    version: str
    template: str
    run_dir: Path
    commit: str | None


class ModelLibrary(Protocol):
    def resolve(self, ref: str) -> ResolvedModel: ...


@dataclass(frozen=True)
class Source:
    """A source made concrete: what to copy into the snapshot and how the service runs it."""

    source: str
    kind: DeploymentKind
    code_root: Path  # copied into the snapshot's code/ folder
    entry: str | None = None  # python/modelarts: relative to code_root
    module: str | None = None
    module_dir: Path | None = None  # kind module: copied into code/module
    run_dir: Path | None = None  # kind module: copied into code/run
    checkpoints: list[str] = field(default_factory=list)
    model_version: str | None = None
    commit: str | None = None  # a model version's own commit (otherwise: the workspace's)
    config: str | None = None
    inputs: list[IOField] = field(default_factory=list)
    outputs: list[IOField] = field(default_factory=list)
    defaults: dict[str, Any] = field(default_factory=dict)  # input values the .deploy.yml recorded


@dataclass(frozen=True)
class SourceFinder:
    paths: PathResolver
    results_dir: Path
    module_spec: Callable[[str], tuple[Path, ModuleSpec | None]]  # name -> (folder, spec)
    model_library: Callable[[], ModelLibrary | None]  # the model library (#17), when there is one

    def find(self, source: str) -> Source:
        if source.startswith(MODEL_PREFIX):
            return self._model(source)
        path = self.paths.resolve(source, must_exist=True)
        relative = self.paths.relative(path)
        if path.is_file() and path.suffix == ".py":
            return self._python(relative, path)
        if path.is_dir() and (path / MODELARTS_SERVICE).is_file():
            return self._modelarts(relative, path)
        if path.is_dir() and path.parent.parent == self.results_dir.resolve():
            return self._run(relative, path, module=path.parent.name)
        raise InvalidInput(
            f"{source!r} cannot be deployed",
            f"Deploy a module run folder ({self.paths.relative(self.results_dir.resolve())}/<module>/<run>), "
            f"a .py file, a ModelArts folder (with {MODELARTS_SERVICE}) or a model version "
            f"'{MODEL_PREFIX}<name>[@<version>]'.",
            field="source",
        )

    def _model(self, source: str) -> Source:
        ref = source[len(MODEL_PREFIX) :]
        library = self.model_library()
        if library is None:
            raise InvalidInput(
                "This server has no model library to deploy from",
                "Deploy a module run folder instead.",
                field="source",
            )
        resolved = library.resolve(ref)
        found = self._run(source, resolved.run_dir, module=resolved.template)
        return replace(found, model_version=f"{resolved.name}@{resolved.version}", commit=resolved.commit)

    def _run(self, source: str, run_dir: Path, module: str) -> Source:
        record = read_run_record(run_dir)
        if record is None or record.get("status") != COMPLETE:
            raise InvalidInput(
                f"{source!r} is not a complete training run",
                "Deploy a run whose training finished (its run.json says 'complete').",
                field="source",
            )
        checkpoints = sorted(
            (p.name for p in run_dir.iterdir() if p.is_file() and p.suffix in CHECKPOINT_SUFFIXES),
            key=lambda name: (not name.startswith(("model", "best")), name),
        )
        if not checkpoints:
            raise InvalidInput(
                f"The run {source!r} has no checkpoint",
                f"A run folder holds its checkpoint ({', '.join(CHECKPOINT_SUFFIXES)}); train again.",
                field="source",
            )
        folder, spec = self.module_spec(module)
        outputs: list[IOField] = []
        if spec is not None and "predict" in spec.actions:
            outputs = [
                IOField(name=f.name, type=f.type, help=f.help) for f in spec.actions["predict"].outputs
            ]
        return Source(
            source=source,
            kind="module",
            code_root=run_dir,
            module=module,
            module_dir=folder,
            run_dir=run_dir,
            checkpoints=checkpoints,
            inputs=[IMAGE_INPUT],
            outputs=outputs,
        )

    def _python(self, relative: str, path: Path) -> Source:
        config = config_path(path)
        inputs, outputs, defaults = _deploy_config(config) if config.is_file() else ([IMAGE_INPUT], [], {})
        return Source(
            source=relative,
            kind="python",
            code_root=self.paths.root,
            entry=relative,
            config=self.paths.relative(config) if config.is_file() else None,
            inputs=inputs,
            outputs=outputs,
            defaults=defaults,
        )

    def _modelarts(self, relative: str, folder: Path) -> Source:
        if not (folder / MODELARTS_CONFIG).is_file():
            raise InvalidInput(
                f"The ModelArts folder {relative!r} has no {MODELARTS_CONFIG}",
                f"Put the model's {MODELARTS_CONFIG} beside {MODELARTS_SERVICE}.",
                field="source",
            )
        inputs, outputs = _modelarts_fields(folder / MODELARTS_CONFIG)
        return Source(
            source=relative,
            kind="modelarts",
            code_root=folder,
            entry=".",
            config=self.paths.relative(folder / MODELARTS_CONFIG),
            inputs=inputs,
            outputs=outputs,
        )


def checked_checkpoint(found: Source, chosen: str | None) -> str | None:
    """The checkpoint a deployment serves: the chosen file of a module run, or the run's default."""
    if found.kind != "module":
        if chosen is not None:
            raise InvalidInput(
                "Only a module run has checkpoints to choose", "Leave checkpoint out.", field="checkpoint"
            )
        return None
    if chosen is None:
        return found.checkpoints[0]
    if chosen not in found.checkpoints:
        raise InvalidInput(
            f"The run has no checkpoint {chosen!r}",
            f"Choose one of: {', '.join(found.checkpoints)}.",
            field="checkpoint",
        )
    return chosen


def trimmed(fields: list[IOField], keep: list[str] | None, what: str) -> list[IOField]:
    """``fields`` limited to the names the user kept (all when ``keep`` is None)."""
    if keep is None:
        return fields
    known = {f.name for f in fields}
    unknown = [name for name in keep if name not in known]
    if unknown:
        raise InvalidInput(
            f"Unknown {what}: {', '.join(unknown)}",
            f"Keep some of: {', '.join(sorted(known)) or '(none)'}.",
            field=what,
        )
    return [f for f in fields if f.name in keep]


def suggested_name(source: str) -> str:
    """A valid deployment name made from the source's last part."""
    stem = Path(source.removeprefix(MODEL_PREFIX).split("@")[0]).stem or "service"
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-_") or "service"
    return (name if name[0].isalpha() else f"s-{name}")[:60]


def _deploy_config(path: Path) -> tuple[list[IOField], list[IOField], dict[str, Any]]:
    """Inputs, outputs and recorded values of a ``<notebook>.deploy.yml``.

    Top-level ``inputs``/``outputs`` (written by the user) win; otherwise every module action the
    notebook inserted contributes its inputs and outputs, first one by name wins.
    """
    try:
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InvalidInput(
            f"{path.name} cannot be read: {exc}", "Fix the deployment config or delete it.", field="source"
        ) from None
    if not isinstance(data, dict):
        raise InvalidInput(f"{path.name} is not a mapping", "Fix the deployment config.", field="source")
    sections: list[dict[str, Any]] = []
    if isinstance(data.get("inputs"), dict) or isinstance(data.get("outputs"), dict):
        sections.append(data)
    else:
        for entry in (data.get("modules") or {}).values():
            if isinstance(entry, dict):
                sections.extend(action for action in entry.values() if isinstance(action, dict))
    inputs: dict[str, IOField] = {}
    outputs: dict[str, IOField] = {}
    defaults: dict[str, Any] = {}
    for section in sections:
        for name, spec in (section.get("inputs") or {}).items():
            if name == CHECKPOINT_INPUT or name in inputs or not isinstance(spec, dict):
                continue
            inputs[name] = _field(str(name), spec)
            if spec.get("value") is not None:
                defaults[name] = spec["value"]
        for name, spec in (section.get("outputs") or {}).items():
            if name not in outputs and isinstance(spec, dict):
                outputs[name] = _field(str(name), spec)
    return list(inputs.values()) or [IMAGE_INPUT], list(outputs.values()), defaults


def _field(name: str, spec: dict[str, Any]) -> IOField:
    return IOField(name=name, type=str(spec.get("type") or "json"), help=str(spec.get("help") or ""))


def _modelarts_fields(path: Path) -> tuple[list[IOField], list[IOField]]:
    """The request/response fields ModelArts' ``config.json`` declares under ``apis``."""
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
        api = config["apis"][0]
        request = api["request"]["data"]["properties"]
        response = api["response"]["data"]["properties"]
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return [IMAGE_INPUT], []
    inputs = [
        IOField(name=str(name), type="image" if spec.get("type") == "file" else str(spec.get("type", "json")))
        for name, spec in request.items()
        if isinstance(spec, dict)
    ]
    outputs = [
        IOField(name=str(name), type=str(spec.get("type", "json")))
        for name, spec in response.items()
        if isinstance(spec, dict)
    ]
    return inputs or [IMAGE_INPUT], outputs
