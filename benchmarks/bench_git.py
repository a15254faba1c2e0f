"""Git sync benchmark: one-click sync vs the CLI sequence, and status of a large repository.

Prints each figure with its baseline from the same run. Targets (issue "Git sync"):
sync of a 5,000-file workspace with 100 changed files at most 1.3x
``git add -A && git commit && git pull --rebase && git push``; status of a 20,000-file
repository under 1 s.
"""

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jlab_platform.gitsync import GitService, GitSettings
from jlab_platform.paths import PathResolver
from tests.helpers.jupyter import running_server

SYNC_FILES, CHANGED, STATUS_FILES = 5000, 100, 20000
RUNS = 7
IDENTITY = {"GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.com"}


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def fill(root: Path, count: int) -> None:
    for i in range(count):
        folder = root / "src" / f"pkg{i // 100:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"module{i:05d}.py").write_text(f"VALUE = {i}\n" + "# padding line\n" * 20)


def workspace_with_remote(scratch: Path, name: str, files: int) -> Path:
    """A clone of its own bare remote, holding ``files`` committed and pushed files."""
    remote = scratch / f"{name}.git"
    work = scratch / name
    git(scratch, "init", "-q", "--bare", "--initial-branch=main", str(remote))
    git(scratch, "clone", "-q", str(remote), str(work))
    git(work, "config", "user.name", "Bench")
    git(work, "config", "user.email", "bench@example.com")
    fill(work, files)
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "seed")
    git(work, "push", "-q", "origin", "HEAD:main")
    git(work, "branch", "-q", "--set-upstream-to=origin/main")
    return work


def change(root: Path, run: int) -> None:
    for i in range(0, SYNC_FILES, SYNC_FILES // CHANGED):
        path = root / "src" / f"pkg{i // 100:03d}" / f"module{i:05d}.py"
        path.write_text(path.read_text() + f"# run {run}\n")


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def cli_sync(root: Path, run: int) -> None:
    subprocess.run(
        f"git add -A && git commit -q -m 'run {run}' && git pull -q --rebase && git push -q",
        shell=True,
        cwd=root,
        check=True,
        capture_output=True,
    )


def bench_sync(scratch: Path) -> None:
    cli_root = workspace_with_remote(scratch, "cli", SYNC_FILES)
    ours_root = workspace_with_remote(scratch, "ours", SYNC_FILES)
    rest_root = workspace_with_remote(scratch, "rest", SYNC_FILES)
    service = GitService(PathResolver(ours_root), GitSettings())
    cli, ours, rest = [], [], []
    with running_server(rest_root) as server:
        for run in range(RUNS):
            for root in (cli_root, ours_root, rest_root):
                change(root, run)
            cli.append(timed(lambda run=run: cli_sync(cli_root, run)))
            ours.append(timed(lambda run=run: service.sync(f"run {run}")))
            rest.append(
                timed(
                    lambda run=run: server.request(
                        "POST", "jlab-platform/api/git/sync", {"message": f"run {run}"}
                    )
                )
            )
    c, o, r = statistics.median(cli), statistics.median(ours), statistics.median(rest)
    print(
        f"sync, {SYNC_FILES:,} files / {CHANGED} changed: GitService.sync {o * 1000:.0f} ms, "
        f"POST /git/sync {r * 1000:.0f} ms vs CLI add+commit+pull --rebase+push {c * 1000:.0f} ms "
        f"-> ratio {o / c:.2f} (service), {r / c:.2f} (REST) (target <= 1.3)"
    )


def bench_status(scratch: Path) -> None:
    root = scratch / "large"
    root.mkdir()
    git(root, "init", "-q", "--initial-branch=main")
    fill(root, STATUS_FILES)
    git(root, "add", "-A")
    subprocess.run(
        ["git", "commit", "-q", "-m", "seed"], cwd=root, check=True, env={**os.environ, **IDENTITY}
    )
    for i in range(0, STATUS_FILES, 1000):
        (root / "src" / f"pkg{i // 100:03d}" / f"module{i:05d}.py").write_text("changed\n")
    (root / "notes.txt").write_text("new\n")
    service = GitService(PathResolver(root), GitSettings())
    first = timed(service.status)
    ours = [timed(service.status) for _ in range(RUNS)]
    plain = [
        timed(lambda: subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True))
        for _ in range(RUNS)
    ]
    o, p = statistics.median(ours), statistics.median(plain)
    changed = service.status().changed
    print(
        f"status of {STATUS_FILES:,} files ({changed} changed): {o * 1000:.0f} ms (first call "
        f"{first * 1000:.0f} ms) vs git status --porcelain {p * 1000:.0f} ms -> ratio {o / p:.2f} "
        "(target < 1 s)"
    )


def main() -> None:
    scratch = Path(tempfile.mkdtemp(prefix="bench-git-"))
    print(f"repositories in {scratch} (disk); git {subprocess.getoutput('git --version').split()[-1]}")
    try:
        bench_sync(scratch)
        bench_status(scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
