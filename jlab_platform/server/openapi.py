"""The OpenAPI document, generated from the route table and the ``@endpoint`` declarations.

``python -m jlab_platform.server.openapi`` writes it to ``jlab_platform/openapi.json`` (``make api``,
which then generates ``src/api/schema.ts`` from it); the server also serves it at
``GET /jlab-platform/api/openapi.json``. It is never edited by hand.
"""

import json
import re
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from .._version import __version__
from ..api.models import ErrorBody
from .endpoint import Endpoint, declared
from .labeler_handlers import TOKEN_HEADER

METHODS = ("get", "post", "put", "patch", "delete")
DOCUMENT_PATH = Path(__file__).resolve().parent.parent / "openapi.json"
_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?:[^()]|\([^()]*\))*\)")
_REF = "#/components/schemas/{model}"


class UndeclaredRoute(Exception):
    """A registered route has a method without ``@endpoint`` (so no document)."""


def openapi_path(pattern: str) -> str:
    """``/x/jobs/(?P<job_id>[^/]+)/log`` → ``/x/jobs/{job_id}/log``."""
    path = _GROUP.sub(lambda match: "{" + match["name"] + "}", pattern)
    if "(" in path or "\\" in path:
        raise UndeclaredRoute(f"Route {pattern!r}: name every group (?P<name>...) and use no escapes")
    return path


def endpoints(routes: list[tuple[str, type]]) -> list[tuple[str, str, Endpoint]]:
    """Every (path, method, declaration) of ``routes``; an undeclared method is an error."""
    found = []
    for pattern, handler in routes:
        path = openapi_path(pattern)
        for method in METHODS:
            implemented = getattr(handler, method, None)
            if implemented is None or getattr(implemented, "__qualname__", "").startswith("RequestHandler."):
                continue
            spec = declared(handler, method)
            if spec is None:
                raise UndeclaredRoute(f"{method.upper()} {path} ({handler.__name__}) has no @endpoint")
            found.append((path, method, spec))
    return found


def build_document(routes: list[tuple[str, type]]) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``routes`` (full URL patterns, without the server's base URL)."""
    declared_routes = endpoints(routes)
    schemas = _schemas(declared_routes)
    paths: dict[str, dict[str, Any]] = {}
    for path, method, spec in declared_routes:
        operation_id = _operation_id(method, path)
        paths.setdefault(path, {})[method] = _operation(path, spec, operation_id, schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "jlab_platform",
            "version": __version__,
            "description": "The REST API of the jlab_platform server extension. Generated from the "
            "code's declarations; every error answers with the ErrorBody schema.",
        },
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(schemas["components"].items())),
            "securitySchemes": {
                "jupyter": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "Jupyter's login: 'token <server token>' (or the browser's session).",
                },
                "labeler": {
                    "type": "apiKey",
                    "in": "header",
                    "name": TOKEN_HEADER,
                    "description": "An invited labeler's link token.",
                },
            },
        },
    }


def _schemas(routes: list[tuple[str, str, Endpoint]]) -> dict[str, Any]:
    models: list[tuple[type[BaseModel], JsonSchemaMode]] = [(ErrorBody, "serialization")]
    for _, _, spec in routes:
        uses: tuple[tuple[Any, JsonSchemaMode], ...] = (
            (spec.body, "validation"),
            (spec.query, "validation"),
            (spec.response, "serialization"),
        )
        for model, mode in uses:
            if isinstance(model, type) and issubclass(model, BaseModel) and (model, mode) not in models:
                models.append((model, mode))
    refs, definitions = models_json_schema(models, ref_template=_REF)
    return {"refs": refs, "components": definitions.get("$defs", {})}


def _ref(schemas: dict[str, Any], model: type[BaseModel], mode: JsonSchemaMode) -> dict[str, Any]:
    ref: dict[str, Any] = schemas["refs"][(model, mode)]
    return ref


def _operation(path: str, spec: Endpoint, operation_id: str, schemas: dict[str, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = {"operationId": operation_id, "summary": spec.summary}
    if spec.description:
        operation["description"] = spec.description
    operation["tags"] = [_tag(path)]
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in re.findall(r"{(\w+)}", path)
    ]
    if spec.query is not None:
        query_schema = spec.query.model_json_schema(ref_template=_REF)
        required = set(query_schema.get("required", []))
        for name, schema in query_schema.get("properties", {}).items():
            parameter: dict[str, Any] = {"name": name, "in": "query", "required": name in required}
            parameter["schema"] = schema
            if "description" in schema:
                parameter["description"] = schema["description"]
            parameters.append(parameter)
    if parameters:
        operation["parameters"] = parameters
    if spec.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(schemas, spec.body, "validation")}},
        }
    operation["responses"] = {str(spec.status): _success(spec, schemas), "default": _error(schemas)}
    operation["security"] = [{spec.auth: []}] if spec.auth != "none" else []
    return operation


def _success(spec: Endpoint, schemas: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": spec.summary}
    content: dict[str, Any] = {}
    if isinstance(spec.response, type) and issubclass(spec.response, BaseModel):
        content["application/json"] = {"schema": _ref(schemas, spec.response, "serialization")}
    elif spec.response is not None:
        content["application/json"] = {"schema": {}}
    if spec.raw is not None:
        raw_json = spec.raw == "application/json"
        content[spec.raw] = {
            "schema": {"type": "object"} if raw_json else {"type": "string", "format": "binary"}
        }
    if content:
        answer["content"] = content
    return answer


def _error(schemas: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": "An error: what went wrong and what to fix (4xx), or that a backend is down (503).",
        "content": {"application/json": {"schema": _ref(schemas, ErrorBody, "serialization")}},
    }


def _tag(path: str) -> str:
    parts = [part for part in path.split("/") if part and not part.startswith("{")]
    if parts[:2] == ["jlab-platform", "api"]:
        parts = parts[2:]
    return parts[0] if parts else "platform"


def _operation_id(method: str, path: str) -> str:
    words = [part.strip("{}") for part in re.split(r"[/\-_.]", path) if part]
    if words[:2] == ["jlab", "platform"]:
        words = words[2:]
    if words[:1] == ["api"]:
        words = words[1:]
    return method + "".join(word[:1].upper() + word[1:] for word in words)


def document_text(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=1, ensure_ascii=False, sort_keys=False) + "\n"


def main(argv: list[str]) -> int:
    from .routes import platform_routes  # the route table imports every handler

    target = Path(argv[1]) if len(argv) > 1 else DOCUMENT_PATH
    target.write_text(document_text(build_document(platform_routes())), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
