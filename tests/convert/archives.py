"""Build archives entry by entry, hostile ones included, in each format.

An entry is ``(kind, name, value)``: ``("file", name, bytes)``, ``("dir", name, None)``,
``("symlink", name, target)``, ``("hardlink", name, member)``, ``("device", name, None)``.
Names given as ``bytes`` are stored raw (a GBK name from a Windows tool, say).
"""

import io
import os
import stat
import subprocess
import tarfile
import tempfile
import zipfile
from pathlib import Path

import py7zr

Entry = tuple[str, str | bytes, bytes | str | None]
FORMATS = ("zip", "7z", "tar", "tar.gz", "tar.bz2", "tar.xz")


def build(path: Path, entries: list[Entry]) -> Path:
    if path.name.endswith(".zip"):
        _zip(path, entries)
    elif path.name.endswith(".7z"):
        _seven_zip(path, entries)
    else:
        _tar(path, entries)
    return path


class _RawNameInfo(zipfile.ZipInfo):
    """A zip entry whose name bytes are written as given, without the UTF-8 flag."""

    raw_name = b""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:
        return self.raw_name, self.flag_bits & ~0x800


def _zip(path: Path, entries: list[Entry]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for kind, name, value in entries:
            if isinstance(name, bytes):
                info: zipfile.ZipInfo = _RawNameInfo(name.decode("cp437"))
                assert isinstance(info, _RawNameInfo)
                info.raw_name = name
            else:
                info = zipfile.ZipInfo(name + ("/" if kind == "dir" else ""))
            info.create_system = 3
            info.compress_type = zipfile.ZIP_DEFLATED
            mode = {
                "dir": stat.S_IFDIR | 0o755,
                "symlink": stat.S_IFLNK | 0o777,
                "device": stat.S_IFCHR | 0o644,
            }
            info.external_attr = mode.get(kind, stat.S_IFREG | 0o644) << 16
            data = value.encode() if isinstance(value, str) else value or b""
            archive.writestr(info, data)


def _tar(path: Path, entries: list[Entry]) -> None:
    mode = {"tar": "w", "tar.gz": "w:gz", "tar.bz2": "w:bz2", "tar.xz": "w:xz"}[path.name.split(".", 1)[1]]
    # GNU format keeps names as the bytes given (PAX would add UTF-8 copies).
    with tarfile.open(
        path, mode, format=tarfile.GNU_FORMAT, encoding="utf-8", errors="surrogateescape"
    ) as tar:
        for kind, name, value in entries:
            text = name.decode("utf-8", "surrogateescape") if isinstance(name, bytes) else name
            info = tarfile.TarInfo(text)
            data = b""
            if kind == "file":
                data = value if isinstance(value, bytes) else b""
                info.size = len(data)
            elif kind == "dir":
                info.type, info.mode = tarfile.DIRTYPE, 0o755
            elif kind in ("symlink", "hardlink"):
                info.type = tarfile.SYMTYPE if kind == "symlink" else tarfile.LNKTYPE
                info.linkname = str(value)
            elif kind == "device":
                info.type, info.devmajor, info.devminor = tarfile.CHRTYPE, 1, 3
            tar.addfile(info, io.BytesIO(data) if kind == "file" else None)


def _seven_zip(path: Path, entries: list[Entry]) -> None:
    """Files and folders through py7zr (past its own name checks); links through the 7z command."""
    links = [(str(name), str(value)) for kind, name, value in entries if kind == "symlink"]
    others = [entry for entry in entries if entry[0] not in ("symlink",)]
    if any(kind in ("hardlink", "device") for kind, _, _ in others):
        raise ValueError("7z archives carry neither hard links nor device files")
    with py7zr.SevenZipFile(path, "w") as archive:
        for kind, name, value in others:
            text = name.decode("utf-8") if isinstance(name, bytes) else name
            if kind == "dir":
                archive._writestr(b"", text + "/")
            else:
                archive._writestr(value if isinstance(value, bytes) else b"", text)
    if links:
        with tempfile.TemporaryDirectory() as folder:
            for name, target in links:
                os.makedirs(Path(folder, name).parent, exist_ok=True)
                os.symlink(target, Path(folder, name))
            subprocess.run(
                ["7z", "a", "-snl", str(path.resolve()), *[name for name, _ in links]],
                cwd=folder,
                check=True,
                capture_output=True,
            )


def tree(folder: Path) -> list[str]:
    """Everything under ``folder``, links not followed, as sorted relative names."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))
