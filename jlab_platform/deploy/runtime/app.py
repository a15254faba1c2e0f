"""The service's routes (Starlette): seed 003's ``/aip``, ``/predict``, OIP v2, health.

A request's CPU work (its JSON, base64 and image decoding, pre- and postprocessing) runs in the
batcher's one inference thread, beside the batch's inference; only an OIP v2 body's JSON and
tensor layout are read in a worker thread first. The event loop moves bytes.
"""

import asyncio
import datetime as dt
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .auth import Denied, KeyRing
from .batching import Batcher
from .codec import BadInput, decode_image, request_values
from .config import ServiceConfig
from .loaders import Handler
from .oip import OipError, infer_requests, infer_response, metadata, typed_inputs

log = logging.getLogger("jlab_platform.deploy.runtime")

AIP_OK, AIP_BAD_INPUT, AIP_FAILED = 200, 400, 401  # seed 003's codes
_AIP_HTTP = {AIP_OK: 200, AIP_BAD_INPUT: 400, AIP_FAILED: 500}
_AIP_SLACK = 64 * 1024  # the JSON around the base64 text


@dataclass
class ServiceState:
    """The loaded model, and the batcher started with the server (``ready`` from then on)."""

    handler: Handler | None = None
    batcher: Batcher | None = None
    stopping: bool = False
    draining: bool = False  # the socket is closed: answers say Connection: close
    on_start: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return self.batcher is not None and not self.stopping


class TooLarge(Exception):
    pass


class InferenceFailed(Exception):
    """The model's own code raised: seed 003's code 401, the service stays up."""


def build_app(config: ServiceConfig, state: ServiceState, keys: KeyRing) -> ASGIApp:
    aip_limit = min(config.max_body_bytes, (config.max_image_bytes + 2) // 3 * 4 + _AIP_SLACK)

    async def run(inputs: Callable[[], dict[str, Any]]) -> Any:
        """One request through the batcher: its inputs (decoded in the inference thread), prepare,
        the batch's inference, finish; the model code's errors become InferenceFailed."""
        handler, batcher = state.handler, state.batcher
        assert handler is not None and batcher is not None
        try:
            return await batcher.submit(lambda: handler.prepare(inputs()))
        except BadInput:
            raise
        except Exception as exc:
            log.exception("inference failed")
            raise InferenceFailed(f"{type(exc).__name__}: {exc}") from exc

    def admitted(request: Request, *, named: bool = False) -> Handler | Response:
        """The loaded model's handler, or the answer refusing the request: no valid key, another
        model's name in the path (``named`` routes), or not ready."""
        refusal = (
            _denied(request, keys) or (_unknown_model(request, config) if named else None) or _unready(state)
        )
        if refusal is not None:
            return refusal
        assert state.handler is not None  # ready means loaded
        return state.handler

    def typed(values: dict[str, Any], handler: Handler) -> Callable[[], dict[str, Any]]:
        return lambda: typed_inputs(values, handler, config.max_image_bytes)

    async def aip(request: Request) -> Response:
        if (denied := _denied(request, keys)) is not None:
            return denied
        if not state.ready or state.handler is None:
            return _aip(AIP_FAILED, "The model is not loaded yet", None)
        try:
            body = await _body(request, aip_limit, config.max_body_bytes)
        except TooLarge:
            return _aip(
                AIP_BAD_INPUT, f"The image is larger than {config.max_image_bytes / 2**20:g} MB", None
            )
        except ClientDisconnect:
            return Response(status_code=400)
        image_input = state.handler.image_input

        def decoded() -> dict[str, Any]:
            parsed = _json(body)
            if not isinstance(parsed, dict) or "image" not in parsed:
                raise BadInput('The body must be {"image": "<base64 of the image>"}')
            return {image_input: decode_image(parsed["image"], config.max_image_bytes)}

        try:
            return _aip(AIP_OK, "success", await run(decoded))
        except BadInput as exc:
            return _aip(AIP_BAD_INPUT, str(exc), None)
        except InferenceFailed as exc:
            return _aip(AIP_FAILED, f"The prediction failed: {exc}", None)

    async def predict(request: Request) -> Response:
        handler = admitted(request)
        if isinstance(handler, Response):
            return handler
        try:
            body = await _body(request, config.max_body_bytes, config.max_body_bytes)
            fields, open_fields = handler.inputs, not handler.inputs
            outputs = await run(
                lambda: request_values(_json(body), fields, config.max_image_bytes, open_fields)
            )
            return _json_response({"outputs": outputs})
        except TooLarge:
            return _error(413, "The request is too large", f"At most {config.max_body_bytes} bytes")
        except ClientDisconnect:
            return Response(status_code=400)
        except BadInput as exc:
            return _error(400, "Bad input", str(exc))
        except InferenceFailed as exc:
            return _error(500, "The prediction failed", str(exc))

    async def v2_ready(request: Request) -> Response:
        if (denied := _denied(request, keys)) is not None:
            return denied
        return JSONResponse({"ready": state.ready}, status_code=200 if state.ready else 503)

    async def v2_model(request: Request) -> Response:
        handler = admitted(request, named=True)
        if isinstance(handler, Response):
            return handler
        return JSONResponse(metadata(config, handler.inputs))

    async def v2_infer(request: Request) -> Response:
        handler = admitted(request, named=True)
        if isinstance(handler, Response):
            return handler
        try:
            body = await _body(request, config.max_body_bytes, config.max_body_bytes)
            parsed = await run_in_threadpool(_json, body)
            requests = await run_in_threadpool(infer_requests, parsed, handler)
            # Several images are several requests: together they join one batch.
            results = list(await asyncio.gather(*(run(typed(values, handler)) for values in requests)))
            return _json_response(infer_response(config, parsed, results))
        except TooLarge:
            return _error(413, "The request is too large", f"At most {config.max_body_bytes} bytes")
        except ClientDisconnect:
            return Response(status_code=400)
        except (BadInput, OipError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        except InferenceFailed as exc:
            return JSONResponse({"error": f"The prediction failed: {exc}"}, status_code=500)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "live"})

    async def readyz(request: Request) -> Response:
        if state.ready:
            return JSONResponse({"status": "ready"})
        return JSONResponse({"status": "stopping" if state.stopping else "loading"}, status_code=503)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        for start in state.on_start:
            await start()
        yield
        state.stopping = True
        if state.batcher is not None:
            await state.batcher.stop()

    app = Starlette(
        routes=[
            Route("/aip", aip, methods=["POST"]),
            Route("/predict", predict, methods=["POST"]),
            Route("/v2/health/ready", v2_ready, methods=["GET"]),
            Route("/v2/models/{name}", v2_model, methods=["GET"]),
            Route("/v2/models/{name}/infer", v2_infer, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    return _closing_when_draining(app, state)


def _closing_when_draining(app: ASGIApp, state: ServiceState) -> ASGIApp:
    """Once the process drains, each answer ends its connection: the client reconnects elsewhere."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return

        async def closing(message: Message) -> None:
            if message["type"] == "http.response.start" and state.draining:
                message = {**message, "headers": [*message.get("headers", []), (b"connection", b"close")]}
            await send(message)

        await app(scope, receive, closing)

    return wrapped


async def _body(request: Request, keep: int, hard: int) -> bytes:
    """The body, refused (TooLarge) past ``keep`` bytes: the rest is read and dropped, not kept,
    so the client still reads the answer; past ``hard`` bytes reading stops."""
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > hard:
        raise TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > hard:
            raise TooLarge
        if size <= keep:
            chunks.append(chunk)
    if size > keep:
        raise TooLarge
    return b"".join(chunks)


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BadInput("The body is not valid JSON") from None


def _denied(request: Request, keys: KeyRing) -> Response | None:
    try:
        keys.check(request.headers)
    except Denied as exc:
        reason = "unauthorized" if exc.status == 401 else "forbidden"
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return _error(exc.status, reason, str(exc), headers)
    return None


def _unready(state: ServiceState) -> Response | None:
    if state.ready:
        return None
    return _error(503, "not ready", "The model is still loading" if not state.stopping else "Stopping")


def _unknown_model(request: Request, config: ServiceConfig) -> Response | None:
    if request.path_params["name"] == config.name:
        return None
    return JSONResponse({"error": f"Unknown model; this service serves '{config.name}'"}, status_code=404)


def _error(status: int, error: str, detail: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"error": error, "detail": detail}, status_code=status, headers=headers)


def _json_response(content: Any) -> Response:
    return Response(json.dumps(content, ensure_ascii=False, allow_nan=False), media_type="application/json")


def _aip(code: int, message: str, data: Any) -> Response:
    answer = {
        "code": code,
        "message": message,
        "data": data,
        "time": dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
    }
    return _json_response(answer) if code == AIP_OK else JSONResponse(answer, status_code=_AIP_HTTP[code])
