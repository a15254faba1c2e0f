"""``/info``: the server's version and detected capabilities."""

from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from .base import ApiHandler


class InfoHandler(ApiHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.send_json(info_payload(self))


class InfoRefreshHandler(ApiHandler):
    """Detect again, e.g. after installing TensorFlow into the server's environment."""

    @web.authenticated
    @authorized
    async def post(self) -> None:
        self.platform.refresh_capabilities()
        self.send_json(info_payload(self))


def info_payload(handler: ApiHandler) -> dict[str, Any]:
    platform = handler.platform
    payload = platform.capabilities.to_json()
    payload["schema_version"] = platform.schema_version
    payload["results_dir"] = platform.paths.relative(platform.settings.results_dir)
    return payload
