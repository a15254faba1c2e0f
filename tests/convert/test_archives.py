"""Extraction: hostile archives are refused before anything is written, in every format;
safe ones come out whole, with their non-ASCII names right."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from jlab_platform.errors import InvalidInput
from jlab_platform.files.extract import (
    ArchiveRefused,
    Extraction,
    ExtractionCancelled,
    ExtractLimits,
    extract_archive,
)
from tests.convert.archives import FORMATS, Entry, build, tree

GBK_NAME = "数据/训练集.txt"


def sandbox(tmp_path: Path) -> tuple[Path, Path]:
    """``box/work/`` holds the archive; everything outside ``box/work/<archive>/`` must stay untouched."""
    work = tmp_path / "box" / "work"
    work.mkdir(parents=True)
    return tmp_path / "box", work


def hostile_cases(fmt: str, box: Path) -> dict[str, list[Entry]]:
    cases: dict[str, list[Entry]] = {
        "zip-slip": [("file", "ok.txt", b"ok"), ("file", "../evil.txt", b"pwned")],
        "deep slip": [("file", "a/b/../../../evil.txt", b"pwned")],
        "absolute path": [("file", f"{box}/abs_evil.txt", b"pwned")],
        "drive letter": [("file", "C:/evil.txt", b"pwned")],
        "symlink escape": [("symlink", "link", "../../evil_dir"), ("file", "ok.txt", b"ok")],
        "absolute symlink": [("symlink", "passwd", "/etc/passwd")],
        "write through a link": [("symlink", "inside", "."), ("file", "inside/x.txt", b"x")],
        "link through a link": [
            ("file", "sub/a.txt", b"a"),
            ("symlink", "sub/up", ".."),
            ("symlink", "escape", "sub/up/.."),
        ],
    }
    if fmt == "zip":
        cases["backslash slip"] = [("file", "..\\..\\evil.txt", b"pwned")]
    if fmt != "7z":  # 7z carries neither device files nor hard links
        cases["device file"] = [("device", "null", None)]
    if fmt.startswith("tar"):
        cases["hard link outside"] = [("hardlink", "passwd", "../../../etc/passwd")]
        cases["hard link to a missing member"] = [("hardlink", "copy", "not-there.txt")]
    return cases


HOSTILE = [
    (fmt, case)
    for fmt in FORMATS
    for case in hostile_cases(fmt, Path("/x"))  # the names only; the test builds each with its own box
]


@pytest.mark.parametrize(("fmt", "case"), HOSTILE, ids=[f"{f}-{c}" for f, c in HOSTILE])
def test_hostile_archive_is_refused_and_nothing_is_written(tmp_path: Path, fmt: str, case: str) -> None:
    box, work = sandbox(tmp_path)
    archive = build(work / f"hostile.{fmt}", hostile_cases(fmt, box)[case])
    before = tree(box)
    with pytest.raises(ArchiveRefused) as refused:
        extract_archive(archive)
    assert "Nothing was written" in refused.value.detail
    assert tree(box) == before, f"{case}: something was written"
    assert not Path("/etc/passwd.tmp").exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_bombs_are_refused_by_size_ratio_and_count(tmp_path: Path, fmt: str) -> None:
    box, work = sandbox(tmp_path)
    zeros = build(work / f"zeros.{fmt}", [("file", "zeros.bin", bytes(4 * 1024 * 1024))])
    before = tree(box)
    if fmt != "tar":  # a plain tar is as big as what it holds
        with pytest.raises(ArchiveRefused, match="archive bomb"):
            extract_archive(zeros, ExtractLimits(max_ratio=50, ratio_floor_bytes=0))
    with pytest.raises(ArchiveRefused, match="above the limit of 1 MB"):
        extract_archive(zeros, ExtractLimits(max_total_bytes=1024 * 1024))
    many = build(work / f"many.{fmt}", [("file", f"f{i}.txt", b"x") for i in range(30)])
    before = tree(box)
    with pytest.raises(ArchiveRefused, match="30 entries, above the limit of 20"):
        extract_archive(many, ExtractLimits(max_files=20))
    assert tree(box) == before


def safe_entries(fmt: str) -> list[Entry]:
    entries: list[Entry] = [
        ("dir", "data", None),
        ("file", "data/a.txt", b"alpha"),
        ("file", "data/nested/b.txt", b"beta"),
        ("symlink", "data/link-to-a", "a.txt"),
        ("symlink", "data/nested/up-to-a", "../a.txt"),
    ]
    if fmt == "7z":
        entries = [e for e in entries if e[0] != "dir"] + [("file", GBK_NAME, "中文".encode())]
    else:  # zip and tar names from a Chinese Windows tool: GBK bytes, no UTF-8 flag
        entries.append(("file", GBK_NAME.encode("gbk"), "中文".encode()))
    if fmt.startswith("tar"):
        entries.append(("hardlink", "data/hard-a", "data/a.txt"))
    return entries


@pytest.mark.parametrize("fmt", FORMATS)
def test_safe_archive_extracts_beside_itself_with_names_links_and_contents_right(
    tmp_path: Path, fmt: str
) -> None:
    _, work = sandbox(tmp_path)
    archive = build(work / f"dataset.{fmt}", safe_entries(fmt))
    progress: list[tuple[int, int]] = []
    result = extract_archive(archive, progress=lambda done, total: progress.append((done, total)))
    target = work / "dataset"
    assert result.target == target and result.files >= 3
    assert (target / "data" / "a.txt").read_bytes() == b"alpha"
    assert (target / "data" / "nested" / "b.txt").read_bytes() == b"beta"
    assert (target / GBK_NAME).read_text() == "中文"
    assert (target / "data" / "link-to-a").is_symlink()
    assert (target / "data" / "nested" / "up-to-a").read_bytes() == b"alpha"
    if fmt.startswith("tar"):
        assert (target / "data" / "hard-a").stat().st_ino == (target / "data" / "a.txt").stat().st_ino
    assert progress, "progress was reported"
    # Extracting again never overwrites: a second folder appears.
    again = extract_archive(archive)
    assert again.target == work / "dataset_1"
    assert sorted(p.name for p in work.iterdir()) == sorted([archive.name, "dataset", "dataset_1"])


def test_gbk_names_written_as_utf8_without_the_flag_and_forced_encodings(tmp_path: Path) -> None:
    _, work = sandbox(tmp_path)
    mac = build(work / "mac.zip", [("file", "报告.txt".encode(), b"1")])  # macOS: UTF-8, no flag
    assert (extract_archive(mac).target / "报告.txt").read_bytes() == b"1"
    short = build(work / "win.zip", [("file", "猫.txt".encode("gbk"), b"3")])  # C3 A8 is UTF-8 "è" too
    assert (extract_archive(short).target / "猫.txt").read_bytes() == b"3"
    big5 = build(work / "tw.zip", [("file", "資料.txt".encode("big5"), b"2")])
    forced = Extraction(big5, name_encoding="big5").run()
    assert (forced.target / "資料.txt").read_bytes() == b"2"


def test_zip_entries_with_permission_bits_only_are_plain_files(tmp_path: Path) -> None:
    _, work = sandbox(tmp_path)
    with zipfile.ZipFile(work / "python.zip", "w") as archive:  # stores 0o600 without a file type
        archive.writestr("a/b.txt", "b")
        archive.writestr("c.txt", "c")
    assert (extract_archive(work / "python.zip").target / "a" / "b.txt").read_text() == "b"


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_archive_of_one_folder_extracts_that_folder_beside_it_not_inside_another(
    tmp_path: Path, fmt: str
) -> None:
    _, work = sandbox(tmp_path)
    entries: list[Entry] = [
        ("dir", "photos", None),
        ("file", "photos/cat.txt", b"meow"),
        ("file", "photos/sub/dog.txt", b"woof"),
        ("symlink", "photos/sub/cat-link", "../cat.txt"),
    ]
    if fmt == "7z":  # the 7z command adds the folders of the links it stores
        entries = entries[1:]
    archive = build(work / f"photos.{fmt}", entries)
    first = extract_archive(archive)
    assert first.target == work / "photos" and not (work / "photos" / "photos").exists()
    assert (work / "photos" / "sub" / "cat-link").read_bytes() == b"meow"
    assert sorted(p.name for p in work.iterdir()) == sorted([archive.name, "photos"]), "no staging left"
    assert extract_archive(archive).target == work / "photos_1", "an existing folder is never written into"
    # Named after the folder, not the archive; without an entry for the folder itself.
    other = build(work / f"export-2024.{fmt}", [("file", "dataset/a.txt", b"a")])
    assert extract_archive(other).target == work / "dataset"
    # A link out of the one folder keeps the archive's own folder around it: it still resolves.
    escaping = build(work / f"linked.{fmt}", [("file", "d/a.txt", b"a"), ("symlink", "d/up", "../d/a.txt")])
    assert (extract_archive(escaping).target / "d" / "up").read_bytes() == b"a"


def test_7z_with_py7zr_and_with_the_7z_command_give_the_same_tree(tmp_path: Path) -> None:
    _, work = sandbox(tmp_path)
    archive = build(work / "both.7z", safe_entries("7z"))
    native = extract_archive(archive, tool="native")
    python = extract_archive(archive, tool="py7zr")
    assert (native.tool, python.tool) == ("7z", "py7zr")
    assert tree(native.target) == tree(python.target)


def test_cancel_removes_what_was_written(tmp_path: Path) -> None:
    box, work = sandbox(tmp_path)
    archive = build(work / "big.zip", [("file", f"f{i}.bin", bytes(1024)) for i in range(50)])
    before = tree(box)
    with pytest.raises(ExtractionCancelled):
        extract_archive(archive, cancelled=lambda: True)
    assert tree(box) == before


def test_not_an_archive_and_damaged_archives_say_so(tmp_path: Path) -> None:
    _, work = sandbox(tmp_path)
    (work / "notes.txt").write_text("hi")
    with pytest.raises(InvalidInput, match="not an archive"):
        extract_archive(work / "notes.txt")
    (work / "broken.zip").write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(InvalidInput, match="not a readable archive"):
        extract_archive(work / "broken.zip")


def test_7zx_command_extracts_and_refuses_with_a_message(tmp_path: Path) -> None:
    _, work = sandbox(tmp_path)
    build(work / "good.tar.gz", [("file", "a.txt", b"a")])
    build(work / "evil.zip", [("file", "../evil.txt", b"x")])
    command = [str(Path(sys.executable).with_name("7zx"))]
    ok = subprocess.run([*command, "good.tar.gz"], cwd=work, capture_output=True, text=True)
    assert ok.returncode == 0 and "good.tar.gz -> good/" in ok.stdout
    assert (work / "good" / "a.txt").read_text() == "a"
    bad = subprocess.run([*command, "evil.zip"], cwd=work, capture_output=True, text=True)
    assert bad.returncode == 1
    assert (
        "Refused to extract evil.zip" in bad.stderr and "'../evil.txt' leaves the target folder" in bad.stderr
    )
    assert not (work / "evil").exists() and not (tmp_path / "box" / "evil.txt").exists()
