"""``@endpoint``: the one way a route's method is declared.

It checks the login and the authorization, parses the query string and the body
into their declared models once (every invalid field is named in one 400), calls
the method with typed values, and serializes what it returns through the declared
response model. The OpenAPI document (``server/openapi.py``) is read from the same
declarations, so a route cannot serve what its document does not say.
"""

import functools
import types
import typing
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from jupyter_server.auth.decorator import allow_unauthenticated, authorized
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails
from tornado import web

from ..errors import InvalidRequest
from ..i18n import N_

if TYPE_CHECKING:
    from .base import ApiHandler

ENDPOINT_ATTRIBUTE = "__jlab_platform_endpoint__"
# What a declared method becomes: tornado's verb signature (the declaration is read at run time).
Verb = Callable[..., Awaitable[None]]
Auth = Literal["jupyter", "labeler", "none"]


@dataclass(frozen=True)
class Endpoint:
    """What one handler method takes and answers."""

    summary: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: Any = None
    status: int = 200
    raw: str | None = None
    auth: Auth = "jupyter"
    description: str = ""


def endpoint(
    summary: str,
    *,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    response: Any = None,
    status: int = 200,
    raw: str | None = None,
    auth: Auth = "jupyter",
    description: str = "",
) -> Callable[[Callable[..., Awaitable[Any]]], Verb]:
    """Declare a handler method: ``body``/``query`` models in, ``response`` (a model or type) out.

    ``raw``: the content type of an answer the method writes itself (a file, an image, a page).
    ``auth``: ``"jupyter"`` (the login, and the authorizer's say), ``"labeler"`` (an invited labeler's
    token, which the handler checks in ``prepare()``) or ``"none"`` (a public page).
    Path parameters arrive as ``str`` keyword arguments named as in the route's pattern.
    """
    spec = Endpoint(summary, body, query, response, status, raw, auth, description)
    adapter: TypeAdapter[Any] | None = TypeAdapter(response) if response is not None else None

    def declare(method: Callable[..., Awaitable[Any]]) -> Verb:
        @functools.wraps(method)
        async def run(self: "ApiHandler", *args: str, **path: str) -> None:
            errors: dict[str, str] = {}
            values: dict[str, Any] = dict(path)
            if query is not None:
                values["query"] = _parse(query, self.query_values(query), "query", errors, strict=False)
            if body is not None:
                # JSON has types: "yes" is no boolean and "5" no number in a body (a query is all text).
                values["body"] = _parse(body, self.json_body(), "", errors, strict=True)
            if errors:
                raise InvalidRequest(errors)
            result = await method(self, *args, **values)
            if raw is not None or self._finished:
                return
            if adapter is None:
                self.set_status(status)
                self.finish()
                return
            self.send_bytes(adapter.dump_json(adapter.validate_python(result), by_alias=True), status)

        # In jupyter_server's order (login, then authorization), which is also how it checks that
        # every route asks for a login.
        guarded = web.authenticated(authorized(run)) if auth == "jupyter" else allow_unauthenticated(run)
        setattr(guarded, ENDPOINT_ATTRIBUTE, spec)
        return typing.cast(Verb, guarded)

    return declare


def declared(handler: type, method: str) -> Endpoint | None:
    """The declaration of ``handler.method`` (``get``, ``post``...), if it has one."""
    spec = getattr(getattr(handler, method, None), ENDPOINT_ATTRIBUTE, None)
    return spec if isinstance(spec, Endpoint) else None


def _parse(
    model: type[BaseModel], data: dict[str, Any], place: str, errors: dict[str, str], *, strict: bool
) -> Any:
    try:
        return model.model_validate(data, strict=strict)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            name = ".".join(str(part) for part in error["loc"]) or place or "body"
            errors.setdefault(name, _what_to_fix(error, model))
        return None


def _what_to_fix(error: ErrorDetails, model: type[BaseModel]) -> str:
    """What to fix, per kind of pydantic error, in sentences of the server's message catalog
    (translated like every error message)."""
    kind, ctx = error["type"], error.get("ctx") or {}
    match kind:
        case "extra_forbidden":
            known = ", ".join(sorted(model.model_fields)) or "-"
            return N_(f"Unknown field; remove it (this request takes: {known}).")
        case "missing":
            return N_("Required; give a value.")
        case "int_type" | "int_parsing" | "int_from_float":
            return N_("Give a whole number.")
        case "float_type" | "float_parsing":
            return N_("Give a number.")
        case "bool_type" | "bool_parsing":
            return N_("Give true or false.")
        case "string_type":
            return N_("Give text.")
        case "list_type":
            return N_("Give a list.")
        case "dict_type" | "model_type" | "model_attributes_type":
            return N_("Give an object.")
        case "literal_error" if "expected" in ctx:
            return N_(f"Use one of: {ctx['expected']}.")
        case "greater_than_equal" if "ge" in ctx:
            return N_(f"Give at least {ctx['ge']}.")
        case "less_than_equal" if "le" in ctx:
            return N_(f"Give at most {ctx['le']}.")
        case "greater_than" if "gt" in ctx:
            return N_(f"Give more than {ctx['gt']}.")
        case "string_too_long" if "max_length" in ctx:
            return N_(f"Shorten it to {ctx['max_length']} characters or fewer.")
        case "string_too_short" if "min_length" in ctx:
            return N_(f"Use at least {ctx['min_length']} characters.")
    # A validator's own sentence (a path rule, a name rule) reads better without pydantic's prefix.
    return error["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")


def is_list_field(model: type[BaseModel], name: str) -> bool:
    """Whether a query parameter may repeat (``?id=a&id=b``): its field is a list."""
    field = model.model_fields.get(name)
    if field is None:
        return False
    annotation = field.annotation
    options = (
        typing.get_args(annotation)
        if typing.get_origin(annotation) in (typing.Union, types.UnionType)
        else ()
    )
    return any(typing.get_origin(kind) is list for kind in (annotation, *options))
