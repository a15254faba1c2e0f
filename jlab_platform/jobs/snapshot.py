"""Snapshots: a job's own copy of the workspace, so later edits never change a running job.

Speed matters (a submission copies the whole workspace). Whole subtrees that
contain nothing to exclude are handed to ``cp -a`` in one call per target
folder, so the copy runs at ``cp -r`` speed; only folders that contain an
excluded entry are walked in Python.
"""

import fnmatch
import os
import re
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

# Never copied: the shared results, git metadata, environments, caches.
ALWAYS_EXCLUDED = (".git", ".venv", "venv", "node_modules", "__pycache__", ".ipynb_checkpoints", ".jobignore")
JOBIGNORE = ".jobignore"


class ExcludeRules:
    """Names and root-relative patterns (``.gitignore``-like subset) left out of a snapshot.

    ``name`` matches the entry's name anywhere, ``a/b*`` the path from the root,
    ``/name`` only at the root; a trailing ``/`` limits a pattern to folders.
    """

    def __init__(self, patterns: Iterable[str]) -> None:
        self.patterns = tuple(patterns)
        # One compiled regex per kind, checked once per entry (fnmatch per pattern
        # per file cost more than the copy of small files).
        kinds: dict[tuple[bool, bool], list[str]] = {}
        for pattern in self.patterns:
            dir_only = pattern.endswith("/")
            pat = pattern.rstrip("/")
            by_path = "/" in pat
            kinds.setdefault((dir_only, by_path), []).append(fnmatch.translate(pat.lstrip("/")))
        self._regexes = {kind: re.compile("|".join(parts)) for kind, parts in kinds.items()}

    @classmethod
    def for_workspace(cls, root: Path, extra_excluded: Iterable[Path]) -> "ExcludeRules":
        patterns = list(ALWAYS_EXCLUDED)
        for path in extra_excluded:
            try:
                patterns.append("/" + path.resolve().relative_to(root).as_posix())
            except ValueError:
                continue  # outside the workspace: nothing to exclude
        ignore_file = root / JOBIGNORE
        if ignore_file.is_file():
            for line in ignore_file.read_text(encoding="utf-8", errors="replace").splitlines():
                line = line.strip()
                if line and not line.startswith("#"):
                    patterns.append(line)
        return cls(patterns)

    def excludes(self, rel_path: str, is_dir: bool) -> bool:
        name = rel_path.rsplit("/", 1)[-1]
        for (dir_only, by_path), regex in self._regexes.items():
            if dir_only and not is_dir:
                continue
            if regex.match(rel_path if by_path else name):
                return True
        return False


def take_snapshot(root: Path, target: Path, rules: ExcludeRules) -> None:
    """Copy ``root`` into the new folder ``target``, leaving out what ``rules`` exclude.

    The copy is made under a temporary name and renamed at the end, so a
    half-made snapshot never looks like a finished one.
    """
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        _copy_folder(root, partial, "", rules)
        os.replace(partial, target)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def _copy_folder(source: Path, dest: Path, rel: str, rules: ExcludeRules) -> None:
    whole: list[str] = []
    for entry in os.scandir(source):
        entry_rel = f"{rel}/{entry.name}" if rel else entry.name
        is_dir = entry.is_dir(follow_symlinks=False)
        if rules.excludes(entry_rel, is_dir):
            continue
        if is_dir and _has_excluded_inside(Path(entry.path), entry_rel, rules):
            (dest / entry.name).mkdir()
            _copy_folder(Path(entry.path), dest / entry.name, entry_rel, rules)
        else:
            whole.append(entry.path)
    if whole:
        # -a keeps symlinks as links (never follows them out of the workspace)
        # and modes/times; reflink makes it a cheap clone where the FS can.
        subprocess.run(["cp", "-a", "--reflink=auto", "--", *whole, str(dest)], check=True)


def _has_excluded_inside(folder: Path, rel: str, rules: ExcludeRules) -> bool:
    for dirpath, dirnames, filenames in os.walk(folder):
        base = rel + dirpath[len(str(folder)) :].replace(os.sep, "/")
        for name in dirnames:
            if rules.excludes(f"{base}/{name}", True):
                return True
        for name in filenames:
            if rules.excludes(f"{base}/{name}", False):
                return True
    return False
