"""Invite tokens: random, stored only as a hash, checked in constant time; guessing is rate-limited.

A token is ``<labeler id>.<secret>``. The id finds the one row to compare with, so a check
costs one lookup; the secret (256 random bits) is what proves the holder was invited.
SHA-256 suffices for a secret of that entropy: there is nothing to brute-force offline.
"""

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

_SECRET_BYTES = 32
_DUMMY_HASH = hashlib.sha256(b"no such invite").hexdigest()


class TokenRejected(Exception):
    """The token is unknown, malformed, revoked or expired; ``reason`` is safe to show."""

    def __init__(self, reason: str, guess: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.guess = guess  # counts toward the per-address limit (a revoked link does not)


@dataclass(frozen=True)
class ParsedToken:
    labeler_id: str
    secret: str


def new_secret() -> tuple[str, str]:
    """A fresh secret and the hash to store."""
    secret = secrets.token_urlsafe(_SECRET_BYTES)
    return secret, hash_secret(secret)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def make_token(labeler_id: str, secret: str) -> str:
    return f"{labeler_id}.{secret}"


def parse_token(token: str | None) -> ParsedToken:
    if not token or len(token) > 200 or token.count(".") != 1:
        raise TokenRejected("The labeling link is not valid")
    labeler_id, secret = token.split(".")
    if not labeler_id.isalnum() or not secret:
        raise TokenRejected("The labeling link is not valid")
    return ParsedToken(labeler_id, secret)


def secret_matches(secret: str, stored_hash: str | None) -> bool:
    """Constant-time comparison; an unknown labeler compares against a dummy so timing tells nothing."""
    return hmac.compare_digest(hash_secret(secret), stored_hash or _DUMMY_HASH) and stored_hash is not None


class FailureLimiter:
    """At most ``limit`` rejected tokens per address per ``window`` seconds; then refuse until it passes."""

    def __init__(self, limit: int = 10, window: float = 60.0, max_addresses: int = 10_000) -> None:
        self.limit = limit
        self.window = window
        self._max = max_addresses
        self._failures: OrderedDict[str, list[float]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, address: str) -> float:
        """Seconds until ``address`` may try again; 0 when it may now."""
        now = time.monotonic()
        with self._lock:
            recent = self._recent(address, now)
            if len(recent) < self.limit:
                return 0.0
            return max(0.0, recent[0] + self.window - now)

    def failed(self, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            recent = self._recent(address, now)
            recent.append(now)
            self._failures[address] = recent
            self._failures.move_to_end(address)
            while len(self._failures) > self._max:
                self._failures.popitem(last=False)

    def _recent(self, address: str, now: float) -> list[float]:
        return [t for t in self._failures.get(address, []) if t > now - self.window]
