"""Modules and datasets as the server offers them: catalog, favorites, code snippets."""

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import Conflict, InvalidInput, InvalidPath
from ..paths import PathResolver
from ..settings import option_default
from ..store import Store
from .catalog import Catalog
from .deployment import config_path, record_call
from .entries import ModuleEntry
from .favorites import Favorites, check_kind
from .literal import render_snippet
from .models import Dataset, DatasetList, Favorite, Module, ModuleList, Snippet
from .params import validate_params
from .spec import ActionSpec


@dataclass(frozen=True)
class ModuleSettings:
    module_paths: tuple[str, ...] = option_default("module_paths")
    dataset_paths: tuple[str, ...] = option_default("dataset_paths")
    builtin_modules: bool = option_default("builtin_modules")
    entry_points: bool = option_default("module_entry_points")
    # Whose favorites they are when the login gives no lasting user name (one key per server).
    owner: str = "server"


class ModuleService:
    def __init__(
        self, store: Store, paths: PathResolver, results_dir: Path, settings: ModuleSettings
    ) -> None:
        self.paths = paths
        self.results_dir = results_dir
        self.settings = settings
        self.catalog = Catalog(
            paths,
            settings.module_paths,
            settings.dataset_paths,
            builtin=settings.builtin_modules,
            entry_points=settings.entry_points,
        )
        self.favorites = Favorites(store)
        self._owner = settings.owner
        self._owner_lock = threading.Lock()
        self._owner_claimed = False

    @property
    def owner(self) -> str:
        """The server owner's favorites key; its first use takes over those of made-up user names."""
        with self._owner_lock:
            if not self._owner_claimed:
                self.favorites.claim_per_login(self._owner)
                self._owner_claimed = True
        return self._owner

    # -- listing ------------------------------------------------------------

    def list_modules(self, username: str) -> ModuleList:
        starred = self.favorites.names(username, "module")
        modules = [entry.summary(entry.name in starred) for entry in self.catalog.modules()]
        return ModuleList(modules=modules, total=len(modules))

    def get_module(self, name: str, username: str) -> Module:
        entry = self.catalog.module(name)
        results = self.results_dir / entry.name
        return entry.detail(
            favorite=name in self.favorites.names(username, "module"),
            results=self.paths.relative(results) if self.paths.contains(results) else str(results),
        )

    def list_datasets(self, username: str) -> DatasetList:
        starred = self.favorites.names(username, "dataset")
        datasets = [entry.summary(entry.name in starred) for entry in self.catalog.datasets()]
        return DatasetList(datasets=datasets, total=len(datasets))

    def get_dataset(self, name: str, username: str) -> Dataset:
        entry = self.catalog.dataset(name)
        return entry.detail(favorite=name in self.favorites.names(username, "dataset"))

    def set_favorite(self, username: str, kind: str, name: str, favorite: bool) -> Favorite:
        entry_kind = check_kind(kind)
        if favorite:
            # Only what exists can be starred; removing a star always works (even a vanished one's).
            (self.catalog.module if kind == "module" else self.catalog.dataset)(name)
        self.favorites.set(username, kind, name, favorite)
        return Favorite(kind=entry_kind, name=name, favorite=favorite)

    # -- code ---------------------------------------------------------------

    def snippet(
        self,
        name: str,
        action_name: str,
        params: Mapping[str, Any],
        notebook: str | None = None,
        base_dir: str | None = None,
        record: bool = False,
        script: bool = False,
    ) -> Snippet:
        """The code calling ``name.action_name(**params)``; paths are made relative to where it runs.

        It runs in the folder of ``notebook`` (or ``base_dir``, or the root). With ``record``,
        the call is also written to the notebook's deployment config; ``script`` prints the
        result, for a job script.
        """
        entry = self.catalog.module(name)
        action = _action(entry, action_name)
        notebook_path = self._notebook(notebook) if notebook else None
        base = notebook_path.parent if notebook_path else self._folder(base_dir or "")

        def check_path(value: str, kind: str) -> str:
            return self._relative_path(value, kind, base)

        values = validate_params(entry.name, action, params, check_path)
        arguments = {key: value for key, value in values.items() if value is not None}
        code = render_snippet(entry.name, action.name, arguments, script)
        config = None
        if record:
            if notebook_path is None:
                raise InvalidInput("Recording needs the notebook", "Send 'notebook' with 'record': true.")
            # Through the resolver: a link in place of the config must not lead outside the root.
            self.paths.resolve(self.paths.relative(config_path(notebook_path)))
            version = entry.spec.version if entry.spec else ""
            config = self.paths.relative(record_call(notebook_path, entry.name, version, action, values))
        return Snippet(code=code, module=entry.name, action=action.name, params=values, config=config)

    def refresh(self) -> None:
        self.catalog.refresh()

    # -- internals ----------------------------------------------------------

    def _notebook(self, notebook: str) -> Path:
        path = self.paths.resolve(notebook, must_exist=True)
        if not path.is_file() or path.suffix != ".ipynb":
            raise InvalidInput(f"{notebook!r} is not a notebook", "Give the path of an .ipynb file.")
        return path

    def _folder(self, folder: str) -> Path:
        path = self.paths.resolve(folder, must_exist=True)
        if not path.is_dir():
            raise InvalidInput(f"{folder!r} is not a folder", "Give the folder the code will run in.")
        return path

    def _relative_path(self, value: str, kind: str, base: Path) -> str:
        """A workspace path (root-relative, as the file browser shows it) as seen from ``base``."""
        try:
            real = self.paths.resolve(value, must_exist=True)
        except InvalidPath as exc:
            raise ValueError(f"{exc.message}. {exc.detail}") from None
        if kind == "image" and not real.is_file():
            raise ValueError(f"{value!r} is a folder, not an image file")
        return Path(os.path.relpath(real, base)).as_posix()


def _action(entry: ModuleEntry, action_name: str) -> ActionSpec:
    if entry.spec is None or entry.errors:
        problems = "; ".join(str(problem) for problem in entry.errors[:5])
        raise Conflict(f"Module {entry.name!r} has errors in its files", problems)
    action = entry.spec.actions.get(action_name)
    if action is None:
        raise InvalidInput(
            f"Module {entry.name!r} has no {action_name!r} action",
            f"Use one of: {', '.join(entry.spec.actions)}.",
        )
    return action
