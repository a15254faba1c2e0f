"""TensorBoard behind Jupyter's login: ``/jlab-platform/tensorboard/{id}/...`` and ``.../port/{port}/...``.

Requests are forwarded to 127.0.0.1 with tornado's AsyncHTTPClient and the answer streamed
back as it arrives (compressed bodies pass through as they are). Only two kinds of target
exist: an instance this platform started (by id), and a port held by a TensorBoard that a
kernel of this server started (``%tensorboard``, through ``TENSORBOARD_PROXY_URL``); nothing
else on the machine can be reached. Jupyter's cookies and tokens are not passed on.
"""

import asyncio
import os
import socket
from collections.abc import Awaitable, Callable
from typing import Any

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
from tornado.httputil import HTTPHeaders, parse_response_start_line
from tornado.netutil import Resolver
from tornado.simple_httpclient import HTTPStreamClosedError

from ..errors import NotFound, Unavailable
from ..tensorboard.notebook_ports import PROXY_URL_ENV, NotebookPorts
from ..tensorboard.process import PREFIX
from .base import ApiHandler
from .endpoint import endpoint

# Per connection, not end to end (RFC 9110 7.6.1), and Jupyter's credentials.
_REQUEST_DROPPED = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "cookie",
    "authorization",
    "x-xsrftoken",
    "content-length",
}
_RESPONSE_DROPPED = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "set-cookie",  # TensorBoard sets none; none may land on Jupyter's origin
    "server",
    "date",
}
_FLUSH_BYTES = 64 * 1024
_REQUEST_TIMEOUT = 300.0  # a large log's first data request can take this long
_client: AsyncHTTPClient | None = None
_PORTS_KEY = "jlab_platform_notebook_ports"


class _LoopbackResolver(Resolver):
    """Addresses here are IP literals: no getaddrinfo on a thread for every request."""

    async def resolve(
        self, host: str, port: int, family: socket.AddressFamily = socket.AF_UNSPEC
    ) -> list[tuple[int, Any]]:
        return [(socket.AF_INET6 if ":" in host else socket.AF_INET, (host, port))]


def _http_client() -> AsyncHTTPClient:
    """One client of our own (not the shared one, whose 10 connections others may hold)."""
    global _client
    if _client is None:
        _client = AsyncHTTPClient(force_instance=True, max_clients=64, resolver=_LoopbackResolver())
    return _client


class Upstream(ApiHandler):
    """Forwards the request to a TensorBoard on the loopback interface."""

    max_body_bytes = 1024 * 1024  # TensorBoard's POST bodies are small JSON queries

    @property
    def content_security_policy(self) -> str:
        # TensorBoard's pages run scripts (an API handler's policy forbids everything); its own
        # policy comes with each answer. Only JupyterLab's pages may frame it.
        return "frame-ancestors 'self'"

    def check_xsrf_cookie(self) -> None:
        # TensorBoard's pages post (the hparams dashboard) without Jupyter's XSRF token. The
        # browser says a request comes from our own origin, which no other site can forge.
        if self.request.headers.get("Sec-Fetch-Site") == "same-origin":
            return
        super().check_xsrf_cookie()

    def compute_etag(self) -> str | None:
        return None  # TensorBoard's own ETag is passed on; hashing each body here costs time

    async def forward(self, url: str, on_refused: Callable[[], Awaitable[str]] | None = None) -> None:
        """Answer with what ``url`` answers; when nothing listens, ask ``on_refused`` for another URL once."""
        try:
            await self._fetch(url)
        except (OSError, HTTPStreamClosedError) as exc:  # nothing listens (it died), or it hung up
            if on_refused is None or self._answer_started:
                raise Unavailable("TensorBoard does not answer", "Open it again.") from exc
            await self._fetch(await on_refused())

    async def _fetch(self, url: str) -> None:
        self._answer_started = False
        self._unflushed = 0
        body = b"".join(self._body)
        request = HTTPRequest(
            url,
            method=self.request.method or "GET",
            headers=HTTPHeaders(
                {k: v for k, v in self.request.headers.get_all() if k.lower() not in _REQUEST_DROPPED}
            ),
            body=body if self.request.method == "POST" else None,
            header_callback=self._on_header,
            streaming_callback=self._on_chunk,
            decompress_response=False,
            follow_redirects=False,
            connect_timeout=10,
            request_timeout=_REQUEST_TIMEOUT,
        )
        try:
            await _http_client().fetch(request, raise_error=False)
        except HTTPStreamClosedError:
            raise  # closed before answering: see forward()
        except HTTPClientError as exc:  # 599: a timeout or a connection lost mid-answer
            raise Unavailable("TensorBoard did not answer in time", str(exc)) from exc
        self.finish()

    def _on_header(self, line: str) -> None:
        if line.startswith("HTTP/"):
            start = parse_response_start_line(line.strip())
            self.clear_header("Content-Type")
            self.set_status(start.code, start.reason)
            return
        name, _, value = line.partition(":")
        if name.strip() and name.strip().lower() not in _RESPONSE_DROPPED:
            self.add_header(name.strip(), value.strip())

    def _on_chunk(self, chunk: bytes) -> None:
        self._answer_started = True
        self.write(chunk)
        self._unflushed += len(chunk)
        if self._unflushed >= _FLUSH_BYTES:  # large answers stream; small ones go out in one write
            self._unflushed = 0
            self.flush()

    def finish(self, *args: Any, **kwargs: Any) -> Any:
        # APIHandler.finish would call every answer JSON; keep TensorBoard's content type.
        content_type = self._headers.get("Content-Type")
        if content_type:
            kwargs.setdefault("set_content_type", content_type)
        return super().finish(*args, **kwargs)


class TensorBoardProxyHandler(Upstream):
    @endpoint(
        "An instance's TensorBoard (pages and data), under Jupyter's login",
        raw="*/*",
        description="A stopped instance starts again on the first request (a few seconds).",
    )
    async def get(self, instance_id: str, path: str) -> None:
        await self._proxy(instance_id)

    @endpoint("An instance's TensorBoard data queries (POST), under Jupyter's login", raw="*/*")
    async def post(self, instance_id: str, path: str) -> None:
        await self._proxy(instance_id)

    async def _proxy(self, instance_id: str) -> None:
        service = self.platform.tensorboard
        tail = _after(self.request.uri or "", f"{PREFIX}/{instance_id}/", keep=True)

        async def revive() -> str:
            port = await asyncio.to_thread(service.revive, instance_id)
            return f"http://127.0.0.1:{port}{tail}"

        port = service.port_of(instance_id)
        if port is None:
            await self.forward(await revive())
        else:
            await self.forward(f"http://127.0.0.1:{port}{tail}", revive)


class NotebookTensorBoardHandler(Upstream):
    """What ``%tensorboard`` in a kernel shows: its TensorBoard, served at the root of its port."""

    @endpoint("The TensorBoard a kernel's %tensorboard started, by its port", raw="*/*")
    async def get(self, port: str, path: str) -> None:
        await self._proxy(int(port))

    @endpoint("Data queries (POST) of the TensorBoard a kernel's %tensorboard started", raw="*/*")
    async def post(self, port: str, path: str) -> None:
        await self._proxy(int(port))

    async def _proxy(self, port: int) -> None:
        ports = self.settings.get(_PORTS_KEY)
        if ports is None:
            ports = self.settings[_PORTS_KEY] = NotebookPorts(os.environ.get(PROXY_URL_ENV, ""))
        host = await asyncio.to_thread(ports.host, port)
        if host is None:
            raise NotFound(
                f"No TensorBoard of this server's kernels listens on port {port}",
                "Run %tensorboard in a notebook again.",
            )
        await self.forward(f"http://{host}:{port}{_after(self.request.uri or '', f'{PREFIX}/port/{port}')}")


def _after(uri: str, marker: str, keep: bool = False) -> str:
    """The part of ``uri`` from ``marker`` (``keep``) or after it: the path TensorBoard serves."""
    start = uri.index(marker)
    return uri[start:] if keep else uri[start + len(marker) :] or "/"


TENSORBOARD_PROXY_ROUTES: list[tuple[str, type[ApiHandler]]] = [
    ("jlab-platform/tensorboard/port/(?P<port>[0-9]{1,5})/(?P<path>.*)", NotebookTensorBoardHandler),
    ("jlab-platform/tensorboard/(?P<instance_id>[0-9a-f]{12})/(?P<path>.*)", TensorBoardProxyHandler),
]
