"""Adaptive micro-batching: requests that arrive together are inferred together.

One task takes what is queued; when that is fewer than ``max_size`` it waits up to ``window``
seconds for more, then runs the batch in the single inference thread (models are called from
one thread only). While a batch runs, new requests queue up and form the next batch at once,
so a busy service batches more and an idle one answers a lone request after at most the window.
"""

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

Infer = Callable[[list[Any]], list[Any]]


class BatchSizeMismatch(RuntimeError):
    pass


class Batcher:
    def __init__(self, infer: Infer, max_size: int, window_s: float) -> None:
        self.infer, self.max_size, self.window_s = infer, max(1, max_size), max(0.0, window_s)
        self._queue: asyncio.Queue[tuple[Any, asyncio.Future[Any]]] = asyncio.Queue()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inference")
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """After the server drained: nothing is queued any more."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        self._executor.shutdown(wait=True)

    async def submit(self, item: Any) -> Any:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        await self._queue.put((item, future))
        return await future

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = [await self._queue.get()]
            deadline = time.monotonic() + self.window_s
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
            items = [item for item, _ in batch]
            try:
                results = await loop.run_in_executor(self._executor, self._checked, items)
            except Exception as exc:  # the inference's own error: every request of the batch gets it
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():  # its client may have gone away
                    future.set_result(result)

    def _checked(self, items: list[Any]) -> list[Any]:
        results = list(self.infer(items))
        if len(results) != len(items):
            raise BatchSizeMismatch(
                f"The inference returned {len(results)} results for a batch of {len(items)}"
            )
        return results
