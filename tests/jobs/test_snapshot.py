import os
from pathlib import Path

from jlab_platform.jobs.snapshot import ExcludeRules, take_snapshot


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
