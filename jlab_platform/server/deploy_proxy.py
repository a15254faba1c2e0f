"""Deployed services behind Jupyter's login: ``/jlab-platform/deployments/{name}/...``.

The target is the name's active deployment as the store records it (a port this platform
started), never anything from the request. Jupyter's credentials are not passed on; the
request carries the proxy secret instead, which the service accepts in place of an API key.
"""

import asyncio

from tornado.simple_httpclient import HTTPStreamClosedError

from ..deploy.runtime.config import MAX_IMAGE_BYTES, PROXY_HEADER
from ..deploy.views import PROXY_PREFIX
from ..errors import Unavailable
from .endpoint import endpoint
from .tensorboard_proxy import Upstream


class DeploymentProxyHandler(Upstream):
    # base64 makes a 4 MiB image 5.4 MiB; room for the rest of the JSON.
    max_body_bytes = 2 * MAX_IMAGE_BYTES

    @property
    def content_security_policy(self) -> str:
        return "frame-ancestors 'self'; default-src 'none'"

    @endpoint("A deployed service's route (GET), under Jupyter's login", raw="*/*")
    async def get(self, name: str, path: str) -> None:
        await self._proxy(name)

    @endpoint(
        "A deployed service's route (POST: /aip, /predict, /v2/...), under Jupyter's login",
        raw="*/*",
        description="No API key is needed: the proxy vouches for the logged-in user.",
    )
    async def post(self, name: str, path: str) -> None:
        await self._proxy(name)

    async def _proxy(self, name: str) -> None:
        service = self.platform.deployments
        base = await asyncio.to_thread(service.target, name)
        uri = self.request.uri or ""
        marker = f"{PROXY_PREFIX}/{name}"
        tail = uri[uri.index(marker) + len(marker) :] or "/"
        self.request.headers[PROXY_HEADER] = service.proxy_secret
        try:
            await self._fetch(base + tail)
        except (OSError, HTTPStreamClosedError) as exc:
            raise Unavailable(f"Deployment {name!r} does not answer", "See its log; start it again.") from exc


DEPLOY_PROXY_ROUTES: list[tuple[str, type[Upstream]]] = [
    ("jlab-platform/deployments/(?P<name>[A-Za-z][A-Za-z0-9_-]{0,59})/(?P<path>.*)", DeploymentProxyHandler),
]
