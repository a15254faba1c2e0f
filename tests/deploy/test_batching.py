"""The batcher's window: gathered for requests that arrive together, not waited for sequential ones."""

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any

from jlab_platform.deploy.runtime.batching import Batcher

WINDOW = 2.0  # far longer than any of these requests: a wait for it cannot go unseen


def work(value: int) -> Callable[[], int]:
    return lambda: value


class Model:
    def __init__(self, release: threading.Event | None = None) -> None:
        self.batches: list[list[Any]] = []
        self.release = release

    def infer(self, batch: list[Any]) -> list[Any]:
        self.batches.append(batch)
        if self.release is not None and len(self.batches) == 1:
            self.release.wait(30)  # the first batch runs until the test lets it go
        return [item * 10 for item in batch]


def test_sequential_requests_do_not_wait_for_the_window() -> None:
    model = Model()

    async def scenario() -> float:
        batcher = Batcher(model.infer, lambda result: result, max_size=8, window_s=WINDOW)
        batcher.start()
        started = time.monotonic()
        for value in range(3):  # one client calling in a loop
            assert await batcher.submit(work(value)) == value * 10
        await batcher.stop()
        return time.monotonic() - started

    assert asyncio.run(scenario()) < WINDOW
    assert model.batches == [[0], [1], [2]]


def test_requests_queued_while_a_batch_runs_form_the_next_batch() -> None:
    release = threading.Event()
    model = Model(release)

    async def scenario() -> list[Any]:
        batcher = Batcher(model.infer, lambda result: result, max_size=4, window_s=WINDOW)
        batcher.start()
        first = asyncio.ensure_future(batcher.submit(work(1)))
        while not model.batches:  # the first batch is running
            await asyncio.sleep(0.01)
        queued = [asyncio.ensure_future(batcher.submit(work(v))) for v in (2, 3, 4, 5, 6)]
        await asyncio.sleep(0.05)
        release.set()
        answers = await asyncio.gather(first, *queued)
        await batcher.stop()
        return answers

    assert asyncio.run(scenario()) == [10, 20, 30, 40, 50, 60]
    # Four queued together (the batch size), then the fifth after them, once the window passed.
    assert model.batches == [[1], [2, 3, 4, 5], [6]]
