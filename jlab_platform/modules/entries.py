"""What the catalog knows about one module or dataset folder, and how it is shown over the API."""

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .documents import Problem
from .models import Dataset, DatasetSummary, Module, ModuleSummary
from .spec import ModuleSpec

# (folder mtime, ((file, mtime, size), ...)); () for a folder that is gone.
Stamp = tuple[()] | tuple[int, tuple[tuple[str, int, int], ...]]

README = "README.md"
REQUIREMENTS = "requirements.txt"
CHECKPOINT_DIR = "checkpoint"


@dataclass(frozen=True)
class Origin:
    """Where a folder was found: its search path's kind and, inside the workspace, its API path."""

    source: str  # "workspace", "shared", "builtin" or "package:<distribution>"
    workspace_path: str | None


@dataclass
class ModuleEntry:
    name: str
    folder: Path
    origin: Origin
    spec: ModuleSpec | None
    errors: list[Problem]
    warnings: list[Problem]
    shadowed: list[str] = field(default_factory=list)
    _summary: ModuleSummary | None = None

    @classmethod
    def broken(cls, folder: Path, origin: Origin, problem: Problem) -> "ModuleEntry":
        return cls(folder.name, folder, origin, None, [problem], [])

    @property
    def valid(self) -> bool:
        return self.spec is not None and not self.errors

    def set_shadowed(self, sources: list[str]) -> None:
        """The sources of same-named modules this one hides (a workspace copy of a built-in, say)."""
        if sources != self.shadowed:
            self.shadowed = sources
            self._summary = None

    def summary(self, favorite: bool = False) -> ModuleSummary:
        if self._summary is None:
            spec = self.spec
            self._summary = ModuleSummary(
                kind="module",
                name=self.name,
                title=(spec.title if spec else "") or self.name,
                description=spec.description if spec else "",
                version=spec.version if spec else None,
                task=spec.task if spec else "",
                framework=spec.framework if spec else "",
                tags=list(spec.tags) if spec else [],
                actions=list(spec.actions) if spec and self.valid else [],
                source=self.origin.source,
                path=self.origin.workspace_path,
                valid=self.valid,
                errors=[problem.to_model() for problem in self.errors],
                warnings=[problem.to_model() for problem in self.warnings],
                shadowed=list(self.shadowed),
                favorite=False,
            )
        # A copy: the cached summary is shared by every user's listing.
        return self._summary.model_copy(update={"favorite": favorite})

    def detail(self, favorite: bool, results: str) -> Module:
        """The module as ``GET /modules/<name>`` shows it; ``results``: where its runs are written."""
        return Module(
            **dict(self.summary(favorite)),
            dir=str(self.folder),
            readme=read_readme(self.folder),
            spec=self.spec.to_model() if self.spec is not None else None,
            requirements=read_requirements(self.folder),
            checkpoint=(self.folder / CHECKPOINT_DIR).is_dir(),
            results=results,
        )


@dataclass
class DatasetEntry:
    name: str
    folder: Path
    origin: Origin
    metadata: dict[str, Any]
    errors: list[Problem]
    warnings: list[Problem]
    _summary: DatasetSummary | None = None

    @classmethod
    def broken(cls, folder: Path, origin: Origin, problem: Problem) -> "DatasetEntry":
        return cls(folder.name, folder, origin, {}, [problem], [])

    def summary(self, favorite: bool = False) -> DatasetSummary:
        if self._summary is None:
            meta = self.metadata
            self._summary = DatasetSummary(
                kind="dataset",
                name=self.name,
                title=meta.get("title") or self.name,
                description=meta.get("description", ""),
                task=meta.get("task", ""),
                classes=list(meta.get("classes", [])),
                samples=meta.get("samples"),
                tags=list(meta.get("tags", [])),
                source=self.origin.source,
                path=self.origin.workspace_path,
                valid=not self.errors,
                errors=[problem.to_model() for problem in self.errors],
                warnings=[problem.to_model() for problem in self.warnings],
                favorite=False,
            )
        # A copy: the cached summary is shared by every user's listing.
        return self._summary.model_copy(update={"favorite": favorite})

    def detail(self, favorite: bool) -> Dataset:
        return Dataset(**dict(self.summary(favorite)), dir=str(self.folder), readme=read_readme(self.folder))


def read_readme(folder: Path) -> str:
    try:
        return (folder / README).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def read_requirements(folder: Path) -> list[str]:
    try:
        text = (folder / REQUIREMENTS).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line]


def signature(folder: str, relevant: Callable[[str], list[str]], previous: Stamp | None) -> Stamp:
    """What invalidates a cached entry: the folder's mtime and the mtime and size of its files.

    Adding, removing or renaming a file (atomic saves included) changes the folder's mtime;
    only then is the folder listed again, so an unchanged folder costs a few stats.
    """
    try:
        folder_mtime = os.stat(folder).st_mtime_ns
        names = [name for name, _, _ in previous[1]] if previous and previous[0] == folder_mtime else None
        if names is None:
            names = relevant(folder)
    except OSError:
        return ()
    files = []
    for name in names:
        try:
            stat = os.stat(f"{folder}/{name}")
        except OSError:
            continue
        files.append((name, stat.st_mtime_ns, stat.st_size))
    return (folder_mtime, tuple(files))
