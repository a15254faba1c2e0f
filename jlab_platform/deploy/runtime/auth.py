"""Who may call a service: a Bearer API key whose sha256 is listed, or Jupyter's proxy.

The manager keeps the keys file (a JSON list of hex digests); it is read again whenever its
modification time or size changes, so a revoked key stops working without a restart.
"""

import hashlib
import hmac
import json
import os
import threading
from collections.abc import Mapping
from pathlib import Path

from .config import PROXY_HEADER, PROXY_SECRET_ENV


class Denied(Exception):
    """Not allowed: ``status`` 401 (no credentials) or 403 (wrong ones)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class KeyRing:
    def __init__(self, keys_file: Path | None, proxy_secret: str | None = None) -> None:
        self.keys_file = keys_file
        self.proxy_secret = proxy_secret if proxy_secret is not None else os.environ.get(PROXY_SECRET_ENV)
        self._digests: tuple[str, ...] = ()
        self._stamp: tuple[int, int] | None = None
        self._lock = threading.Lock()

    def check(self, headers: Mapping[str, str]) -> None:
        """Raise Denied unless the request carries a valid key or the proxy's secret.

        ``headers``: Starlette's case-insensitive ``Headers`` (or a mapping with lower-case names).
        """
        proxied = headers.get(PROXY_HEADER.lower())
        if proxied is not None and self.proxy_secret:
            if hmac.compare_digest(proxied.encode(), self.proxy_secret.encode()):
                return
            raise Denied(403, f"The {PROXY_HEADER} header is wrong")
        authorization = headers.get("authorization")
        if not authorization:
            raise Denied(401, "An API key is required: send 'Authorization: Bearer <key>'")
        scheme, _, key = authorization.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise Denied(401, "Send the API key as 'Authorization: Bearer <key>'")
        digest = hashlib.sha256(key.strip().encode()).hexdigest()
        # Every digest is compared (no early exit), each in constant time.
        matches = [hmac.compare_digest(digest, known) for known in self._current()]
        if not any(matches):
            raise Denied(403, "The API key is not valid (wrong or revoked)")

    def _current(self) -> tuple[str, ...]:
        if self.keys_file is None:
            return ()
        try:
            status = self.keys_file.stat()
        except OSError:
            return ()  # no keys file: no key is valid
        stamp = (status.st_mtime_ns, status.st_size)
        if stamp != self._stamp:
            with self._lock:
                self._digests = _read_digests(self.keys_file)
                self._stamp = stamp
        return self._digests


def _read_digests(path: Path) -> tuple[str, ...]:
    try:
        listed = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ()  # half-written or unreadable: refuse every key until it is whole again
    if not isinstance(listed, list):
        return ()
    return tuple(item.lower() for item in listed if isinstance(item, str) and len(item) == 64)
