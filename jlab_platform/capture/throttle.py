"""Keep stream floods small in the store without losing their final state.

The kernel already batches what a cell prints into one message per flush (about every
0.2 s), but a loop that flushes after every write (tqdm does, ``print(..., flush=True)``
does) sends one message per write. ``StreamThrottle`` writes a stream chunk at once when the
previous stream record is older than ``interval``; otherwise it holds it back and joins it
with what follows until ``interval`` has passed, then writes the joined chunk collapsed
(``\\r`` rewrites reduced to their result). Order is kept: a chunk of the other stream, or
any other output, first writes what is held back.
"""

from typing import Any

from .text import collapse

Record = dict[str, Any]


class StreamThrottle:
    def __init__(self, interval: float = 0.25) -> None:
        self.interval = interval
        self._name: str | None = None
        self._held: list[str] = []
        self._last_write = float("-inf")

    @property
    def holding(self) -> bool:
        return bool(self._held)

    def add(self, name: str, text: str, now: float) -> list[Record]:
        """The records to write now for a chunk of stream ``name`` that arrived at ``now``."""
        out = self.drain() if self._held and name != self._name else []
        self._name = name
        self._held.append(text)
        if now - self._last_write >= self.interval:
            out.extend(self._release(now))
        return out

    def due(self, now: float) -> list[Record]:
        """What is held back and has waited long enough (called by a timer)."""
        if self._held and now - self._last_write >= self.interval:
            return self._release(now)
        return []

    def drain(self) -> list[Record]:
        """Everything held back, whatever its age (before another output, and at the end)."""
        return self._release(self._last_write) if self._held else []

    def _release(self, now: float) -> list[Record]:
        text = collapse("".join(self._held))
        self._held = []
        self._last_write = now
        return [{"type": "stream", "name": self._name, "text": text}] if text else []
