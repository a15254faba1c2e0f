import os
from pathlib import Path

import pytest

from jlab_platform.errors import InvalidPath
from jlab_platform.paths import PathResolver

HOSTILE = [
    "..",
    "../",
    "../etc/passwd",
    "a/../../etc/passwd",
    "a/b/../../..",
    "./../x",
    "/etc/passwd",
    "//etc/passwd",
    "/",
    "~",
    "~/secret",
    "~root/.ssh/id_rsa",
    "C:\\Windows\\system32",
    "C:/Windows",
    "a\\..\\..\\b",
    "%2e%2e/%2e%2e/etc/passwd",
    "%2e%2e%2fetc%2fpasswd",
    "%252e%252e/secret",
    "%2Fetc%2Fpasswd",
    "file\x00.txt",
    "a/\x00/b",
    "line\nbreak",
    "tab\there",
    "\u2025/x",  # TWO DOT LEADER, NFKC-normalises to '..'
    "\uff0e\uff0e/x",  # FULLWIDTH FULL STOPs, NFKC '..'
    "link-out/etc",
    "link-out",
    "nested/link-up/passwd",
    "x" * 5000,
    "\u00e9" * 2100,  # 2,100 characters, 4,200 bytes: past PATH_MAX
    f"data/{'n' * 300}/x.py",  # a name past NAME_MAX: "File name too long" from every system call
    "\u00e9" * 128 + ".txt",  # 132 characters, 260 bytes
    "bad\ud800name",  # a lone surrogate, as JSON's "\ud800" decodes
    "loop-a/x",
]

ORDINARY = [
    "",
    ".",
    "data",
    "data/train.csv",
    "data//train.csv",
    "./data/train.csv",
    "my folder/file with spaces.txt",
    "数据集/花朵/图片 1.png",
    "naïve/café.ipynb",
    "results/run-1/model.keras",
    ".hidden/config.json",
    "n" * 255 + "/" + "\u00e9" * 126 + ".xy",  # names of 255 bytes each
    "a..b/c..d",
    "..hidden",
    "ok/link-in/inner.txt",
]


@pytest.fixture
def resolver(tmp_path: Path) -> PathResolver:
    root = tmp_path / "root"
    (root / "nested").mkdir(parents=True)
    (root / "ok" / "target").mkdir(parents=True)
    (root / "ok" / "target" / "inner.txt").write_text("x")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "passwd").write_text("secret")
    os.symlink(outside, root / "link-out")
    os.symlink(outside, root / "nested" / "link-up")
    os.symlink(root / "ok" / "target", root / "ok" / "link-in")
    os.symlink(root / "loop-b", root / "loop-a")
    os.symlink(root / "loop-a", root / "loop-b")
    return PathResolver(root)


def test_corpus_is_large_enough() -> None:
    assert len(HOSTILE) >= 20


@pytest.mark.parametrize("path", HOSTILE)
def test_hostile_paths_are_rejected_with_a_reason(resolver: PathResolver, path: str) -> None:
    with pytest.raises(InvalidPath) as info:
        resolver.resolve(path)
    assert info.value.message
    assert info.value.detail


@pytest.mark.parametrize("path", ORDINARY)
def test_ordinary_paths_resolve_inside_the_root(resolver: PathResolver, path: str) -> None:
    real = resolver.resolve(path)
    assert resolver.contains(real)


def test_non_ascii_names_keep_their_spelling(resolver: PathResolver) -> None:
    real = resolver.resolve("数据集/花朵/图片 1.png")
    assert resolver.relative(real) == "数据集/花朵/图片 1.png"


def test_inside_names_paths_in_the_root_only(resolver: PathResolver) -> None:
    assert resolver.inside(resolver.root / "results" / "tensorboard") == "results/tensorboard"
    assert resolver.inside(resolver.root) == ""
    assert resolver.inside(resolver.root.parent / (resolver.root.name + "-other")) is None


def test_symlink_inside_the_root_is_followed(resolver: PathResolver) -> None:
    real = resolver.resolve("ok/link-in/inner.txt", must_exist=True)
    assert real == resolver.root / "ok" / "target" / "inner.txt"


def test_must_exist_names_the_missing_path(resolver: PathResolver) -> None:
    with pytest.raises(InvalidPath, match="does not exist"):
        resolver.resolve("nope/file.txt", must_exist=True)


def test_non_string_is_rejected(resolver: PathResolver) -> None:
    with pytest.raises(InvalidPath):
        resolver.resolve(42)  # type: ignore[arg-type]
