"""The base of every ``/jlab-platform/api`` handler.

JSON in and out, and the one place where typed domain errors become HTTP
statuses with ``{"error": ..., "detail": ...}`` bodies.

Request bodies are streamed in (``@stream_request_body``), so ``prepare()`` answers
before any of the body is read: a request without credentials, or one that announces
more than its route's ``max_body_bytes``, costs no more than its headers. Every route takes
a small JSON object (there are no upload routes), and the limit keeps parsing it on the
event loop short (256 KiB of the costliest JSON parses in ~50 ms on a slow core).
"""

import json
import math
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin
from pydantic import BaseModel
from tornado.http1connection import HTTP1Connection
from tornado.web import HTTPError, stream_request_body

from ..errors import (
    AuthenticationFailed,
    Conflict,
    InvalidInput,
    InvalidRequest,
    NotFound,
    PlatformError,
    Unavailable,
)
from ..i18n import N_, negotiate, translate, translate_sentences
from ..platform import Platform
from .endpoint import is_list_field

AUTH_RESOURCE = "jlab_platform"
# Where the server extension keeps why the platform could not start, when it could not.
UNAVAILABLE_KEY = "jlab_platform_unavailable"
# The frontend sends the JupyterLab UI's language in it, which may differ from the browser's.
LANGUAGE_HEADER = "X-Jlab-Platform-Language"

_STATUS_BY_ERROR: list[tuple[type[PlatformError], int]] = [
    (InvalidInput, 400),
    (AuthenticationFailed, 401),
    (NotFound, 404),
    (Conflict, 409),
    (Unavailable, 503),
]


def _refuse_non_finite(constant: str) -> float:
    """Python's JSON reads NaN and Infinity, which no standard JSON reader (or the store) takes."""
    raise InvalidInput(
        f"Request body has {constant}, which is not a JSON number",
        "Send finite numbers (or null) instead of NaN and Infinity.",
    )


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # e.g. 1e999: a float too large for 64 bits
        raise InvalidInput(
            f"Request body has the number {text[:40]}, too large to store",
            "Send numbers within ±1.7e308.",
        )
    return value


def attachment(filename: str) -> str:
    """A ``Content-Disposition`` value naming a download: any name, also one that is not Latin-1."""
    # RFC 6266 / 5987: an ASCII stand-in for old clients, the UTF-8 name for the rest.
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else "_" for ch in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def status_for(error: PlatformError) -> int:
    for kind, status in _STATUS_BY_ERROR:
        if isinstance(error, kind):
            return status
    return 500


def _refuse_lone_surrogates(body: Any) -> None:
    """JSON's ``"\\ud800"`` decodes to text that no file name, database or git message can hold."""
    try:
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidInput(
            "Request body has a lone UTF-16 surrogate (\\ud800-\\udfff)", "Send text as valid Unicode."
        ) from exc


@stream_request_body
class ApiHandler(ExtensionHandlerMixin, APIHandler):
    auth_resource = AUTH_RESOURCE
    max_body_bytes = 256 * 1024  # the largest real body (a job's options) is a few KiB

    async def prepare(self) -> None:  # type: ignore[override]  # as jupyter_server's APIHandler
        self._body: list[bytes] = []
        await super().prepare()
        # jupyter_server checks the login when the method runs (@web.authenticated), which
        # would be after the body is read; ask now, the same way.
        method = getattr(self, (self.request.method or "").lower(), None)
        if self.current_user is None and not getattr(method, "__allow_unauthenticated", False):
            raise HTTPError(403)
        # The platform could not start (its store cannot be opened): every route says why.
        down: PlatformError | None = self.settings.get(UNAVAILABLE_KEY)
        if down is not None:
            raise Unavailable(down.message, down.detail)
        declared = self.request.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            raise HTTPError(413, f"Request bodies are limited to {self.max_body_bytes // 1024} KiB of JSON.")
        # A chunked body has no length up front: tornado closes the connection past the limit.
        if isinstance(self.request.connection, HTTP1Connection):
            self.request.connection.set_max_body_size(self.max_body_bytes)

    def data_received(self, chunk: bytes) -> None:
        self._body.append(chunk)

    @property
    def actor(self) -> str:
        """Who made a change, as a history shows it: the user's display name. Without a login
        jupyter_server names each browser "Anonymous <moon>"; its username is a random hex id."""
        user = self.current_user
        return str(getattr(user, "display_name", "") or getattr(user, "name", "") or user.username)

    @property
    def platform(self) -> Platform:
        platform: Platform = self.settings["jlab_platform"]
        return platform

    def json_body(self) -> dict[str, Any]:
        """The request body as a JSON object; a clear 400 otherwise."""
        raw = b"".join(self._body) or b"{}"
        try:
            body = json.loads(raw, parse_constant=_refuse_non_finite, parse_float=_finite_float)
        except ValueError as exc:  # not UTF-8, not JSON
            raise InvalidInput("Request body is not valid JSON", str(exc)) from exc
        except RecursionError as exc:
            raise InvalidInput("Request body is nested too deeply", "Send a flat JSON object.") from exc
        if b"\\u" in raw:
            _refuse_lone_surrogates(body)
        if not isinstance(body, dict):
            raise InvalidInput("Request body must be a JSON object", 'Send {"key": value, ...}.')
        return body

    def query_values(self, model: type[BaseModel]) -> dict[str, Any]:
        """The query string as ``model`` reads it: a list for list fields, else the last value.

        An empty value (``?status=``) counts as not given, as forms send them.
        """
        values: dict[str, Any] = {}
        for name, raw in self.request.query_arguments.items():
            texts = [self.decode_argument(value, name) for value in raw]
            texts = [text for text in texts if text != ""]
            if texts:
                values[name] = texts if is_list_field(model, name) else texts[-1]
        return values

    def send_bytes(self, payload: bytes, status: int = 200) -> None:
        """Answer with ``payload``, already serialized JSON."""
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(payload)

    def send_json(self, payload: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(json.dumps(payload))

    def _handle_request_exception(self, e: BaseException) -> None:
        if isinstance(e, PlatformError):
            status = status_for(e)
            if isinstance(e, Unavailable):
                # A backend that is down is said once per request, not with a traceback each time.
                self.log.warning("jlab_platform: %s %s", e.message, e.detail)
            elif status >= 500:
                self.log.error("jlab_platform request failed", exc_info=e)
            if self._finished:
                return
            self.clear()
            self.set_status(status)
            locale = self.error_locale()
            body: dict[str, Any] = {
                "error": translate(e.message, locale),
                "detail": translate(e.detail, locale),
            }
            if e.field:
                body["field"] = e.field
            if isinstance(e, InvalidRequest):
                # Each field's fix is a message of its own: translated one by one.
                e = e.localized(lambda text: translate_sentences(text, locale))
                body.update(error=e.message, detail=e.detail, fields=e.fields)
            self.send_json(body, status)
            return
        super()._handle_request_exception(e)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc_info = kwargs.get("exc_info")
        error = HTTPStatus(status_code).phrase if status_code in HTTPStatus._value2member_map_ else "Error"
        detail = ""
        if exc_info is not None and isinstance(exc_info[1], HTTPError):
            detail = exc_info[1].log_message or exc_info[1].reason or ""
        elif status_code >= 500:
            detail = N_("An unexpected error occurred; the server log has the details.")
        locale = self.error_locale()
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(json.dumps({"error": translate(error, locale), "detail": translate(detail, locale)}))

    def error_locale(self) -> str | None:
        """Error bodies speak the JupyterLab UI language (sent by the frontend), else the browser's."""
        headers = self.request.headers
        return negotiate(headers.get(LANGUAGE_HEADER), headers.get("Accept-Language"))
