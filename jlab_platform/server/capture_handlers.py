"""``/outputs``: captured cell output: list, read back as nbformat outputs, delete."""

import asyncio

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..capture.service import CaptureService
from .base import ApiHandler


class CaptureBase(ApiHandler):
    @property
    def captures(self) -> CaptureService:
        return self.platform.captures


class CapturesHandler(CaptureBase):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        notebook = self.get_query_argument("notebook", None) or None
        captures, total = await asyncio.to_thread(
            self.captures.list_captures,
            notebook=notebook,
            limit=self.query_int("limit", 100, 0, 1000),
            offset=self.query_int("offset", 0, 0),
        )
        # Kernels ask for the directory once and write their captures there themselves.
        self.send_json({"directory": str(self.captures.directory), "captures": captures, "total": total})


class CaptureHandler(CaptureBase):
    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        self.send_json(await asyncio.to_thread(self.captures.get, name))

    @web.authenticated
    @authorized
    async def delete(self, name: str) -> None:
        await asyncio.to_thread(self.captures.delete, name)
        self.set_status(204)
        self.finish()


CAPTURE_ROUTES: list[tuple[str, type[ApiHandler]]] = [
    ("outputs", CapturesHandler),
    (r"outputs/(?P<name>[^/]+)", CaptureHandler),
]
