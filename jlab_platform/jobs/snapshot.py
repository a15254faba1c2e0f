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
import stat
import subprocess
from collections.abc import Iterable
from pathlib import Path

from ..errors import Conflict
from ..files.atomic import replace_durably

# Never copied: the shared results, git metadata, environments, caches.
ALWAYS_EXCLUDED = (".git", ".venv", "venv", "node_modules", "__pycache__", ".ipynb_checkpoints", ".jobignore")
JOBIGNORE = ".jobignore"
# cp's message (LC_ALL=C) for an entry deleted after it was listed: "cannot stat", "cannot
# open ... for reading", "cannot access" ending in ENOENT's text. Paths are quoted '...'.
_VANISHED = re.compile(
    r"^cp: cannot (?:stat|open|access) '(.+)'(?: for reading)?: No such file or directory$"
)


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


def take_snapshot(root: Path, target: Path, rules: ExcludeRules) -> list[str]:
    """Copy ``root`` into the new folder ``target``, leaving out what ``rules`` exclude.

    The copy is made under a temporary name and renamed at the end, so a
    half-made snapshot never looks like a finished one. The workspace may change
    while it is copied: files and folders deleted meanwhile are skipped, and their
    paths (relative to ``root``) returned.
    """
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    vanished: list[str] = []
    try:
        _copy_folder(root, partial, "", rules, vanished)
        replace_durably(partial, target)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return vanished


def _copy_folder(source: Path, dest: Path, rel: str, rules: ExcludeRules, vanished: list[str]) -> None:
    whole: list[str] = []
    try:
        entries = list(os.scandir(source))
    except FileNotFoundError:
        vanished.append(rel or ".")
        return
    for entry in entries:
        entry_rel = f"{rel}/{entry.name}" if rel else entry.name
        is_dir = entry.is_dir(follow_symlinks=False)
        if rules.excludes(entry_rel, is_dir):
            continue
        if is_dir and _has_excluded_inside(Path(entry.path), entry_rel, rules):
            (dest / entry.name).mkdir()
            _copy_folder(Path(entry.path), dest / entry.name, entry_rel, rules, vanished)
        else:
            whole.append(entry.path)
    if whole:
        _copy_whole(whole, dest, source, rel, vanished)


def _copy_whole(paths: list[str], dest: Path, source: Path, rel: str, vanished: list[str]) -> None:
    """``cp -a`` entries of ``source`` into ``dest``; those deleted meanwhile go to ``vanished``."""
    # -a keeps symlinks as links (never follows them out of the workspace)
    # and modes/times; reflink makes it a cheap clone where the FS can.
    done = subprocess.run(
        ["cp", "-a", "--reflink=auto", "--", *paths, str(dest)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "LC_ALL": "C"},  # messages in one language, to tell "gone" from the rest
        check=False,
    )
    if done.returncode == 0:
        return
    problems = done.stderr.decode("utf-8", "replace").splitlines()
    gone = [_VANISHED.match(line) for line in problems]
    if not problems or not all(gone):
        raise Conflict(
            "The workspace could not be copied for the job's snapshot",
            "\n".join(problems[-5:]) + "\nFix the file's permissions, or list it in .jobignore.",
        )
    prefix = str(source) + os.sep
    for match in gone:
        assert match is not None
        path = match.group(1)
        inside = path[len(prefix) :] if path.startswith(prefix) else path
        vanished.append(f"{rel}/{inside}" if rel else inside)


def folder_bytes(folder: Path) -> int:
    """The size of the files in ``folder`` (links are not followed or counted)."""
    total = 0
    for dirpath, _dirnames, filenames in os.walk(folder):
        for name in filenames:
            try:
                info = os.lstat(os.path.join(dirpath, name))
            except FileNotFoundError:
                continue
            if stat.S_ISREG(info.st_mode):
                total += info.st_size
    return total


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
