"""Change a workspace repository: one-click sync, conflict resolution, rollback.

Work is committed before anything is pulled, so a pull that stops on conflicts can always
be aborted back to it; nothing is ever force-pushed.
"""

import getpass
import os
from dataclasses import dataclass
from typing import Any

from ..errors import Conflict, InvalidInput, NotFound
from ..i18n import N_
from .models import Operation, RollbackResult, SyncResult, SyncState
from .repo import FileChange, Repository, Snapshot
from .runner import Git, GitResult, failure

FALLBACK_EMAIL = "jlab_platform@localhost"
CHOICES = ("mine", "theirs")
MAX_MESSAGE = 10_000
# During a rebase git's "ours" is the upstream and "theirs" is the commit being replayed.
_CHECKOUT_SIDE = {
    ("rebase", "mine"): "--theirs",
    ("rebase", "theirs"): "--ours",
    ("merge", "mine"): "--ours",
    ("merge", "theirs"): "--theirs",
}
_PUSH_RETRIES = 2


@dataclass(frozen=True)
class SyncOptions:
    max_file_bytes: int
    pull_rebase: bool


class Syncer:
    def __init__(self, repo: Repository, options: SyncOptions) -> None:
        self.repo = repo
        self.git: Git = repo.git
        self.options = options

    # -- sync ----------------------------------------------------------------

    def sync(self, message: str) -> SyncResult:
        snapshot = self.repo.snapshot()
        self._refuse_during_operation()
        _branch_of(snapshot)
        committed = False
        if snapshot.files:
            text = checked_message(message)
            self._refuse_large_files(snapshot.files)
            self.git.run("add", "--all", what=N_("Staging the changes"))
            committed = self._commit(text)
        return self._update(snapshot, committed)

    def _update(self, snapshot: Snapshot, committed: bool) -> SyncResult:
        branch = _branch_of(snapshot)
        remote, remote_branch = self._upstream_of(snapshot, branch)
        if remote is None:
            return self._result("synced", committed=committed)
        # No upstream yet, or one the remote does not have (a clone of an empty repository):
        # take the remote's branch when someone pushed it meanwhile, else create it.
        if not snapshot.upstream_present and not self._track(remote, remote_branch):
            if self.repo.head() is None:  # no commit here nor there: nothing to push yet
                return self._result("synced", remote=remote)
            pushed = self._push(remote, remote_branch, "--set-upstream")
            if pushed.ok:
                return self._result("synced", committed=committed, pushed=True, remote=remote)
            self._track(remote, remote_branch)  # rejected: it was created since the fetch
        for _ in range(_PUSH_RETRIES):
            conflicts = self._pull()
            if conflicts:
                return self._result(
                    "conflicts", committed=committed, pulled=True, remote=remote, conflicts=conflicts
                )
            pushed = self._push(remote, remote_branch)
            if pushed.ok:
                return self._result("synced", committed=committed, pulled=True, pushed=True, remote=remote)
        raise Conflict(
            "The remote changed again while syncing", "Someone pushed at the same moment; sync again."
        )

    def _upstream_of(self, snapshot: Snapshot, branch: str) -> tuple[str | None, str]:
        """The remote and its branch to sync with: the configured upstream, else the only
        (or ``origin``) remote and a branch of this branch's name."""
        if snapshot.upstream is None:
            return self._default_remote(), branch
        remote = self.git.run("config", "--get", f"branch.{branch}.remote", check=False).text.strip()
        merge = self.git.run("config", "--get", f"branch.{branch}.merge", check=False).text.strip()
        return remote or None, merge.removeprefix("refs/heads/") or branch

    def _push(self, remote: str, remote_branch: str, *options: str) -> GitResult:
        """Push HEAD to ``remote_branch`` (named: it may differ from the local branch's name);
        a rejection comes back to be retried after a pull, any other failure raises."""
        pushed = self.git.run("push", *options, remote, f"HEAD:refs/heads/{remote_branch}", check=False)
        if not pushed.ok and not _rejected(pushed):
            raise failure(pushed, "Push")
        return pushed

    def _default_remote(self) -> str | None:
        remotes = list(self.repo.remotes())
        if not remotes:
            return None
        if "origin" in remotes or len(remotes) == 1:
            return "origin" if "origin" in remotes else remotes[0]
        raise Conflict(
            f"The branch tracks no remote and there are several ({', '.join(remotes)})",
            "Choose one in a terminal: git branch --set-upstream-to <remote>/<branch>.",
        )

    def _track(self, remote: str, remote_branch: str) -> bool:
        """Make the branch track ``remote``'s ``remote_branch`` when the remote has it."""
        self.git.run("fetch", "--quiet", remote, what=N_("Fetch"))
        ref = f"refs/remotes/{remote}/{remote_branch}"
        if not self.git.run("rev-parse", "--verify", "--quiet", ref, check=False).ok:
            return False
        if self.repo.head() is None:  # nothing local yet: take the remote's branch as it is
            self.git.run("merge", "--ff-only", "--quiet", ref, what=N_("Taking the remote branch"))
        self.git.run("branch", "--quiet", f"--set-upstream-to={remote}/{remote_branch}")
        return True

    def _pull(self) -> list[str]:
        """Pull from the upstream; the files in conflict when it stops on them, else none."""
        mode = "--rebase" if self.options.pull_rebase else "--no-rebase"
        pulled = self.git.run("pull", mode, "--no-edit", "--quiet", check=False, env=identity(self.git))
        if pulled.ok:
            return []
        conflicts = self._conflicts()
        if conflicts:
            return conflicts
        raise failure(pulled, "Pull")

    # -- conflicts -------------------------------------------------------------

    def resolve(self, path: str, choice: str) -> SyncResult:
        if choice not in CHOICES:
            raise InvalidInput(
                f"Unknown choice {choice!r}", "Use 'mine' (keep mine) or 'theirs' (take theirs)."
            )
        operation = self._require_operation()
        conflicts = self._conflicts()
        if path not in conflicts:
            listed = ", ".join(conflicts) or "none"
            raise InvalidInput(f"{path!r} is not in conflict", f"Files in conflict: {listed}.")
        taken = self.git.run("checkout", _CHECKOUT_SIDE[operation, choice], "--", path, check=False)
        if taken.ok:
            self.git.run("add", "--", path)
        else:  # that side deleted the file: keeping that side means deleting it
            self.git.run("rm", "--quiet", "--", path)
        if len(conflicts) > 1:
            return self._result("conflicts", conflicts=self._conflicts())
        return self._continue(operation)

    def _continue(self, operation: Operation) -> SyncResult:
        command = ("rebase", "--continue") if operation == "rebase" else ("commit", "--no-edit", "--quiet")
        done = self.git.run(*command, check=False, env=identity(self.git))
        if not done.ok:
            conflicts = self._conflicts()
            if conflicts:  # the next replayed commit conflicts too
                return self._result("conflicts", conflicts=conflicts)
            raise failure(done, f"Finishing the {operation}")
        return self._update(self.repo.snapshot(), committed=False)

    def abort(self) -> SyncResult:
        operation = self._require_operation()
        self.git.run(operation, "--abort", what=f"Aborting the {operation}")
        return self._result("aborted")

    def _require_operation(self) -> Operation:
        operation = self.repo.operation()
        if operation is None:
            raise Conflict("No sync is waiting for conflicts to be resolved", "Sync again to update.")
        return operation

    def _refuse_during_operation(self) -> None:
        operation = self.repo.operation()
        if operation is not None:
            conflicts = ", ".join(self._conflicts()) or "none left"
            raise Conflict(
                f"A {operation} is waiting for conflicts to be resolved (files: {conflicts})",
                "Choose 'keep mine' or 'take theirs' for each file, or abort the sync.",
            )

    def _conflicts(self) -> list[str]:
        found = self.git.run("diff", "--name-only", "--diff-filter=U", "-z", check=False)
        return [path for path in found.stdout.decode("utf-8", "surrogateescape").split("\0") if path]

    # -- rollback --------------------------------------------------------------

    def rollback(self, commit: str, path: str | None, message: str | None) -> RollbackResult:
        self._refuse_during_operation()
        target = self.repo.verify(commit)
        snapshot = self.repo.snapshot()
        dirty = [f.path for f in snapshot.files if path is None or _under(f.path, path)]
        if dirty:
            raise Conflict(
                f"Uncommitted changes would be overwritten: {', '.join(dirty[:10])}",
                "Sync them first: a rollback then keeps them in the history.",
            )
        restored = self.git.run(
            "restore", f"--source={target}", "--staged", "--worktree", "--", path or ".", check=False
        )
        if not restored.ok:
            if "did not match" in restored.stderr:
                raise NotFound(f"{path!r} is not in commit {target[:8]}", "Pick a file the commit has.")
            raise failure(restored, "Restoring the files")
        if self.git.run("diff", "--cached", "--quiet", check=False).ok:
            raise Conflict(
                f"Nothing to roll back: {path or 'the workspace'} already matches {target[:8]}",
                "Pick an older commit.",
            )
        subject = self.git.run("log", "-1", "--format=%s", target).text.strip()
        what = path or "the workspace"
        self._commit(message or f"Roll back {what} to {target[:8]} ({subject})")
        return RollbackResult(state="rolled_back", commit=self.repo.head(), target=target, path=path)

    # -- shared ----------------------------------------------------------------

    def _commit(self, message: str) -> bool:
        done = self.git.run(
            "commit", "--quiet", "--no-edit", "-m", message, check=False, env=identity(self.git)
        )
        if done.ok:
            return True
        if "nothing to commit" in done.text + done.stderr:
            return False
        raise failure(done, "Commit")

    def _refuse_large_files(self, files: list[FileChange]) -> None:
        limit = self.options.max_file_bytes
        large = []
        for change in files:
            if change.conflicted:
                continue
            try:
                size = (self.git.root / change.path).lstat().st_size
            except OSError:
                continue  # deleted: nothing to upload
            if size > limit:
                large.append(f"{change.path} ({human_size(size)})")
        if large:
            raise Conflict(
                f"Files over the {human_size(limit)} limit were not committed: {', '.join(large)}",
                "Add them to .gitignore (or move them under results/), or raise "
                "c.JlabPlatform.git_max_file_mb. Nothing was committed.",
            )

    def _result(
        self,
        state: SyncState,
        *,
        committed: bool = False,
        pulled: bool = False,
        pushed: bool = False,
        remote: str | None = None,
        conflicts: list[str] | None = None,
    ) -> SyncResult:
        return SyncResult(
            state=state,
            commit=self.repo.head(),
            committed=committed,
            pulled=pulled,
            pushed=pushed,
            remote=remote,
            conflicts=conflicts or [],
            operation=self.repo.operation() if state == "conflicts" else None,
        )


def checked_message(message: Any) -> str:
    if not isinstance(message, str) or not message.strip():
        raise InvalidInput("A commit message is needed", "Say in a few words what changed, e.g. 'Tune lr'.")
    if len(message) > MAX_MESSAGE or "\0" in message:
        raise InvalidInput("The commit message is too long", f"Keep it under {MAX_MESSAGE} characters.")
    return message.strip()


def identity(git: Git) -> dict[str, str]:
    """Author and committer for the server's user when git has none configured."""
    configured = git.run("config", "--get-regexp", r"^user\.(name|email)$", check=False).text
    keys = {line.split(" ", 1)[0] for line in configured.splitlines()}
    env: dict[str, str] = {}
    if "user.name" not in keys:
        name = _user_name()
        env |= {"GIT_AUTHOR_NAME": name, "GIT_COMMITTER_NAME": name}
    if "user.email" not in keys:
        env |= {"GIT_AUTHOR_EMAIL": FALLBACK_EMAIL, "GIT_COMMITTER_EMAIL": FALLBACK_EMAIL}
    # An identity the server was started with (GIT_AUTHOR_NAME=...) stays as it is.
    return {key: value for key, value in env.items() if key not in os.environ}


def human_size(size: float) -> str:
    for unit in ("bytes", "KB", "MB"):
        if size < 1000:
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} GB"


def _user_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "jlab_platform"


def _branch_of(snapshot: Snapshot) -> str:
    if snapshot.branch is None:
        raise Conflict(
            "The workspace is not on a branch (detached HEAD)",
            "Check out a branch in a terminal (git switch <branch>), then sync again.",
        )
    return snapshot.branch


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


# The remote moved since the fetch: before our push began, or while it ran (the ref was
# updated between the remote's advertisement and our update of it).
_REJECTED_MARKERS = ("[rejected]", "non-fast-forward", "fetch first", "cannot lock ref")


def _rejected(push: GitResult) -> bool:
    return any(marker in push.stderr for marker in _REJECTED_MARKERS)
