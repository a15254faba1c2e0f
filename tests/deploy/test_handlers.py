"""``/deployments`` through Jupyter: typed errors (400/404/409 with what to fix), a deployment's
whole life over REST, its log and its export bundle."""

import asyncio
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.jupyter import free_port
from tests.server.test_jobs_handlers import call, expect_error

from .manager_support import READY_SECONDS, write_echo


@pytest.fixture
def jp_server_config(jp_server_config: dict[str, Any]) -> dict[str, Any]:
    start = free_port()
    return {
        **jp_server_config,
        "JlabPlatform": {
            "deploy_port_min": start,
            "deploy_port_max": start + 20,
            "deploy_grace_seconds": 10.0,
        },
    }


async def _wait_ready(jp_fetch: Any, name: str) -> dict[str, Any]:
    for _ in range(int(READY_SECONDS * 10)):
        found: dict[str, Any] = await call(jp_fetch, "deployments", name)
        if found["status"] != "starting":
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(found)


async def test_bad_requests_say_what_to_fix(jp_fetch: Any, jp_root_dir: Path) -> None:
    write_echo(jp_root_dir)
    bad = await expect_error(
        jp_fetch, 400, "deployments", method="POST", body={"source": "echo.py", "name": "1x"}
    )
    assert set(bad["fields"]) == {"name"}
    bad = await expect_error(
        jp_fetch, 400, "deployments", method="POST", body={"source": "echo.py", "name": "a" * 61, "port": 1}
    )
    assert set(bad["fields"]) == {"name", "port"}
    bad = await expect_error(
        jp_fetch,
        400,
        "deployments",
        method="POST",
        body={"source": "echo.py", "name": "x", "checkpoint": "../a"},
    )
    assert set(bad["fields"]) == {"checkpoint"}
    assert (
        await expect_error(jp_fetch, 400, "deployments", method="POST", body={"source": "/etc", "name": "x"})
    )["error"]
    missing = await expect_error(
        jp_fetch, 400, "deployments", method="POST", body={"source": "no.py", "name": "x"}
    )
    assert "does not exist" in missing["error"]
    await expect_error(jp_fetch, 400, "deployments", "preview", source="echo.deploy.yml")
    await expect_error(jp_fetch, 404, "deployments", "nobody")
    await expect_error(jp_fetch, 404, "deployments", "nobody", "log")
    await expect_error(jp_fetch, 404, "deployments", "nobody", "stop", method="POST", body={})
    await expect_error(jp_fetch, 404, "deployments", "nobody", "rollback", method="POST", body={"to": "x"})
    await expect_error(jp_fetch, 404, "deployments", "nobody", "keys", "abc", method="DELETE")
    preview = await call(jp_fetch, "deployments", "preview", source="echo.py")
    assert (preview["kind"], preview["suggested_name"], preview["repository"]) == ("python", "echo", False)


async def test_a_deployments_life_over_rest(jp_fetch: Any, jp_root_dir: Path) -> None:
    write_echo(jp_root_dir)
    body = {
        "source": "echo.py",
        "name": "echo",
        "description": "试用",
        "batch": {"max_size": 4, "window_ms": 2},
    }
    response = await jp_fetch(
        "jlab-platform",
        "api",
        "deployments",
        method="POST",
        body=json.dumps(body),
        allow_nonstandard_methods=True,
    )
    created = json.loads(response.body)
    try:
        assert (
            response.code == 201 and created["key"] and created["batch"] == {"max_size": 4, "window_ms": 2.0}
        )
        taken = await expect_error(jp_fetch, 409, "deployments", method="POST", body=body)
        assert taken["field"] == "name"
        ready = await _wait_ready(jp_fetch, "echo")
        assert ready["status"] == "ready" and "key" not in ready and ready["description"] == "试用"

        listed = await call(jp_fetch, "deployments")
        assert [d["name"] for d in listed["deployments"]] == ["echo"]
        key = await jp_fetch(
            "jlab-platform",
            "api",
            "deployments",
            "echo",
            "keys",
            method="POST",
            body="{}",
            allow_nonstandard_methods=True,
        )
        new_key = json.loads(key.body)
        assert key.code == 201 and new_key["key"].startswith(new_key["prefix"])
        await call(jp_fetch, "deployments", "echo", "keys", new_key["id"], method="DELETE")

        log = await call(jp_fetch, "deployments", "echo", "log", offset=-4096)
        assert log["size"] > 0
        download = await jp_fetch(
            "jlab-platform", "api", "deployments", "echo", "log", params={"download": "true"}
        )
        assert "attachment" in download.headers["Content-Disposition"]

        bundle = await jp_fetch("jlab-platform", "api", "deployments", "echo", "export")
        assert bundle.headers["Content-Type"] == "application/zip"
        names = zipfile.ZipFile(io.BytesIO(bundle.body)).namelist()
        for expected in ("echo/deploy.sh", "echo/Dockerfile", "echo/requirements.txt", "echo/code/echo.py"):
            assert expected in names
        assert "echo/runtime/jlab_platform/deploy/runtime/__main__.py" in names
        assert not any("/server/" in name for name in names)

        history = await call(jp_fetch, "deployments", "echo", "history")
        rolled = await expect_error(
            jp_fetch, 404, "deployments", "echo", "rollback", method="POST", body={"to": "0" * 32}
        )
        assert rolled["field"] == "to"
        stopped = await call(jp_fetch, "deployments", "echo", "stop", method="POST", body={})
        assert stopped["status"] == "stopped"
        assert len(history["deployments"]) == 1
    finally:
        await call(jp_fetch, "deployments", "echo", method="DELETE")
    await expect_error(jp_fetch, 404, "deployments", "echo")


async def test_the_platforms_input_help_speaks_the_ui_language(jp_fetch: Any, jp_root_dir: Path) -> None:
    (jp_root_dir / "plain.py").write_text("def predict(image):\n    return {'size': len(image)}\n")
    write_echo(jp_root_dir)
    headers = {"X-Jlab-Platform-Language": "zh-CN"}
    response = await jp_fetch(
        "jlab-platform", "api", "deployments", "preview", params={"source": "plain.py"}, headers=headers
    )
    (image,) = json.loads(response.body)["inputs"]
    assert (image["name"], image["help"]) == ("image", "图片，base64 编码（最大 4 MB）。")
    # A help the user wrote in the .deploy.yml is theirs: unchanged.
    response = await jp_fetch(
        "jlab-platform", "api", "deployments", "preview", params={"source": "echo.py"}, headers=headers
    )
    configured = json.loads(response.body)["inputs"]
    assert configured and all(not field["help"].startswith("图片") for field in configured)
