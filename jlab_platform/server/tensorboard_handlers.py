"""``/tensorboard``: start (or reuse), list and stop TensorBoard instances.

The instances themselves are served under Jupyter's login by the proxy (tensorboard_proxy.py).
"""

import asyncio

from ..tensorboard.models import StartTensorBoard, TensorBoardInstance, TensorBoardList
from ..tensorboard.service import TensorBoardService
from .base import ApiHandler
from .endpoint import endpoint


class TensorBoardBase(ApiHandler):
    @property
    def tensorboard(self) -> TensorBoardService:
        return self.platform.tensorboard


class TensorBoardsHandler(TensorBoardBase):
    @endpoint("List TensorBoard instances (running and stopped)", response=TensorBoardList)
    async def get(self) -> TensorBoardList:
        return self.tensorboard.list()

    @endpoint(
        "Start TensorBoard for a folder, or reuse the instance already serving it",
        body=StartTensorBoard,
        response=TensorBoardInstance,
        status=201,
        description="Answers once TensorBoard serves (a few seconds for a new instance). "
        "400: the path leaves the root; 404: no such folder.",
    )
    async def post(self, body: StartTensorBoard) -> TensorBoardInstance:
        return await asyncio.to_thread(self.tensorboard.start, body.logdir)


class TensorBoardHandler(TensorBoardBase):
    @endpoint("Stop an instance and forget it", status=204)
    async def delete(self, instance_id: str) -> None:
        await asyncio.to_thread(self.tensorboard.stop, instance_id)


TENSORBOARD_ROUTES: list[tuple[str, type[ApiHandler]]] = [
    ("tensorboard", TensorBoardsHandler),
    ("tensorboard/(?P<instance_id>[^/]+)", TensorBoardHandler),
]
