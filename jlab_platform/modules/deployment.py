"""The deployment config next to a notebook: which module inputs and outputs its code uses.

Inserting module code records the call in ``<notebook>.deploy.yml`` (seed 000: the
platform writes the inputs/outputs used, and the user keeps the ones a deployment needs).
"""

import datetime as dt
import threading
from pathlib import Path
from typing import Any

import yaml

from ..errors import Conflict
from ..files.atomic import write_atomic
from .documents import load_yaml
from .spec import ActionSpec

CONFIG_SUFFIX = ".deploy.yml"
HEADER = (
    "# Deployment config written by jlab_platform when module code is inserted into {notebook}.\n"
    "# Keep the inputs and outputs a deployment of this notebook needs and delete the rest;\n"
    "# inserting code again updates the entry of that module and action (comments are not kept).\n"
)

_lock = threading.Lock()


def config_path(notebook: Path) -> Path:
    return notebook.with_name(notebook.stem + CONFIG_SUFFIX)


def record_call(
    notebook: Path, module: str, version: str, action: ActionSpec, values: dict[str, Any]
) -> Path:
    """Merge this call into the notebook's deployment config; return the config's path."""
    path = config_path(notebook)
    with _lock:
        data = _read(path)
        modules = data.setdefault("modules", {})
        if not isinstance(modules, dict):
            raise Conflict(f"'modules' in {path.name} is not a mapping", _FIX.format(name=path.name))
        entry = modules.setdefault(module, {})
        if not isinstance(entry, dict):
            raise Conflict(f"'modules.{module}' in {path.name} is not a mapping", _FIX.format(name=path.name))
        entry["version"] = version
        entry[action.name] = {
            "inputs": {
                field.name: {"type": field.type, "value": values[field.name]}
                for field in action.inputs
                if field.name in values
            },
            "outputs": {field.name: {"type": field.type, "help": field.help} for field in action.outputs},
        }
        data["notebook"] = notebook.name
        data["updated_at"] = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        text = HEADER.format(notebook=notebook.name) + yaml.dump(
            data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False
        )
        write_atomic(path, text)
    return path


class _Dumper(yaml.SafeDumper):
    """Writes a value used twice in full: the config is read back without aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


_FIX = "Fix {name} or delete it; it is written again the next time module code is inserted."


def _read(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark is not None else 1
        raise Conflict(
            f"{path.name} is not valid YAML (line {line}: {exc.problem})", _FIX.format(name=path.name)
        ) from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise Conflict(f"{path.name} cannot be read: {exc}", _FIX.format(name=path.name)) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise Conflict(f"{path.name} is not a mapping", _FIX.format(name=path.name))
    return data
