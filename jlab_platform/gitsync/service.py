"""GitService: the workspace repository's sync, history and rollback, as the handlers call them.

Every change to one repository holds that repository's lock, so two syncs (from two
browser tabs, or a tab and a kernel) run one after the other, never interleaved.
"""

import threading
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InvalidInput
from ..i18n import N_
from ..paths import PathResolver
from ..settings import option_default
from ..vcs import current_commit
from .models import Diff, GitLog, GitStatus, RollbackResult, SyncResult
from .repo import Repository
from .runner import Git
from .sync import Syncer, SyncOptions
from .workspace import Workspace

MAX_LOG = 500

_locks: dict[Path, threading.Lock] = {}
_locks_guard = threading.Lock()


def repository_lock(root: Path) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(root.resolve(), threading.Lock())


@dataclass(frozen=True)
class GitSettings:
    max_file_mb: float = option_default("git_max_file_mb")
    pull_rebase: bool = option_default("git_pull_rebase")
    timeout_seconds: float = option_default("git_timeout_seconds")
    # Folders under the root kept out of git (the platform's data and results folders).
    ignored_folders: list[Path] = field(default_factory=list)


class GitService:
    def __init__(self, paths: PathResolver, settings: GitSettings) -> None:
        self.paths = paths
        self.settings = settings
        self.root = paths.root
        self.repo = Repository(Git(self.root, settings.timeout_seconds))
        self._syncer = Syncer(
            self.repo,
            SyncOptions(max_file_bytes=int(settings.max_file_mb * 1e6), pull_rebase=settings.pull_rebase),
        )
        self._workspace = Workspace(self.repo, settings.ignored_folders)
        self._lock = repository_lock(self.root)

    # -- reading ----------------------------------------------------------------

    def status(self, fetch: bool = False) -> GitStatus:
        if fetch and self.repo.exists() and self.repo.remotes():
            with self._lock:
                self.repo.git.run("fetch", "--quiet", "--all", what=N_("Fetch"))
        return self.repo.status(self.settings.max_file_mb)

    def log(self, limit: int = 20, path: str | None = None, skip: int = 0) -> GitLog:
        if not 1 <= limit <= MAX_LOG or skip < 0:
            raise InvalidInput(f"limit must be 1..{MAX_LOG} and skip at least 0", f"Got {limit}, {skip}.")
        if not self.repo.exists():
            return GitLog(repository=False, head=None, commits=[])
        commits = self.repo.log(limit, self._relative(path) if path else None, skip)
        return GitLog(repository=True, head=self.repo.head(), commits=commits)

    def diff(self, path: str, commit: str | None = None) -> Diff:
        return self.repo.diff(self._relative(path), commit or None)

    def current_commit(self) -> str | None:
        """HEAD's commit, recorded by jobs, deployments and published models; None without one."""
        return current_commit(self.root)

    # -- changing ----------------------------------------------------------------

    def init(self) -> GitStatus:
        with self._lock:
            self._workspace.init()
        return self.status()

    def clone(self, url: str) -> GitStatus:
        with self._lock:
            self._workspace.clone(url)
        return self.status()

    def sync(self, message: str) -> SyncResult:
        with self._lock:
            return self._syncer.sync(message)

    def resolve(self, path: str, choice: str) -> SyncResult:
        relative = self._relative(path)
        with self._lock:
            return self._syncer.resolve(relative, choice)

    def abort(self) -> SyncResult:
        with self._lock:
            return self._syncer.abort()

    def rollback(self, commit: str, path: str | None = None, message: str | None = None) -> RollbackResult:
        relative = self._relative(path) if path else None
        if message is not None and not isinstance(message, str):
            raise InvalidInput("'message' must be a string", "Leave it out for the default message.")
        with self._lock:
            return self._syncer.rollback(commit, relative, message.strip() if message else None)

    def _relative(self, path: str) -> str:
        relative = self.paths.relative(self.paths.resolve(path))
        if not relative:
            raise InvalidInput("A file path is needed", "Give the path of a file relative to the root.")
        return relative
