"""One containment check for every user-supplied path.

Every handler that takes a path resolves it here, so a path can never leave
the server's root directory: no ``..``, no absolute paths, no NUL or control
characters, no backslashes or drive letters, and no symlink (at any depth) that
points outside the root.
"""

import os
import unicodedata
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from .errors import InvalidPath

# Linux's limits (PATH_MAX, NAME_MAX), in bytes of the file system's encoding: past them
# every system call fails with "File name too long".
_MAX_PATH_BYTES = 4096
_MAX_NAME_BYTES = 255


class PathResolver:
    """Resolves API paths (``/``-separated, relative to ``root``) to real paths."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve(strict=True)

    def resolve(self, user_path: str, *, must_exist: bool = False) -> Path:
        """Return the absolute real path for ``user_path``.

        Raises ``InvalidPath`` naming what is wrong when the path is hostile,
        and when ``must_exist`` is set and nothing is there.
        """
        parts = checked_parts(user_path)
        candidate = self.root.joinpath(*parts)
        # resolve() follows every symlink on the way, so a link anywhere in the
        # path that points outside the root is caught by the containment test.
        try:
            real = candidate.resolve(strict=False)
        except (OSError, RuntimeError) as exc:  # a name the file system refuses; a link loop
            raise InvalidPath(
                f"Path {user_path!r} cannot be resolved",
                f"{exc}: check the names and the symbolic links on the way.",
            ) from exc
        if not self.contains(real):
            raise InvalidPath(
                f"Path {user_path!r} leads outside the workspace",
                "Use a path inside the server's root directory; symbolic links that "
                "point outside it are refused.",
            )
        if must_exist and not real.exists():
            raise InvalidPath(
                f"Path {user_path!r} does not exist",
                "Check the spelling; paths are relative to the server's root directory.",
            )
        return real

    def relative(self, real_path: Path) -> str:
        """The API form (``/``-separated, relative to the root) of a resolved path."""
        return real_path.relative_to(self.root).as_posix() if real_path != self.root else ""

    def contains(self, real_path: Path) -> bool:
        return real_path == self.root or str(real_path).startswith(str(self.root) + os.sep)

    def inside(self, real_path: Path) -> str | None:
        """The API form of a resolved path when it is inside the root; None when it is not."""
        return self.relative(real_path) if self.contains(real_path) else None


def checked_parts(user_path: str) -> list[str]:
    """The names of a relative API path, or ``InvalidPath`` saying what is wrong with it.

    Needs no root: the request boundary (``WorkspacePath``) checks this before any handler runs,
    and ``PathResolver.resolve`` again before it touches the file system.
    """
    if not isinstance(user_path, str):
        raise InvalidPath("Path must be a string", "Send the path as a JSON string.")
    try:
        encoded = os.fsencode(user_path)
    except UnicodeEncodeError as exc:  # a lone surrogate ("\ud800" in JSON)
        raise InvalidPath("Path is not valid text", "Send the path as UTF-8 text.") from exc
    if len(encoded) > _MAX_PATH_BYTES:
        raise InvalidPath("Path is too long", f"Paths are limited to {_MAX_PATH_BYTES} bytes.")
    if any(unicodedata.category(ch) == "Cc" for ch in user_path):
        raise InvalidPath(
            "Path contains a control character (NUL, newline, ...)",
            "Remove control characters from the path.",
        )
    if "\\" in user_path:
        raise InvalidPath("Path contains a backslash", "Separate folders with '/'.")
    if user_path.startswith("/") or user_path.startswith("~") or _has_drive(user_path):
        raise InvalidPath(
            f"Absolute path {user_path!r} is not allowed",
            "Give the path relative to the server's root directory, e.g. 'data/train.csv'.",
        )
    parts = [p for p in PurePosixPath(user_path).parts if p not in ("", ".")]
    if any(len(os.fsencode(part)) > _MAX_NAME_BYTES for part in parts):
        raise InvalidPath(
            "A file or folder name in the path is too long",
            f"Names are limited to {_MAX_NAME_BYTES} bytes each.",
        )
    # Also look at the percent-decoded and NFKC forms: a tool further down
    # the line may decode or normalise the name and meet a '..' there.
    decoded = PurePosixPath(unquote(unquote(user_path))).parts
    normalised = [unicodedata.normalize("NFKC", p) for p in parts]
    if ".." in parts or ".." in decoded or ".." in normalised or unquote(user_path).startswith("/"):
        raise InvalidPath(
            f"Path {user_path!r} contains '..'",
            "Give the path relative to the server's root directory without '..'.",
        )
    return parts


def _has_drive(path: str) -> bool:
    return len(path) >= 2 and path[1] == ":" and path[0].isalpha()
