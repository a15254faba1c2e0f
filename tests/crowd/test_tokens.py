import asyncio
import time

import pytest

from jlab_platform.crowd.tokens import (
    FailureLimiter,
    TokenGate,
    TokenRejected,
    TooManyGuesses,
    hash_secret,
    make_token,
    new_secret,
    parse_token,
    secret_matches,
)


def test_tokens_are_random_and_only_their_hash_is_kept() -> None:
    secret, digest = new_secret()
    other, _ = new_secret()
    assert secret != other and len(secret) >= 40
    assert digest == hash_secret(secret) and secret not in digest
    assert secret_matches(secret, digest)
    assert not secret_matches(other, digest)
    assert not secret_matches(secret, None)
    parsed = parse_token(make_token("abc123", secret))
    assert (parsed.labeler_id, parsed.secret) == ("abc123", secret)


@pytest.mark.parametrize("token", ["", "nodot", "a.b.c", "../x.y", "x" * 300, None])
def test_malformed_tokens_are_rejected_as_guesses(token: str | None) -> None:
    with pytest.raises(TokenRejected) as info:
        parse_token(token)
    assert info.value.guess


def test_limiter_refuses_after_the_limit_until_the_window_passes() -> None:
    limiter = FailureLimiter(limit=3, window=0.3)
    for _ in range(3):
        assert limiter.retry_after("10.0.0.1") == 0
        limiter.failed("10.0.0.1")
    assert 0 < limiter.retry_after("10.0.0.1") <= 0.3
    assert limiter.retry_after("10.0.0.2") == 0  # per address
    time.sleep(0.35)
    assert limiter.retry_after("10.0.0.1") == 0


def test_limiter_memory_is_bounded() -> None:
    limiter = FailureLimiter(limit=1, window=60, max_addresses=100)
    for index in range(1000):
        limiter.failed(f"10.0.{index // 256}.{index % 256}")
    assert len(limiter._failures) == 100


async def test_gate_counts_concurrent_guesses_before_the_next_is_looked_up() -> None:
    secret, digest = new_secret()
    looked_up: list[str] = []

    def stored_hash(labeler_id: str) -> str | None:
        looked_up.append(labeler_id)
        time.sleep(0.01)  # a store round trip, during which the other requests arrive
        return digest if labeler_id == "me" else None

    gate = TokenGate(stored_hash, FailureLimiter(limit=3, window=60))

    async def attempt(token: str) -> str:
        try:
            await gate.admit(token, "10.0.0.1")
        except TooManyGuesses:
            return "refused"
        except TokenRejected:
            return "rejected"
        return "admitted"

    guesses = await asyncio.gather(*(attempt(f"g{n}.wrong") for n in range(50)))
    assert guesses.count("rejected") == 3 and guesses.count("refused") == 47 and len(looked_up) == 3
    assert await attempt(make_token("me", secret)) == "refused"  # the address waits, whoever it is

    other = TokenGate(stored_hash, FailureLimiter(limit=3, window=60))
    looked_up.clear()
    token = make_token("me", secret)
    results = await asyncio.gather(*(other.admit(token, "10.0.0.2") for _ in range(20)))
    assert results == [None] * 20 and len(looked_up) == 1  # one check, then known from memory
    other.forget(token)
    await other.admit(token, "10.0.0.2")
    assert len(looked_up) == 2 and not other._turns  # no lock left behind per address
