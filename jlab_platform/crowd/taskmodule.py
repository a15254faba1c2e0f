"""The module of a task: where it is and which contract it follows. The server never runs it.

Two formats are accepted:

- ``platform``: a module of the Modules & Datasets library (``module_spec.yml``, ``train`` and
  ``predict`` taking a folder of class folders and a folder of images);
- ``seed``: the seed's crowdsourcing contract, unchanged: ``main.py`` with ``train``/``predict``
  (module functions, or the template's ``python main.py <train|predict> <task id>``) and a
  ``config.json`` with ``classes`` and ``task_type``; ``predict`` writes ``sample.pkl``.
"""

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import InvalidInput, NotFound
from ..modules.spec import SPEC_FILES, find_spec_file, load_spec
from ..paths import PathResolver
from .models import SeedModule

SEED = "seed"
PLATFORM = "platform"
MAIN_FILE = "main.py"
SEED_CONFIG = "config.json"
SEED_TASK_TYPES = ("classification",)

ModuleLookup = Callable[[str], Path]  # a library name -> its folder (NotFound when unknown)


@dataclass(frozen=True)
class TaskModule:
    ref: str  # what the task stores: a workspace path, or a library name
    folder: Path
    in_workspace: bool
    format: str
    name: str
    classes: tuple[str, ...]  # the classes the module declares (may be empty)


def resolve_module(ref: str, paths: PathResolver, lookup: ModuleLookup | None) -> TaskModule:
    if not isinstance(ref, str) or not ref.strip():
        raise InvalidInput("Missing 'module'", "Give a module folder in the workspace, or a module's name.")
    ref = ref.strip().rstrip("/")
    folder = paths.resolve(ref)
    if folder.is_dir():
        return _inspect(paths.relative(folder), folder, True)
    if lookup is None or "/" in ref:
        raise InvalidInput(f"Module folder {ref!r} does not exist", "Give the folder that holds main.py.")
    try:
        library_folder = lookup(ref)
    except NotFound as exc:
        raise InvalidInput(
            f"No module folder or library module called {ref!r}",
            "Give a workspace folder with main.py, or a name from the Modules & Datasets sidebar.",
        ) from exc
    return _inspect(ref, library_folder, paths.contains(library_folder.resolve()))


def _inspect(ref: str, folder: Path, in_workspace: bool) -> TaskModule:
    if not (folder / MAIN_FILE).is_file():
        raise InvalidInput(
            f"Module {ref!r} has no main.py", "A module is a folder with main.py defining train and predict."
        )
    seed_classes = _seed_classes(folder)
    if seed_classes is not None:
        return TaskModule(ref, folder, in_workspace, SEED, folder.name, seed_classes)
    spec_file = find_spec_file(folder)
    if spec_file is None:
        raise InvalidInput(
            f"Module {ref!r} has neither module_spec.yml nor a crowdsourcing config.json",
            f'Add a spec ({", ".join(SPEC_FILES[:2])}), or config.json with "classes" and "task_type".',
        )
    spec, problems = load_spec(spec_file, folder.name)
    if spec is None:
        listed = "; ".join(str(problem) for problem in problems[:5])
        raise InvalidInput(f"The spec of module {ref!r} has errors", listed)
    missing = [action for action in ("train", "predict") if action not in spec.actions]
    if missing:
        raise InvalidInput(
            f"Module {ref!r} has no {' and no '.join(missing)}",
            "Labeling retrains the module on the labels (train) and scores samples with it (predict).",
        )
    return TaskModule(ref, folder, in_workspace, PLATFORM, spec.name, tuple(spec.classes))


def seed_folders(paths: PathResolver, depth: int = 4, max_folders: int = 5000) -> list[SeedModule]:
    """The workspace's folders in the seed's format (``main.py`` and a crowdsourcing ``config.json``).

    What the new-task dialog offers beside the library's modules. Hidden and ``_`` folders are
    passed over and links are not followed; the walk stops at ``depth`` levels below the root and
    after ``max_folders`` folders, so a workspace of large datasets answers quickly.
    """
    found: list[SeedModule] = []
    level, visited = [str(paths.root)], 0
    for _ in range(depth + 1):
        below: list[str] = []
        for folder in level:
            try:
                with os.scandir(folder) as entries:
                    names = {entry.name: entry for entry in entries}
            except OSError:
                continue
            if MAIN_FILE in names and SEED_CONFIG in names and folder != str(paths.root):
                try:
                    classes = _seed_classes(Path(folder))
                except InvalidInput:
                    classes = None
                if classes is not None:
                    found.append(SeedModule(path=paths.relative(Path(folder)), classes=list(classes)))
            for name, entry in sorted(names.items()):
                if name[0] not in "._" and entry.is_dir(follow_symlinks=False) and visited < max_folders:
                    visited += 1
                    below.append(entry.path)
        level = below
    return sorted(found, key=lambda module: module.path)


def _seed_classes(folder: Path) -> tuple[str, ...] | None:
    """The classes of a seed-format ``config.json``; None when the folder is not in that format."""
    path = folder / SEED_CONFIG
    if not path.is_file():
        return None
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"{SEED_CONFIG} of the module is not valid JSON", str(exc)) from exc
    if not isinstance(config, dict) or "classes" not in config or "train" in config or "predict" in config:
        return None
    classes = config["classes"]
    if not isinstance(classes, list) or not all(isinstance(c, str) for c in classes):
        raise InvalidInput(f'"classes" in {SEED_CONFIG} must be a list of names', 'e.g. ["dog", "cat"]')
    task_type = config.get("task_type", "classification")
    if task_type not in SEED_TASK_TYPES:
        raise InvalidInput(
            f"task_type {task_type!r} in {SEED_CONFIG} is not supported",
            f"Labeling supports: {', '.join(SEED_TASK_TYPES)}.",
        )
    return tuple(classes)
