import contextlib
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from jlab_platform.errors import Conflict
from jlab_platform.jobs.service import JobService
from jlab_platform.jobs.snapshot import ExcludeRules, take_snapshot
from tests.crowd.conftest import crowd_on

from .conftest import Workspace, full_log, wait_for


def test_snapshot_leaves_out_results_data_git_and_jobignore(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    for rel in [
        "train.py",
        "data/a.csv",
        "data/cache/big.bin",
        "nested/deep/keep.txt",
        "nested/deep/model.ckpt",
        "results/out.txt",
        ".jlab_platform/platform.db",
        ".git/HEAD",
        "pkg/__pycache__/x.pyc",
        "数据/样本 1.txt",
    ]:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(rel)
    (root / ".jobignore").write_text("# comments are fine\n*.ckpt\n/data/cache/\n")
    os.symlink("train.py", root / "link.py")
    rules = ExcludeRules.for_workspace(root, [root / "results", root / ".jlab_platform"])
    target = tmp_path / "snap"
    take_snapshot(root, target, rules)
    copied = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file() or p.is_symlink()}
    assert copied == {"train.py", "data/a.csv", "nested/deep/keep.txt", "数据/样本 1.txt", "link.py"}
    assert (target / "link.py").is_symlink()
    assert not (tmp_path / "snap.partial").exists()


def test_patterns_follow_gitignore_anchoring() -> None:
    rules = ExcludeRules(["/top.txt", "*.ckpt", "logs/", "data/raw*"])
    assert rules.excludes("top.txt", False)
    assert not rules.excludes("sub/top.txt", False)
    assert rules.excludes("deep/down/model.ckpt", False)
    assert rules.excludes("a/logs", True) and not rules.excludes("a/logs", False)
    assert rules.excludes("data/raw_2024", True) and not rules.excludes("other/data/raw", True)


class _Listing:
    """A finished ``os.scandir`` listing: iterator and context manager, as os.walk uses it."""

    def __init__(self, entries: list[os.DirEntry[str]]) -> None:
        self._entries = iter(entries)

    def __iter__(self) -> "_Listing":
        return self

    def __next__(self) -> os.DirEntry[str]:
        return next(self._entries)

    def __enter__(self) -> "_Listing":
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def _deleting_after_listing(monkeypatch: pytest.MonkeyPatch, root: Path, deletions: dict[str, int]) -> None:
    """Make ``os.scandir`` delete ``root / rel`` right after its ``n``-th listing of its parent,
    so the real copy (``cp``, or the walk into a folder) meets entries that are gone."""
    real = os.scandir
    calls: dict[str, int] = {}

    def scandir(path: Any) -> Any:
        if not str(path).startswith(str(root)):
            return real(path)
        entries = _Listing(list(real(path)))
        calls[str(path)] = calls.get(str(path), 0) + 1
        for rel, nth in deletions.items():
            doomed = root / rel
            if str(doomed.parent) == str(path) and calls[str(path)] == nth and doomed.exists():
                shutil.rmtree(doomed) if doomed.is_dir() else doomed.unlink()
        return entries

    monkeypatch.setattr(os, "scandir", scandir)


def test_files_and_folders_deleted_during_the_copy_are_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "ws"
    for rel in [
        "train.py",
        "gone.txt",
        "olddata/a.csv",
        "lib/keep.py",
        "lib/old/x.py",
        "lib/__pycache__/c.pyc",
    ]:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(rel)
    # gone.txt and olddata/ vanish before cp copies them; lib/old/ after lib/ was listed
    # (lib/ holds an excluded folder, so it is walked in Python).
    _deleting_after_listing(monkeypatch, root, {"gone.txt": 1, "olddata": 1, "lib/old": 2})
    target = tmp_path / "snap"
    vanished = take_snapshot(root, target, ExcludeRules.for_workspace(root, []))
    assert sorted(vanished) == ["gone.txt", "lib/old", "olddata"]
    copied = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
    assert copied == {"train.py", "lib/keep.py"}


def test_a_job_whose_snapshot_met_deleted_files_runs_and_says_so(
    service: JobService, ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws.write("train.py", "print('trained')\n")
    ws.write("notes.txt", "scratch")
    _deleting_after_listing(monkeypatch, ws.root, {"notes.txt": 1})
    job = service.submit("train.py")
    monkeypatch.undo()
    done = wait_for(service, job.id, "success", "failed")
    log = full_log(service, job.id)
    assert done.status == "success", log
    assert log.startswith(
        "jlab_platform: skipped 1 file that vanished while the snapshot was taken: notes.txt\n"
    )
    assert "trained" in log


def test_a_labeling_task_is_created_while_workspace_files_vanish(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    crowd = crowd_on(tmp_path, f"sqlite:///{tmp_path / 'platform.db'}")
    try:
        (crowd.root / "scratch.txt").write_text("deleted by an editor meanwhile")
        _deleting_after_listing(monkeypatch, crowd.root, {"scratch.txt": 1})
        body = {"name": "shapes", "dataset": "datasets/shapes", "module": "modules/cstest", "max_choose": 2}
        crowd.create(body, "owner")
        monkeypatch.undo()
        [job] = crowd.jobs.list_jobs().jobs
        assert "skipped 1 file that vanished while the snapshot was taken: scratch.txt" in full_log(
            crowd.jobs, job.id
        )
    finally:
        for job in crowd.jobs.list_jobs().jobs:
            with contextlib.suppress(Conflict):  # it may end by itself meanwhile
                crowd.jobs.terminate(job.id)
        crowd.service.close()
        crowd.service.store.dispose()
