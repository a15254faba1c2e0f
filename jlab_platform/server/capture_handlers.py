"""``/outputs``: captured cell output: list, read back as nbformat outputs, delete."""

import asyncio

from ..capture.models import Capture, CaptureList, CaptureListQuery
from ..capture.service import CaptureService
from .base import ApiHandler
from .endpoint import endpoint


class CaptureBase(ApiHandler):
    @property
    def captures(self) -> CaptureService:
        return self.platform.captures


class CapturesHandler(CaptureBase):
    @endpoint("Captured cell outputs, newest first", query=CaptureListQuery, response=CaptureList)
    async def get(self, query: CaptureListQuery) -> CaptureList:
        return await asyncio.to_thread(
            self.captures.list_captures, notebook=query.notebook, limit=query.limit, offset=query.offset
        )


class CaptureHandler(CaptureBase):
    @endpoint("One capture with its outputs restored", response=Capture)
    async def get(self, name: str) -> Capture:
        return await asyncio.to_thread(self.captures.get, name)

    @endpoint("Delete a capture (not while its cell runs)", status=204)
    async def delete(self, name: str) -> None:
        await asyncio.to_thread(self.captures.delete, name)


CAPTURE_ROUTES: list[tuple[str, type[ApiHandler]]] = [
    ("outputs", CapturesHandler),
    (r"outputs/(?P<name>[^/]+)", CaptureHandler),
]
