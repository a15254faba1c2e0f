"""Real repositories: a bare repository as the remote, "theirs" as a plain git clone a
colleague pushes from, and "mine" as the workspace the platform syncs."""

import json
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from jlab_platform.gitsync import GitService, GitSettings
from jlab_platform.paths import PathResolver

THEIRS = ["-c", "user.name=Colleague", "-c", "user.email=colleague@example.com"]


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *THEIRS, *args], cwd=cwd, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return done.stdout


def notebook(*sources: str) -> str:
    cells = [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": f"c{i}",
            "metadata": {},
            "outputs": [],
            "source": s,
        }
        for i, s in enumerate(sources)
    ]
    document = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(document, indent=1) + "\n"


class DemandsCredentials(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="private"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_GET

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def private_http_remote() -> Iterator[str]:
    """An HTTP git remote on loopback that answers every request with 401."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), DemandsCredentials)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/team/project.git"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Team:
    remote: Path
    mine: GitService
    theirs: Path

    @property
    def workspace(self) -> Path:
        return self.mine.root

    def theirs_push(self, files: dict[str, str], message: str) -> None:
        git(self.theirs, "pull", "--quiet", "--rebase")
        for name, text in files.items():
            (self.theirs / name).write_text(text)
        git(self.theirs, "add", "--all")
        git(self.theirs, "commit", "--quiet", "-m", message)
        git(self.theirs, "push", "--quiet")

    def remote_log(self) -> list[str]:
        return git(self.remote, "log", "--format=%s", "main").splitlines()

    def remote_file(self, name: str) -> str:
        return git(self.remote, "show", f"main:{name}")


ServiceFactory = Callable[..., GitService]


@pytest.fixture(autouse=True)
def isolated_git_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No user.name or credential helper from this machine: a fresh server, as users have."""
    config = tmp_path / "gitconfig"
    config.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def make_service(tmp_path: Path) -> ServiceFactory:
    def make(root: Path | None = None, **settings: Any) -> GitService:
        root = root or tmp_path / "workspace"
        root.mkdir(exist_ok=True)
        (root / ".jlab_platform").mkdir(exist_ok=True)
        ignored = [root / ".jlab_platform", root / "results"]
        defaults: dict[str, Any] = {"timeout_seconds": 20, "ignored_folders": ignored}
        return GitService(PathResolver(root), GitSettings(**(defaults | settings)))

    return make


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    """A bare repository with one commit: a notes file and a notebook."""
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(bare))
    seed = tmp_path / "seed"
    git(tmp_path, "clone", "--quiet", str(bare), str(seed))
    (seed / "notes.txt").write_text("line one\n")
    (seed / "analysis.ipynb").write_text(notebook("print('base')"))
    git(seed, "add", "--all")
    git(seed, "commit", "--quiet", "-m", "Initial commit")
    git(seed, "push", "--quiet", "origin", "HEAD:main")
    return bare


TeamFactory = Callable[..., Team]


@pytest.fixture
def make_team(tmp_path: Path, remote: Path, make_service: ServiceFactory) -> TeamFactory:
    def make(**settings: Any) -> Team:
        mine = make_service(**settings)
        mine.clone(str(remote))
        theirs = tmp_path / "theirs"
        git(tmp_path, "clone", "--quiet", str(remote), str(theirs))
        return Team(remote, mine, theirs)

    return make


@pytest.fixture
def team(make_team: TeamFactory) -> Team:
    return make_team()
