"""Property-based fuzzing of every documented route against a live server (schemathesis).

Hypothesis makes requests from the generated OpenAPI document: valid ones, ones that break
every declared rule, with the right credentials and with none. No answer may be a 5xx, and
every answer must be what the document says (its status and its body's schema).
"""

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance

from jlab_platform.server.labeler_handlers import TOKEN_HEADER
from jlab_platform.server.openapi import DOCUMENT_PATH
from tests.crowd.modules import make_images, make_seed_module
from tests.helpers.jupyter import ServerProcess, running_server

CHECKS = (not_a_server_error, status_code_conformance, response_schema_conformance)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, str]]:
    """A real server over a workspace with a labeling task (so the labeler API has a real token)."""
    root = tmp_path_factory.mktemp("fuzz") / "root"
    root.mkdir()
    make_images(root / "datasets" / "shapes" / "images", 8)
    make_seed_module(root / "modules" / "cstest")
    (root / "train.py").write_text("print('hello')\n")
    with running_server(root, "--JlabPlatform.convert_idle_seconds=5") as server:
        body = {"name": "fuzz", "dataset": "datasets/shapes", "module": "modules/cstest", "max_choose": 4}
        task = server.request("POST", "jlab-platform/api/crowd/tasks", body)
        token = task["invites"][0]["token"] if task["invites"] else ""
        for _ in range(600):
            if server.request("GET", f"jlab-platform/api/crowd/tasks/{task['id']}")["state"] != "scoring":
                break
            time.sleep(0.1)
        yield server, token


@pytest.fixture(scope="module")
def api_schema(live: tuple[ServerProcess, str]) -> Any:
    server, _ = live
    schema = schemathesis.openapi.from_dict(json.loads(Path(DOCUMENT_PATH).read_text(encoding="utf-8")))
    schema.config.update(base_url=server.url.rstrip("/"), request_timeout=60)
    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


FUZZ_SETTINGS = settings(
    max_examples=8,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def call_and_check(case: Any, headers: dict[str, str]) -> None:
    case.call_and_validate(headers=headers, checks=list(CHECKS))


@schema.parametrize()
@FUZZ_SETTINGS
def test_with_credentials_no_route_answers_5xx_or_off_its_document(
    case: Any, live: tuple[ServerProcess, str]
) -> None:
    """The Jupyter token; on the labeler API an invited labeler's token instead."""
    server, labeler_token = live
    labeler = case.path.startswith("/jlab-platform/label")
    call_and_check(
        case, {TOKEN_HEADER: labeler_token} if labeler else {"Authorization": f"token {server.token}"}
    )


@schema.parametrize()
@FUZZ_SETTINGS
def test_without_credentials_no_route_answers_5xx_or_off_its_document(case: Any) -> None:
    call_and_check(case, {})
