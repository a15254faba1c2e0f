"""Restore output no faster than the Jupyter server can pass it on to the browser.

Between the kernel and the browser, output is dropped in two places when it comes too fast:
jupyter_server stops forwarding IOPub output above 1,000 messages/s or 1 MB/s of stream text
averaged over 3 s (its defaults, ``ZMQChannelsWebsocketConnection.iopub_msg_rate_limit`` and
``iopub_data_rate_limit``), and the ZeroMQ queues on either side hold 1,000 messages each. A
restore sent at full speed would lose part of what it restores. ``Pacer`` is a token bucket
under both: small restores go out at once, large ones at a steady rate the server accepts.
"""

import time
from collections.abc import Callable

PIECE_CHARS = 256 * 1024
_MESSAGE_OVERHEAD = 1024  # header, parent header and metadata, counted by the server too


class Pacer:
    def __init__(
        self,
        messages_per_s: float = 800,
        bytes_per_s: float = 600_000,
        burst_messages: float = 200,
        burst_bytes: float = 1_100_000,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._rates = (messages_per_s, bytes_per_s)
        self._bursts = (burst_messages, burst_bytes)
        self._messages, self._bytes = burst_messages, burst_bytes
        self._clock, self._sleep = clock, sleep
        self._last = clock()

    def wait(self, stream_bytes: int = 0) -> None:
        """Block until one more message (carrying ``stream_bytes`` of stream text) may go."""
        size = stream_bytes + _MESSAGE_OVERHEAD if stream_bytes else 0
        self._refill()
        # A piece larger than the bucket goes when the bucket is full, and leaves it in debt.
        needed = min(size, self._bursts[1])
        delay = max((1 - self._messages) / self._rates[0], (needed - self._bytes) / self._rates[1], 0.0)
        if delay > 0:
            self._sleep(delay)
            self._refill()
        self._messages -= 1
        self._bytes -= size

    def _refill(self) -> None:
        now = self._clock()
        elapsed, self._last = now - self._last, now
        self._messages = min(self._bursts[0], self._messages + elapsed * self._rates[0])
        self._bytes = min(self._bursts[1], self._bytes + elapsed * self._rates[1])


def pieces(text: str, limit: int = PIECE_CHARS) -> list[str]:
    """``text`` cut into pieces of at most ``limit`` characters, at line ends where there are some."""
    out = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit) + 1 or limit
        out.append(text[:cut])
        text = text[cut:]
    if text or not out:
        out.append(text)
    return out
