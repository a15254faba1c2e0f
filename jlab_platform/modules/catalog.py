"""Discovery: modules and datasets from the search paths, installed packages and the built-ins.

Each folder's parsed entry is cached with the modification times of its files, so listing
thousands of modules only stats files; an edited spec is read again on the next listing.
"""

import importlib.metadata
import logging
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

from ..errors import NotFound
from ..paths import PathResolver
from .datasets import dataset_files, load_dataset
from .documents import Problem
from .entries import README, DatasetEntry, ModuleEntry, Origin, Stamp, signature
from .mainfile import MAIN_FILE, check_main
from .spec import SPEC_FILES, find_spec_file, load_spec

ENTRY_POINT_GROUP = "jlab_platform.modules"
BUILTIN_DIR = Path(__file__).resolve().parent / "builtin"
_SPEC_OR_MAIN = frozenset((*SPEC_FILES, MAIN_FILE))

log = logging.getLogger(__name__)
Entry = TypeVar("Entry", ModuleEntry, DatasetEntry)


@dataclass(frozen=True)
class SearchPath:
    """A folder of module (or dataset) folders, or, for ``single``, one module folder itself."""

    path: Path
    source: str
    single: bool = False


class Catalog:
    def __init__(
        self,
        paths: PathResolver,
        module_paths: Sequence[str | Path],
        dataset_paths: Sequence[str | Path],
        builtin: bool = True,
        entry_points: bool = True,
    ) -> None:
        self.paths = paths
        self._module_paths = [self._search_path(p) for p in module_paths]
        self._dataset_paths = [self._search_path(p) for p in dataset_paths]
        self._builtin = [SearchPath(BUILTIN_DIR, "builtin")] if builtin else []
        self._use_entry_points = entry_points
        self._package_paths: list[SearchPath] | None = None
        self._lock = threading.Lock()
        self._module_cache: dict[str, tuple[Stamp, ModuleEntry]] = {}
        self._dataset_cache: dict[str, tuple[Stamp, DatasetEntry]] = {}

    # -- modules ------------------------------------------------------------

    def modules(self) -> list[ModuleEntry]:
        """Every module, first found wins by name (workspace, shared, packages, built-in)."""
        with self._lock:
            roots = [*self._module_paths, *self._packages(), *self._builtin]
            found = self._scan(
                roots, self._module_cache, _module_files, _is_module, _load_module, ModuleEntry.broken
            )
            return _first_by_name(found)

    def module(self, name: str) -> ModuleEntry:
        for entry in self.modules():
            if entry.name == name:
                return entry
        raise NotFound(
            f"No module named {name!r}", "List the modules to see the names; they come from the spec."
        )

    # -- datasets -----------------------------------------------------------

    def datasets(self) -> list[DatasetEntry]:
        with self._lock:
            found = self._scan(
                self._dataset_paths,
                self._dataset_cache,
                dataset_files,
                _is_dataset,
                load_dataset,
                DatasetEntry.broken,
            )
            return _first_by_name(found)

    def dataset(self, name: str) -> DatasetEntry:
        for entry in self.datasets():
            if entry.name == name:
                return entry
        raise NotFound(f"No dataset named {name!r}", "List the datasets to see the names.")

    def refresh(self) -> None:
        """Forget everything cached, installed packages included (after a pip install)."""
        with self._lock:
            self._package_paths = None
            self._module_cache.clear()
            self._dataset_cache.clear()

    # -- internals ----------------------------------------------------------

    def _search_path(self, configured: str | Path) -> SearchPath:
        path = Path(configured).expanduser()
        if path.is_absolute():
            return SearchPath(path, "shared")
        return SearchPath(self.paths.root / path, "workspace")

    def _scan(
        self,
        roots: list[SearchPath],
        cache: dict[str, tuple[Stamp, Entry]],
        relevant: Callable[[str], list[str]],
        accept: Callable[[Stamp], bool],
        load: Callable[[Path, Origin], Entry],
        broken: Callable[[Path, Origin, Problem], Entry],
    ) -> list[Entry]:
        found: list[Entry] = []
        seen: dict[str, tuple[Stamp, Entry]] = {}
        for root in roots:
            for folder in self._folders(root):
                cached = cache.get(folder)
                stamp = signature(folder, relevant, cached[0] if cached else None)
                if not accept(stamp):
                    continue
                if cached is None or cached[0] != stamp:
                    path = Path(folder)
                    origin = self._origin(root, path)
                    try:
                        entry = load(path, origin)
                    except Exception as exc:
                        # One folder that cannot be read is that entry's error, never the whole list's.
                        log.exception("jlab_platform: %s could not be loaded", folder)
                        entry = broken(path, origin, Problem(path.name, 1, f"could not be loaded: {exc!r}"))
                    cached = (stamp, entry)
                seen[folder] = cached
                found.append(cached[1])
        cache.clear()
        cache.update(seen)
        return found

    def _folders(self, root: SearchPath) -> list[str]:
        if root.single:
            return [str(root.path)]
        try:
            entries = sorted(os.scandir(root.path), key=lambda entry: entry.name)
        except OSError:
            return []
        folders = []
        for entry in entries:
            if entry.name[0] in "._" or not entry.is_dir():
                continue
            # A link in the workspace must not lead the catalog outside the root.
            if (
                root.source == "workspace"
                and entry.is_symlink()
                and not self.paths.contains(Path(entry.path).resolve())
            ):
                continue
            folders.append(entry.path)
        return folders

    def _origin(self, root: SearchPath, folder: Path) -> Origin:
        if root.source != "workspace":
            return Origin(root.source, None)
        real = folder.resolve()
        return Origin("workspace", self.paths.relative(real) if self.paths.contains(real) else None)

    def _packages(self) -> list[SearchPath]:
        if not self._use_entry_points:
            return []
        if self._package_paths is None:
            self._package_paths = list(_entry_point_folders())
        return self._package_paths


def _module_files(folder: str) -> list[str]:
    return [name for name in os.listdir(folder) if name in _SPEC_OR_MAIN]


def _is_module(stamp: Stamp) -> bool:
    return bool(stamp and stamp[1])


def _is_dataset(stamp: Stamp) -> bool:
    return bool(stamp)


def _load_module(folder: Path, origin: Origin) -> ModuleEntry:
    errors: list[Problem] = []
    warnings: list[Problem] = []
    spec_path = find_spec_file(folder)
    spec = None
    if spec_path is None:
        errors.append(Problem(SPEC_FILES[0], 1, "missing: declare the module's inputs and outputs here"))
    else:
        spec, problems = load_spec(spec_path, folder.name)
        errors.extend(problems)
        others = [name for name in SPEC_FILES if name != spec_path.name and (folder / name).is_file()]
        if others:
            warnings.append(Problem(others[0], 1, f"ignored: {spec_path.name} is the spec that is used"))
    if spec is not None:
        errors.extend(check_main(folder, spec))
    if not (folder / README).is_file():
        warnings.append(Problem(README, 1, "missing: explain what the module does and how to use it"))
    return ModuleEntry(
        name=spec.name if spec is not None else folder.name,
        folder=folder,
        origin=origin,
        spec=spec,
        errors=errors,
        warnings=warnings,
    )


def _first_by_name(found: list[Entry]) -> list[Entry]:
    winners: dict[str, Entry] = {}
    shadowed: dict[str, list[str]] = {}
    for entry in found:
        if entry.name in winners:
            shadowed.setdefault(entry.name, []).append(entry.origin.source)
        else:
            winners[entry.name] = entry
    for name, winner in winners.items():
        if isinstance(winner, ModuleEntry):
            winner.set_shadowed(shadowed.get(name, []))
    return list(winners.values())


def _entry_point_folders() -> Iterable[SearchPath]:
    """Module folders declared by installed packages in the ``jlab_platform.modules`` group.

    An entry point names a Python package (its folder is the module), a path, or a callable
    returning a path or a list of paths.
    """
    for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        source = f"package:{entry_point.dist.name if entry_point.dist else entry_point.name}"
        try:
            for folder in _folders_of(entry_point.load()):
                yield SearchPath(folder, source, single=True)
        except Exception:
            log.exception(
                "jlab_platform: entry point %s = %s failed to load", entry_point.name, entry_point.value
            )


def _folders_of(target: Any) -> list[Path]:
    if isinstance(target, ModuleType):
        return [Path(str(target.__file__)).resolve().parent]
    if callable(target):
        target = target()
    if isinstance(target, str | os.PathLike):
        return [Path(target)]
    return [Path(item) for item in target]
