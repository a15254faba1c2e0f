"""The generated contract: every route declared, the document valid and served, the committed files fresh."""

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate

from jlab_platform.server.endpoint import declared
from jlab_platform.server.openapi import DOCUMENT_PATH, METHODS, build_document, document_text, endpoints
from jlab_platform.server.routes import platform_routes

ROOT = Path(__file__).resolve().parents[2]


def test_every_route_is_declared_and_the_document_validates() -> None:
    routes = platform_routes()
    document = build_document(routes)
    validate(document)  # type: ignore[arg-type]
    operations = {(path, method) for path, method, _ in endpoints(routes)}
    assert operations == {(path, method) for path, methods in document["paths"].items() for method in methods}
    for _, handler in routes:
        ours = [cls for cls in handler.__mro__ if cls.__module__.startswith("jlab_platform.")]
        for method in METHODS:
            if any(method in vars(cls) for cls in ours):
                assert declared(handler, method) is not None, f"{handler.__name__}.{method}"


def test_the_committed_document_is_current() -> None:
    committed = DOCUMENT_PATH.read_text(encoding="utf-8")
    assert committed == document_text(build_document(platform_routes())), "run `make api` and commit"


@pytest.mark.skipif(shutil.which("npx") is None, reason="needs node (make test installs it)")
def test_the_committed_typescript_types_are_current() -> None:
    # The same command as `make api` (package.json's api:types), which reads the committed document.
    generated = subprocess.run(
        ["npm", "run", "--silent", "api:types"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    committed = (ROOT / "src" / "api" / "schema.ts").read_text(encoding="utf-8")
    assert committed == generated, "run `make api` and commit"


async def test_the_server_serves_the_document_and_registers_exactly_its_routes(
    jp_fetch: Any, jp_serverapp: Any
) -> None:
    response = await jp_fetch("jlab-platform", "api", "openapi.json")
    served = json.loads(response.body)
    assert served == json.loads(DOCUMENT_PATH.read_text(encoding="utf-8"))
    ours = {handler for _, handler in platform_routes()}
    registered = {
        rule.target
        for host in jp_serverapp.web_app.default_router.rules
        for rule in host.target.rules
        if rule.target in ours
    }
    assert registered == ours
