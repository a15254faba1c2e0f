"""Adaptive micro-batching: requests that arrive together are inferred together.

One task takes what is queued; when that is fewer than ``max_size`` it waits up to ``window``
seconds for more, then runs the batch in the single inference thread. While a batch runs, new
requests queue up and form the next batch at once, so a busy service batches more.

The window gathers concurrent requests, so it is not waited for sequential ones: a request that
finds the service idle, after a batch of one, runs at once (one client calling in a loop pays no
window). A request that had to queue, or follows a batch of several, waits for the window as
configured: others are arriving together.

All of a request's CPU work runs in that one thread, as in a plain loop: decoding and
preprocessing (``work``, one per request), the batch's inference, postprocessing (``finish``).
Spreading the decoding over more threads only fights the framework's own threads for the cores
(on a 2-core machine PyTorch's throughput halved). A request's own error fails that request; an
error of the inference fails the requests of its batch.
"""

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .codec import jsonable
from .config import ServiceConfig
from .loaders import Handler

Work = Callable[[], Any]  # one request's decoding and preprocessing
Outcome = tuple[bool, Any]  # (True, result) or (False, the exception)


class BatchSizeMismatch(RuntimeError):
    pass


class Batcher:
    def __init__(
        self,
        infer: Callable[[list[Any]], list[Any]],
        finish: Callable[[Any], Any],
        max_size: int,
        window_s: float,
    ) -> None:
        self.infer, self.finish = infer, finish
        self.max_size, self.window_s = max(1, max_size), max(0.0, window_s)
        # Each request with whether it found the batcher idle, waiting for work.
        self._queue: asyncio.Queue[tuple[Work, asyncio.Future[Any], bool]] = asyncio.Queue()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inference")
        self._task: asyncio.Task[None] | None = None
        self._idle = True
        self._last_size = 1

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """After the server drained: nothing is queued any more."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        self._executor.shutdown(wait=True)

    async def submit(self, work: Work) -> Any:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((work, future, self._idle and self._queue.empty()))
        return await future

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            self._idle = True
            batch = [await self._queue.get()]
            self._idle = False
            sequential = batch[0][2] and self._last_size == 1
            deadline = time.monotonic() + (0.0 if sequential else self.window_s)
            while len(batch) < self.max_size:
                try:
                    batch.append(self._queue.get_nowait())
                    continue
                except asyncio.QueueEmpty:
                    pass
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                try:
                    batch.append(await asyncio.wait_for(self._queue.get(), left))
                except TimeoutError:
                    break
            self._last_size = len(batch)
            works = [work for work, _, _ in batch]
            outcomes = await loop.run_in_executor(self._executor, self._process, works)
            for (_, future, _), (ok, value) in zip(batch, outcomes, strict=True):
                if future.done():  # its client went away
                    continue
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(value)

    def _process(self, works: list[Work]) -> list[Outcome]:
        outcomes: list[Outcome] = [(False, None)] * len(works)
        prepared: list[tuple[int, Any]] = []
        for index, work in enumerate(works):
            try:
                prepared.append((index, work()))
            except Exception as exc:
                outcomes[index] = (False, exc)
        if not prepared:
            return outcomes
        try:
            results = list(self.infer([item for _, item in prepared]))
            if len(results) != len(prepared):
                raise BatchSizeMismatch(
                    f"The inference returned {len(results)} results for a batch of {len(prepared)}"
                )
        except Exception as exc:
            for index, _ in prepared:
                outcomes[index] = (False, exc)
            return outcomes
        for (index, _), result in zip(prepared, results, strict=True):
            try:
                outcomes[index] = (True, self.finish(result))
            except Exception as exc:
                outcomes[index] = (False, exc)
        return outcomes


def service_batcher(handler: Handler, config: ServiceConfig) -> Batcher:
    """A service's batcher: up to the config's batch size when its inference takes a batch."""
    size = config.batch_max_size if handler.batchable else 1
    return Batcher(
        handler.infer, lambda result: jsonable(handler.finish(result)), size, config.batch_window_ms / 1000
    )
