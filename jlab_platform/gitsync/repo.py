"""Read a workspace repository: status, history and diffs (nothing here changes it)."""

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Conflict, InvalidInput, NotFound
from .models import ChangedFile, Commit, CommitFile, Diff, GitStatus, Operation
from .runner import Git, GitResult

MAX_LISTED_FILES = 5000
MAX_FILES_PER_COMMIT = 200
MAX_DIFF_BYTES = 2 * 1024 * 1024
_REVISION = re.compile(r"^[\w./~^@{}-]{1,200}$")
_OPERATION_MARKERS: tuple[tuple[str, Operation], ...] = (
    ("rebase-merge", "rebase"),
    ("rebase-apply", "rebase"),
    ("MERGE_HEAD", "merge"),
)
_LOG_FORMAT = "%x1e%H%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f%s"


@dataclass
class FileChange:
    path: str
    staged: str | None = None  # the index letter (M, A, D, R, C, T) or None
    unstaged: str | None = None  # the working tree letter or None
    untracked: bool = False
    conflicted: bool = False
    source: str | None = None  # where a renamed or copied file came from

    def to_model(self) -> ChangedFile:
        return ChangedFile(
            path=self.path,
            staged=self.staged,
            unstaged=self.unstaged,
            untracked=self.untracked,
            conflicted=self.conflicted,
            source=self.source,
        )


@dataclass
class Snapshot:
    """One ``git status``: the branch, its upstream and every changed file."""

    head: str | None = None
    branch: str | None = None
    upstream: str | None = None
    # False when the upstream's branch is not here (not fetched yet, or not on the remote yet:
    # a clone of an empty repository); git then reports no ahead/behind.
    upstream_present: bool = False
    ahead: int = 0
    behind: int = 0
    files: list[FileChange] = field(default_factory=list)

    @property
    def conflicts(self) -> list[str]:
        return [f.path for f in self.files if f.conflicted]


def parse_status(raw: bytes) -> Snapshot:
    """Parse ``git status --porcelain=v2 -z --branch``."""
    snapshot = Snapshot()
    entries = raw.decode("utf-8", "surrogateescape").split("\0")
    index = 0
    while index < len(entries):
        entry = entries[index]
        index += 1
        if entry.startswith("# "):
            _parse_header(snapshot, entry[2:])
        elif entry.startswith("1 "):
            fields = entry.split(" ", 8)
            snapshot.files.append(_change(fields[8], fields[1]))
        elif entry.startswith("2 "):
            fields = entry.split(" ", 9)
            change = _change(fields[9], fields[1])
            change.source = entries[index]
            index += 1
            snapshot.files.append(change)
        elif entry.startswith("u "):
            snapshot.files.append(FileChange(entry.split(" ", 10)[10], conflicted=True))
        elif entry.startswith("? "):
            snapshot.files.append(FileChange(entry[2:], untracked=True))
    return snapshot


def _parse_header(snapshot: Snapshot, header: str) -> None:
    key, _, value = header.partition(" ")
    if key == "branch.oid":
        snapshot.head = None if value == "(initial)" else value
    elif key == "branch.head":
        snapshot.branch = None if value == "(detached)" else value
    elif key == "branch.upstream":
        snapshot.upstream = value
    elif key == "branch.ab":
        ahead, behind = value.split()
        snapshot.ahead, snapshot.behind = int(ahead), -int(behind)
        snapshot.upstream_present = True


def _change(path: str, xy: str) -> FileChange:
    return FileChange(path, staged=None if xy[0] == "." else xy[0], unstaged=None if xy[1] == "." else xy[1])


class Repository:
    """The repository at the workspace root, read through ``git``."""

    def __init__(self, git: Git) -> None:
        self.git = git
        self.root = git.root

    def exists(self) -> bool:
        return (self.root / ".git").exists()

    def require(self) -> None:
        if not self.exists():
            raise Conflict(
                "The workspace is not a git repository",
                "Initialise one (Init) or clone a repository into the workspace (Clone) first.",
            )

    def snapshot(self) -> Snapshot:
        self.require()
        result = self.git.run(
            "--no-optional-locks", "status", "--porcelain=v2", "-z", "--branch", "--untracked-files=all"
        )
        return parse_status(result.stdout)

    def operation(self) -> Operation | None:
        """``rebase`` or ``merge`` while one waits for conflicts to be resolved, else None."""
        git_dir = self.git_dir()
        for marker, name in _OPERATION_MARKERS:
            if (git_dir / marker).exists():
                return name
        return None

    def git_dir(self) -> Path:
        dot_git = self.root / ".git"
        if dot_git.is_file():  # a linked worktree or submodule: "gitdir: <path>"
            target = dot_git.read_text().partition("gitdir:")[2].strip()
            return (self.root / target).resolve()
        return dot_git

    def rebasing_branch(self) -> str | None:
        head_name = self.git_dir() / "rebase-merge" / "head-name"
        if not head_name.exists():
            head_name = self.git_dir() / "rebase-apply" / "head-name"
        try:
            return head_name.read_text().strip().removeprefix("refs/heads/") or None
        except OSError:
            return None

    def remotes(self) -> dict[str, str]:
        result = self.git.run("config", "--get-regexp", r"^remote\..*\.url$", check=False)
        found = {}
        for line in result.text.splitlines():
            key, _, url = line.partition(" ")
            found[key.removeprefix("remote.").removesuffix(".url")] = url
        return found

    def status(self, max_file_mb: float) -> GitStatus:
        if not self.exists():
            return GitStatus(repository=False, max_file_mb=max_file_mb)
        snapshot = self.snapshot()
        operation = self.operation()
        remotes = self.remotes()
        remote = snapshot.upstream.split("/", 1)[0] if snapshot.upstream else next(iter(remotes), None)
        files = snapshot.files
        return GitStatus(
            repository=True,
            branch=self.rebasing_branch() if operation == "rebase" else snapshot.branch,
            head=snapshot.head,
            upstream=snapshot.upstream if snapshot.upstream_present else None,
            remote=remote,
            remote_url=public_url(remotes[remote]) if remote in remotes else None,
            ahead=snapshot.ahead,
            behind=snapshot.behind,
            operation=operation,
            conflicts=snapshot.conflicts,
            changed=len(files),
            files=[f.to_model() for f in files[:MAX_LISTED_FILES]],
            files_truncated=len(files) > MAX_LISTED_FILES,
            max_file_mb=max_file_mb,
        )

    def verify(self, revision: str) -> str:
        """The full id of the commit ``revision`` names; NotFound when there is none."""
        if not isinstance(revision, str) or not _REVISION.match(revision) or revision.startswith("-"):
            raise InvalidInput(
                f"{revision!r} is not a commit", "Give a commit id (as the history lists it) or HEAD~N."
            )
        self.require()
        found = self.git.run(
            "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}", check=False
        )
        if not found.ok:
            raise NotFound(f"No commit {revision!r} in this repository", "Pick a commit from the history.")
        return found.text.strip()

    def head(self) -> str | None:
        found = self.git.run("rev-parse", "--verify", "--quiet", "HEAD", check=False)
        return found.text.strip() if found.ok else None  # None before the first commit

    def log(self, limit: int, path: str | None = None, skip: int = 0) -> list[Commit]:
        if self.head() is None:
            return []
        args = ["log", "-z", "--name-status", f"--format={_LOG_FORMAT}", f"-n{limit}", f"--skip={skip}"]
        result = self.git.run(*args, "--", *([path] if path else []))
        return [parse_commit(chunk) for chunk in result.stdout.decode("utf-8", "replace").split("\x1e")[1:]]

    def diff(self, path: str, commit: str | None) -> Diff:
        """What ``commit`` changed in ``path``, or the uncommitted change to it when no commit."""
        if commit:
            sha = self.verify(commit)
            result = self.git.run("show", "--format=", "--no-color", "--no-ext-diff", sha, "--", path)
        else:
            sha = None
            result = self._working_diff(path)
        data = result.stdout[:MAX_DIFF_BYTES]
        return Diff(
            path=path,
            commit=sha,
            diff=data.decode("utf-8", "replace"),
            truncated=len(result.stdout) > MAX_DIFF_BYTES,
            binary=b"\nBinary files " in data or data.startswith(b"Binary files "),
        )

    def _working_diff(self, path: str) -> GitResult:
        self.require()
        tracked = bool(self.git.run("ls-files", "-z", "--", path).stdout)
        if tracked and self.head() is not None:
            return self.git.run("diff", "--no-color", "--no-ext-diff", "HEAD", "--", path)
        if not (self.root / path).is_file():
            raise NotFound(f"{path!r} is neither in the repository nor in the workspace", "Check the path.")
        # New to git: all of it is added.
        return self.git.run("diff", "--no-index", "--no-color", "--", "/dev/null", path, check=False)


def parse_commit(chunk: str) -> Commit:
    header, _, rest = chunk.partition("\0")
    sha, parents, author, email, when, subject = header.split("\x1f", 5)
    tokens = rest.lstrip("\n").split("\0")
    files: list[CommitFile] = []
    total = 0
    index = 0
    while index < len(tokens) and tokens[index]:
        letter = tokens[index][0]
        paths = tokens[index + 1 : index + (3 if letter in "RC" else 2)]
        index += 1 + len(paths)
        total += 1
        if len(files) < MAX_FILES_PER_COMMIT:
            source = paths[0] if len(paths) == 2 else None
            files.append(CommitFile(status=letter, path=paths[-1], source=source))
    return Commit(
        id=sha,
        short_id=sha[:8],
        parents=parents.split(),
        author=author,
        email=email,
        time=when,
        message=subject,
        files=files,
        files_total=total,
    )


def public_url(url: str) -> str:
    """A remote URL without the token or password it may carry."""
    url = re.sub(r"^(https?://)[^@/]+@", r"\1***@", url, flags=re.IGNORECASE)
    return re.sub(r"^([a-z][a-z0-9+.-]*://[^:@/]+):[^@/]+@", r"\1:***@", url, flags=re.IGNORECASE)
