"""Invite tokens: random, stored only as a hash, checked in constant time; guessing is rate-limited.

A token is ``<labeler id>.<secret>``. The id finds the one row to compare with, so a check
costs one lookup; the secret (256 random bits) is what proves the holder was invited.
SHA-256 suffices for a secret of that entropy: there is nothing to brute-force offline.
"""

import asyncio
import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

_SECRET_BYTES = 32
_DUMMY_HASH = hashlib.sha256(b"no such invite").hexdigest()


class TokenRejected(Exception):
    """The token is unknown, malformed, revoked or expired; ``reason`` is safe to show."""

    def __init__(self, reason: str, guess: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.guess = guess  # counts toward the per-address limit (a revoked link does not)


class TooManyGuesses(Exception):
    """The address sent too many invalid tokens; it may try again in ``wait`` seconds."""

    def __init__(self, wait: float) -> None:
        super().__init__(f"retry in {wait:.0f} s")
        self.wait = wait


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


class TokenGate:
    """Lets a request in only with a token that proves an invitation, before its body is read.

    Tokens that passed recently are known from memory (a labeler's every keystroke is a
    request). Others are checked against their stored hash one at a time per address, with
    the limiter asked and told inside that turn: concurrent guesses from one address cannot
    all pass the limiter before the first of them is counted. Revocation and expiry are
    left to the labeling call itself, which resolves the token again in its transaction.
    """

    def __init__(
        self,
        stored_hash: Callable[[str], str | None],
        limiter: FailureLimiter,
        remember_seconds: float = 300.0,
        max_tokens: int = 10_000,
    ) -> None:
        self.limiter = limiter
        self._stored_hash = stored_hash  # blocking (a store lookup): run in a thread
        self._remember = remember_seconds
        self._max = max_tokens
        self._known: OrderedDict[str, float] = OrderedDict()  # hash of the token -> until when
        self._turns: dict[str, tuple[asyncio.Lock, int]] = {}  # address -> (its lock, requests using it)

    async def admit(self, token: str | None, address: str) -> None:
        """Return when ``token`` is an invitation's; raise ``TooManyGuesses`` or ``TokenRejected``."""
        key = hash_secret(token or "")
        if self._is_known(key):
            return
        async with self._turn(address):
            if self._is_known(key):  # checked while this request waited its turn
                return
            wait = self.limiter.retry_after(address)
            if wait > 0:
                raise TooManyGuesses(wait)
            try:
                parsed = parse_token(token)
                stored = await asyncio.to_thread(self._stored_hash, parsed.labeler_id)
                if not secret_matches(parsed.secret, stored):
                    raise TokenRejected("The labeling link is not valid")
            except TokenRejected:
                self.limiter.failed(address)
                raise
        self._known[key] = time.monotonic() + self._remember
        self._known.move_to_end(key)
        while len(self._known) > self._max:
            self._known.popitem(last=False)

    def _is_known(self, key: str) -> bool:
        return self._known.get(key, 0.0) > time.monotonic()

    def forget(self, token: str | None) -> None:
        """Check ``token`` against the store again next time (its labeling call refused it)."""
        self._known.pop(hash_secret(token or ""), None)

    @asynccontextmanager
    async def _turn(self, address: str) -> AsyncIterator[None]:
        lock, users = self._turns.get(address, (asyncio.Lock(), 0))
        self._turns[address] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._turns[address]
            if users == 1:
                del self._turns[address]
            else:
                self._turns[address] = (lock, users - 1)
