"""Reading zip, 7z and tar archives as one list of entries, and writing their contents.

Readers only list and write; deciding whether an archive is safe is ``extract.py``'s job,
done on the whole list before anything is written.
"""

import binascii
import os
import re
import shutil
import stat
import struct
import subprocess
import tarfile
import tempfile
import zipfile
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import py7zr
import py7zr.callbacks
import py7zr.io

from ..errors import InvalidInput

ARCHIVE_SUFFIXES = (".tar.gz", ".tar.bz2", ".tar.xz", ".tgz", ".tbz2", ".txz", ".zip", ".7z", ".tar")
_COPY_BLOCK = 1024 * 1024
_MAX_LINK_TARGET = 4096
_ZIP_UTF8_FLAG = 0x800
_ZIP_ENCRYPTED_FLAG = 0x1
_ZIP_UNICODE_PATH_EXTRA = 0x7075
_7Z_COMMAND_LINE_ERROR = 7

# Advance the progress by this many bytes (raises to stop: cancelled, or bigger than declared).
Advance = Callable[[int], None]


@dataclass(frozen=True)
class Entry:
    name: str  # as stored, decoded; checked and cleaned by extract.py
    kind: str  # file | dir | symlink | hardlink | special
    size: int
    link: str = ""  # symlink target, or the member a hard link names
    mode: int = 0o644
    key: Any = None  # the reader's own handle on the member


def archive_stem(path: Path) -> str | None:
    """``data`` for ``data.tar.gz``; None when the suffix is not an archive we read."""
    lower = path.name.lower()
    for suffix in ARCHIVE_SUFFIXES:
        if lower.endswith(suffix) and len(lower) > len(suffix):
            return path.name[: -len(suffix)]
    return None


class ArchiveReader(ABC):
    format = ""
    tool = ""

    @abstractmethod
    def entries(self) -> list[Entry]:
        """Every member, in archive order."""

    @abstractmethod
    def extract(self, entries: list[Entry], dest: Path, advance: Advance) -> None:
        """Write the checked ``entries`` under the empty folder ``dest``."""

    def close(self) -> None:
        return None


def open_archive(path: Path, name_encoding: str | None = None, tool: str = "auto") -> ArchiveReader:
    lower = path.name.lower()
    try:
        if lower.endswith(".zip"):
            return ZipReader(path, name_encoding)
        if lower.endswith(".7z"):
            return SevenZipReader(path, tool)
        if archive_stem(path) is not None:
            return TarReader(path)
    except (zipfile.BadZipFile, tarfile.TarError, py7zr.Bad7zFile, EOFError, OSError) as exc:
        raise InvalidInput(f"{path.name} is not a readable archive: {exc}", _DAMAGED) from exc
    raise InvalidInput(
        f"{path.name} is not an archive this platform extracts",
        f"Supported: {', '.join(sorted(ARCHIVE_SUFFIXES))}.",
    )


_DAMAGED = "The file may be damaged, truncated, or of another format than its name says."


# -- zip -------------------------------------------------------------------


class ZipReader(ArchiveReader):
    format = "zip"
    tool = "zipfile"

    def __init__(self, path: Path, name_encoding: str | None) -> None:
        self._zip = zipfile.ZipFile(path)
        self._encoding = name_encoding

    def entries(self) -> list[Entry]:
        infos = self._zip.infolist()
        encoding = self._encoding or guess_name_encoding(infos)
        return [self._entry(info, encoding) for info in infos]

    def _entry(self, info: zipfile.ZipInfo, encoding: str | None) -> Entry:
        name = zip_name(info, encoding)
        mode = info.external_attr >> 16 if info.create_system == 3 else 0
        if info.flag_bits & _ZIP_ENCRYPTED_FLAG:
            return Entry(name, "special", info.file_size, "encrypted", key=info)
        if info.is_dir() or stat.S_ISDIR(mode):
            return Entry(name, "dir", 0, key=info)
        if stat.S_ISLNK(mode):
            target = self._zip.read(info)[:_MAX_LINK_TARGET].decode("utf-8", "replace")
            return Entry(name, "symlink", info.file_size, target, key=info)
        if _is_device(stat.S_IFMT(mode)) or stat.S_ISSOCK(mode):
            return Entry(name, "special", info.file_size, key=info)
        # Many tools store permission bits only (Python's zipfile: 0o600): a plain file.
        return Entry(name, "file", info.file_size, mode=(mode & 0o777) or 0o644, key=info)

    def extract(self, entries: list[Entry], dest: Path, advance: Advance) -> None:
        files = FileWriter(dest, advance)
        for entry in entries:
            if entry.kind == "file":
                with self._zip.open(entry.key) as source:
                    files.write(entry, source)

    def close(self) -> None:
        self._zip.close()


def zip_name(info: zipfile.ZipInfo, encoding: str | None) -> str:
    """The entry's real name: zip names without the UTF-8 flag are in the writer's code page
    (Python read them as cp437); Info-ZIP may add a UTF-8 copy in an extra field."""
    raw = _raw_name(info)
    if raw is None:
        return info.filename
    unicode_path = _unicode_path_extra(info.extra, raw)
    if unicode_path is not None:
        return unicode_path
    if encoding is None or raw.isascii():
        return info.filename
    try:
        return raw.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return info.filename


def guess_name_encoding(infos: list[zipfile.ZipInfo]) -> str | None:
    """One code page for the archive's unflagged names: UTF-8 (macOS, Linux) or GBK (Windows in China).

    Short GBK names can also be valid UTF-8 ("猫" is C3 A8, "è" in UTF-8), so UTF-8 wins only
    with a character of three or more bytes, which GBK text practically never forms.
    """
    raws = [raw for info in infos if (raw := _raw_name(info)) is not None and not raw.isascii()]
    if not raws:
        return None
    as_utf8 = _decode_all(raws, "utf-8")
    if as_utf8 is not None and any(ord(ch) >= 0x800 for name in as_utf8 for ch in name):
        return "utf-8"
    if _decode_all(raws, "gbk") is not None:
        return "gbk"
    return "utf-8" if as_utf8 is not None else None


def _raw_name(info: zipfile.ZipInfo) -> bytes | None:
    """The stored name bytes of an entry without the UTF-8 flag; None when it has the flag."""
    return None if info.flag_bits & _ZIP_UTF8_FLAG else info.filename.encode("cp437")


def _decode_all(raws: list[bytes], encoding: str) -> list[str] | None:
    try:
        return [raw.decode(encoding) for raw in raws]
    except UnicodeDecodeError:
        return None


def _unicode_path_extra(extra: bytes, raw_name: bytes) -> str | None:
    offset = 0
    while offset + 4 <= len(extra):
        header, size = struct.unpack_from("<HH", extra, offset)
        data = extra[offset + 4 : offset + 4 + size]
        offset += 4 + size
        if header == _ZIP_UNICODE_PATH_EXTRA and len(data) > 5 and data[0] == 1:
            (crc,) = struct.unpack_from("<I", data, 1)
            if crc == binascii.crc32(raw_name):  # a stale copy names an older file name
                try:
                    return data[5:].decode("utf-8")
                except UnicodeDecodeError:
                    return None
    return None


# -- tar -------------------------------------------------------------------


class TarReader(ArchiveReader):
    format = "tar"
    tool = "tarfile"

    def __init__(self, path: Path) -> None:
        self._tar = tarfile.open(path, "r:*", errors="surrogateescape")

    def entries(self) -> list[Entry]:
        return [self._entry(member) for member in self._tar.getmembers()]

    def _entry(self, member: tarfile.TarInfo) -> Entry:
        name = _undo_surrogates(member.name)
        if member.isdir():
            return Entry(name, "dir", 0, key=member)
        if member.issym():
            return Entry(name, "symlink", 0, _undo_surrogates(member.linkname), key=member)
        if member.islnk():
            return Entry(name, "hardlink", 0, _undo_surrogates(member.linkname), key=member)
        if member.isreg():
            return Entry(name, "file", member.size, mode=(member.mode & 0o777) or 0o644, key=member)
        return Entry(name, "special", member.size, key=member)

    def extract(self, entries: list[Entry], dest: Path, advance: Advance) -> None:
        files = FileWriter(dest, advance)
        for entry in entries:
            if entry.kind == "file":
                source = self._tar.extractfile(entry.key)
                assert source is not None, "a regular member always has data"
                with source:
                    files.write(entry, source)

    def close(self) -> None:
        self._tar.close()


def _undo_surrogates(name: str) -> str:
    """Tar names are bytes; names that are not UTF-8 were written by GBK systems, mostly."""
    if not re.search("[\udc80-\udcff]", name):
        return name
    raw = name.encode("utf-8", "surrogateescape")
    try:
        return raw.decode("gbk")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace")


# -- 7z --------------------------------------------------------------------


class SevenZipReader(ArchiveReader):
    format = "7z"

    def __init__(self, path: Path, tool: str) -> None:
        self._path = path
        self._archive = py7zr.SevenZipFile(path)
        native = shutil.which("7z") or shutil.which("7za")
        if tool == "native" and native is None:
            raise InvalidInput("The 7z command is not installed", "Install p7zip-full, or use py7zr.")
        self._native = native if tool in ("auto", "native") else None
        self.tool = "7z" if self._native else "py7zr"

    def entries(self) -> list[Entry]:
        if self._archive.needs_password():
            return [Entry(self._path.name, "special", 0, "encrypted")]
        found = []
        for info in self._archive.files:
            kind = "file"
            if info.is_directory:
                kind = "dir"
            elif info.is_symlink:
                kind = "symlink"
            elif info.is_socket or info.is_junction or _is_device(info.st_fmt):
                kind = "special"
            mode = (info.posix_mode or 0o644) & 0o777
            found.append(Entry(info.filename, kind, int(info.uncompressed or 0), mode=mode, key=info))
        return self._with_link_targets(found)

    def _with_link_targets(self, entries: list[Entry]) -> list[Entry]:
        links = [entry.name for entry in entries if entry.kind == "symlink"]
        if not links:
            return entries
        memory = py7zr.io.BytesIOFactory(_MAX_LINK_TARGET)
        with tempfile.TemporaryDirectory() as empty:  # py7zr checks names against a folder
            self._archive.reset()
            self._archive.extract(path=Path(empty), targets=links, factory=memory)
            prefix = Path(empty).as_posix() + "/"
        self._archive.reset()
        targets = {
            name.removeprefix(prefix): data.read().decode("utf-8", "replace")
            for name, data in memory.products.items()
        }
        return [
            Entry(e.name, e.kind, e.size, targets.get(e.name, ""), e.mode, e.key)
            if e.kind == "symlink"
            else e
            for e in entries
        ]

    def extract(self, entries: list[Entry], dest: Path, advance: Advance) -> None:
        total = sum(entry.size for entry in entries)
        if self._native is not None:
            self._extract_native(dest, total, advance)
            return
        self._archive.reset()
        progress = _Py7zrProgress(advance)
        self._archive.extractall(path=dest, callback=progress)
        if progress.stopped is not None:  # py7zr reports from its own thread: stop here
            raise progress.stopped

    def _extract_native(self, dest: Path, total: int, advance: Advance) -> None:
        assert self._native is not None
        # The links were checked to stay inside; -snld lets 7-Zip make those that climb with '..'.
        command = [self._native, "x", str(self._path), f"-o{dest}", "-y", "-bso0", "-bse2", "-bsp1", "-snld"]
        with tempfile.TemporaryFile() as errors:
            code = _run_7z(command, errors, total, advance)
            if code == _7Z_COMMAND_LINE_ERROR:  # a 7z older than 7-Zip 21 knows no -snld
                code = _run_7z(command[:-1], errors, total, advance)
            if code != 0:
                errors.seek(0)
                message = errors.read().decode("utf-8", "replace").strip()
                raise InvalidInput(f"7z could not extract {self._path.name}", message[-2000:] or _DAMAGED)

    def close(self) -> None:
        self._archive.close()


def _run_7z(command: list[str], errors: IO[bytes], total: int, advance: Advance) -> int:
    """Run the 7z command, turning its percentages into progress; its exit code."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, stdin=subprocess.DEVNULL)
    assert process.stdout is not None
    reported = 0
    try:
        while block := os.read(process.stdout.fileno(), 4096):
            percents = re.findall(rb"(\d+)%", block)
            if percents:
                done = total * int(percents[-1]) // 100
                advance(max(0, done - reported))
                reported = max(reported, done)
    except BaseException:
        process.kill()
        raise
    finally:
        process.stdout.close()
        code = process.wait()
    if code == 0:
        advance(max(0, total - reported))
    return code


def _is_device(fmt: int | None) -> bool:
    return bool(fmt) and (stat.S_ISCHR(fmt or 0) or stat.S_ISBLK(fmt or 0) or stat.S_ISFIFO(fmt or 0))


class _Py7zrProgress(py7zr.callbacks.ExtractCallback):
    def __init__(self, advance: Advance) -> None:
        self._advance = advance
        self.stopped: BaseException | None = None

    def report_start_preparation(self) -> None:
        return None

    def report_start(self, processing_file_path: str, processing_bytes: str) -> None:
        return None

    def report_update(self, decompressed_bytes: str) -> None:
        return None

    def report_end(self, processing_file_path: str, wrote_bytes: str) -> None:
        if self.stopped is None:
            try:
                self._advance(int(wrote_bytes))
            except Exception as exc:
                self.stopped = exc

    def report_postprocess(self) -> None:
        return None

    def report_warning(self, message: str) -> None:
        return None


# -- writing ---------------------------------------------------------------


class FileWriter:
    """Creates each file new (never following a link, never over an existing file)."""

    def __init__(self, dest: Path, advance: Advance) -> None:
        self._dest = dest
        self._advance = advance
        self._made: set[Path] = {dest}

    def write(self, entry: Entry, source: IO[bytes]) -> None:
        path = self._dest / entry.name
        if path.parent not in self._made:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._made.add(path.parent)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, entry.mode | 0o600)
        written = 0
        with os.fdopen(fd, "wb") as out:
            while block := source.read(_COPY_BLOCK):
                written += len(block)
                if written > entry.size:
                    raise InvalidInput(
                        f"{entry.name} holds more data than the archive declares",
                        "The archive is damaged or crafted to exhaust the disk; nothing was kept.",
                    )
                self._advance(len(block))
                out.write(block)
