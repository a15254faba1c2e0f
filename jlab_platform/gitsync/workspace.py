"""Make the workspace a repository: initialise one in place, or clone a remote into it."""

import re
import shutil
import tempfile
from pathlib import Path

from ..errors import Conflict, InvalidInput
from ..i18n import N_
from .repo import Repository
from .runner import failure

DEFAULT_BRANCH = "main"
# Kept out of every repository the platform initialises, beside the data and results folders.
IGNORED = [
    ".venv/",
    "venv/",
    "__pycache__/",
    "*.py[cod]",
    ".ipynb_checkpoints/",
    "checkpoints/",
    "*.ckpt",
]
_SCP_LIKE = re.compile(r"^[\w.][\w.-]*@[\w.-]+:[^\s]+$")
_URL_SCHEMES = ("https://", "http://", "ssh://", "git://", "file://")
_OVERWRITE_HINT = "untracked working tree files would be overwritten"


class Workspace:
    def __init__(self, repo: Repository, ignored_folders: list[Path]) -> None:
        self.repo = repo
        self.git = repo.git
        self.root = repo.root
        self.ignored_folders = ignored_folders

    def init(self) -> None:
        self._refuse_existing()
        branch_configured = self.git.run("config", "--get", "init.defaultBranch", check=False).ok
        branch = [] if branch_configured else [f"--initial-branch={DEFAULT_BRANCH}"]
        self.git.run("init", "--quiet", *branch, what="git init")
        self.add_ignored(self.root / ".gitignore")

    def clone(self, url: str) -> None:
        """Clone ``url`` into the workspace as it is: files already there are kept."""
        self._refuse_existing()
        url = checked_url(url)
        probe = self.git.run("ls-remote", "--symref", "--", url, "HEAD", what=N_("Reaching the remote"))
        branch = _default_branch(probe.text)
        empty = branch is None and not probe.text.strip()
        initial = self._unborn_branch(url) if empty else branch
        self.git.run("init", "--quiet", f"--initial-branch={initial or DEFAULT_BRANCH}", what="git init")
        try:
            self.git.run("remote", "add", "origin", url)
            if empty:  # track the branch the first sync creates, as `git clone` does
                self.git.run("config", f"branch.{initial}.remote", "origin")
                self.git.run("config", f"branch.{initial}.merge", f"refs/heads/{initial}")
            elif branch is not None:
                self.git.run("fetch", "--quiet", "origin", what=N_("Fetch"))
                taken = self.git.run("checkout", "--quiet", "--track", f"origin/{branch}", check=False)
                if not taken.ok:
                    raise (
                        _checkout_refused(taken.stderr)
                        if _OVERWRITE_HINT in taken.stderr
                        else failure(taken, "Checkout")
                    )
        except BaseException:
            # Only what this call created goes: the workspace's own files are untouched.
            shutil.rmtree(self.repo.git_dir(), ignore_errors=True)
            raise
        # The project's own .gitignore is left alone: this clone alone skips the platform's folders.
        self.add_ignored(self.repo.git_dir() / "info" / "exclude")

    def _unborn_branch(self, url: str) -> str:
        """The branch an empty remote's HEAD names (its default branch: main, master, ...).

        ``ls-remote`` does not show it; ``git clone`` asks for it, so an empty remote is
        cloned (it is empty: nothing to download) to read it.
        """
        with tempfile.TemporaryDirectory() as scratch:
            probe = Path(scratch) / "probe.git"
            self.git.run("clone", "--quiet", "--bare", "--", url, str(probe), what=N_("Reaching the remote"))
            head = self.git.run("--git-dir", str(probe), "symbolic-ref", "--short", "HEAD", check=False)
        return head.text.strip() if head.ok and head.text.strip() else DEFAULT_BRANCH

    def add_ignored(self, path: Path) -> None:
        """Add the platform's ignore entries to ``path``, keeping what is there."""
        entries = [*IGNORED]
        for folder in self.ignored_folders:
            if folder.is_relative_to(self.root) and folder != self.root:
                entries.append("/" + folder.relative_to(self.root).as_posix() + "/")
        path.parent.mkdir(parents=True, exist_ok=True)
        existing = path.read_text() if path.exists() else ""
        present = {line.strip() for line in existing.splitlines()}
        missing = [entry for entry in entries if entry not in present]
        if not missing:
            return
        if existing and not existing.endswith("\n"):
            existing += "\n"
        block = "# Kept out of git by jlab_platform (sync also refuses files over the size limit)\n"
        path.write_text(existing + ("\n" if existing else "") + block + "\n".join(missing) + "\n")

    def _refuse_existing(self) -> None:
        if self.repo.exists():
            raise Conflict("The workspace is already a git repository", "Use Sync to commit and update it.")


def checked_url(url: object) -> str:
    if not isinstance(url, str) or not url.strip():
        raise InvalidInput("A repository URL is needed", "e.g. https://github.com/org/project.git")
    url = url.strip()
    if url.startswith(_URL_SCHEMES) or _SCP_LIKE.match(url) or (url.startswith("/") and "\0" not in url):
        return url
    raise InvalidInput(
        f"{url!r} is not a repository URL git can clone",
        "Use https://host/org/repo.git, ssh://user@host/repo.git or user@host:org/repo.git.",
    )


def _default_branch(ls_remote: str) -> str | None:
    for line in ls_remote.splitlines():
        if line.startswith("ref: refs/heads/") and line.endswith("\tHEAD"):
            return line.removeprefix("ref: refs/heads/").removesuffix("\tHEAD")
    return None


def _checkout_refused(stderr: str) -> Conflict:
    files = [line.strip() for line in stderr.splitlines() if line.startswith(("\t", "    "))]
    return Conflict(
        f"Files in the workspace have the same names as files in the repository: {', '.join(files)}",
        "Move or rename them, then clone again; nothing was changed.",
    )
