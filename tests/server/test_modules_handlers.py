"""``/modules``, ``/datasets``, ``/favorites`` through the real server extension."""

import json
from pathlib import Path
from typing import Any

import pytest
from jupyter_server.auth.identity import IdentityProvider, User
from tornado import web

from tests.modules.factory import write_module, write_stripes
from tests.server.test_jobs_handlers import call, expect_error

XSRF = "2|abcdef01|0123456789abcdef0123456789abcdef|1700000000"


@pytest.fixture
def workspace(jp_root_dir: Path) -> Path:
    write_stripes(jp_root_dir / "datasets" / "stripes", per_class=2)
    (jp_root_dir / "datasets" / "stripes" / "README.md").write_text("# Stripes\n")
    write_module(jp_root_dir / "modules", "simple")
    write_module(jp_root_dir / "modules", "broken", spec="train:\n  inputs:\n    n: {type: number}\n")
    (jp_root_dir / "nb").mkdir()
    (jp_root_dir / "nb" / "exp.ipynb").write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4}))
    return jp_root_dir


async def test_list_and_show_modules(jp_fetch: Any, workspace: Path) -> None:
    listed = await call(jp_fetch, "modules")
    names = {module["name"]: module for module in listed["modules"]}
    assert listed["total"] == len(names)
    assert {"simple", "broken", "image-classifier", "keras-classifier"} <= set(names)
    assert names["broken"]["valid"] is False and names["broken"]["errors"][0]["line"] == 3
    assert names["image-classifier"]["favorite"] is False

    detail = await call(jp_fetch, "modules", "image-classifier")
    assert (
        detail["readme"].startswith("# Image classifier") and detail["results"] == "results/image-classifier"
    )
    assert [field["name"] for field in detail["spec"]["actions"]["predict"]["inputs"]] == [
        "images",
        "batch_size",
        "checkpoint",
    ]
    refreshed = await call(jp_fetch, "modules", refresh="1")
    assert refreshed["total"] == listed["total"]
    await expect_error(jp_fetch, 404, "modules", "nothing")


async def test_snippet_renders_literals_and_records_the_deployment_config(
    jp_fetch: Any, workspace: Path
) -> None:
    hostile = '"); import os; os.system("x'
    result = await call(
        jp_fetch,
        "modules",
        "simple",
        "snippet",
        method="POST",
        body={
            "action": "train",
            "params": {"steps": 2, "label": hostile},
            "notebook": "nb/exp.ipynb",
            "record": True,
        },
    )
    assert result["code"].endswith('run = module.train(steps=2, label="\\"); import os; os.system(\\"x")\n')
    assert result["config"] == "nb/exp.deploy.yml" and (workspace / "nb" / "exp.deploy.yml").is_file()
    predict = await call(
        jp_fetch,
        "modules",
        "image-classifier",
        "snippet",
        method="POST",
        body={
            "action": "predict",
            "params": {"images": "datasets/stripes"},
            "base_dir": "nb",
            "script": True,
        },
    )
    assert 'images="../datasets/stripes"' in predict["code"] and predict["code"].endswith(
        "print(predictions[:5])\n"
    )


async def test_bad_snippet_requests_get_4xx_with_fields(jp_fetch: Any, workspace: Path) -> None:
    snippet = ("modules", "image-classifier", "snippet")
    error = await expect_error(
        jp_fetch,
        400,
        *snippet,
        method="POST",
        body={"action": "train", "params": {"data_dir": "../../etc", "epochs": -1}},
    )
    assert set(error["fields"]) == {"data_dir", "epochs"} and "'..'" in error["fields"]["data_dir"]
    error = await expect_error(
        jp_fetch,
        400,
        *snippet,
        method="POST",
        body={"action": "train", "params": {"data_dir": "/etc/passwd"}},
    )
    assert "Absolute path" in error["fields"]["data_dir"]
    error = await expect_error(
        jp_fetch,
        400,
        *snippet,
        method="POST",
        body={"action": "predict", "params": {"images": "datasets/missing"}},
    )
    assert "does not exist" in error["fields"]["images"]
    await expect_error(jp_fetch, 400, *snippet, method="POST", body={"params": {}})
    await expect_error(jp_fetch, 400, *snippet, method="POST", body={"action": "train", "params": [1]})
    await expect_error(jp_fetch, 400, *snippet, method="POST", body={"action": "fly", "params": {}})
    await expect_error(
        jp_fetch, 400, *snippet, method="POST", body={"action": "train", "params": {}, "notebook": 3}
    )
    await expect_error(
        jp_fetch, 400, *snippet, method="POST", body={"action": "train", "params": {}, "record": "yes"}
    )
    await expect_error(
        jp_fetch, 400, *snippet, method="POST", body={"action": "train", "params": {}, "script": 1}
    )
    await expect_error(
        jp_fetch,
        400,
        *snippet,
        method="POST",
        body={"action": "train", "params": {"data_dir": "datasets/stripes"}, "notebook": "../x.ipynb"},
    )
    await expect_error(jp_fetch, 400, *snippet, method="POST", body=["not", "an", "object"])
    await expect_error(
        jp_fetch, 404, "modules", "nothing", "snippet", method="POST", body={"action": "train"}
    )
    broken = await expect_error(
        jp_fetch, 409, "modules", "broken", "snippet", method="POST", body={"action": "train", "params": {}}
    )
    assert "module_spec.yml:3:" in broken["detail"]


async def test_datasets(jp_fetch: Any, workspace: Path) -> None:
    listed = await call(jp_fetch, "datasets")
    stripes = {dataset["name"]: dataset for dataset in listed["datasets"]}["stripes"]
    assert stripes["classes"] == ["horizontal", "vertical"] and stripes["samples"] == 4
    assert stripes["path"] == "datasets/stripes" and stripes["favorite"] is False
    detail = await call(jp_fetch, "datasets", "stripes")
    assert detail["readme"] == "# Stripes\n"
    await expect_error(jp_fetch, 404, "datasets", "nothing")


async def _browser_cookie(jp_fetch: Any) -> str:
    """Log in once with the token, then act as that browser user (cookie + XSRF, no token)."""
    response = await jp_fetch("jlab-platform", "api", "modules")
    cookies = [
        h.split(";", 1)[0] for h in response.headers.get_list("Set-Cookie") if h.startswith("username-")
    ]
    return f"{cookies[0]}; _xsrf={XSRF}"


async def test_favorites_outlive_the_login(jp_fetch: Any, workspace: Path) -> None:
    """The token login makes up a user name at each login: favorites are the server owner's."""
    headers = {"Authorization": "", "Cookie": await _browser_cookie(jp_fetch), "X-XSRFToken": XSRF}

    async def as_user(*path: str, method: str = "GET") -> Any:
        response = await jp_fetch(
            "jlab-platform",
            "api",
            *path,
            method=method,
            headers=headers,
            allow_nonstandard_methods=True,
            body="" if method in ("PUT", "DELETE") else None,
        )
        return json.loads(response.body) if response.body else None

    assert await as_user("favorites", "module", "simple", method="PUT") == {
        "kind": "module",
        "name": "simple",
        "favorite": True,
    }
    await as_user("favorites", "dataset", "stripes", method="PUT")
    modules = {m["name"]: m["favorite"] for m in (await as_user("modules"))["modules"]}
    assert modules["simple"] is True and modules["image-classifier"] is False
    assert (await as_user("datasets", "stripes"))["favorite"] is True
    # Another login (each token request is a new made-up user) sees the same favorites.
    assert {m["name"]: m["favorite"] for m in (await call(jp_fetch, "modules"))["modules"]}["simple"] is True
    assert (await call(jp_fetch, "datasets", "stripes"))["favorite"] is True

    assert await as_user("favorites", "module", "simple", method="DELETE") is None
    assert (await as_user("modules", "simple"))["favorite"] is False
    await expect_error(jp_fetch, 400, "favorites", "notebook", "simple", method="PUT", body={})
    await expect_error(jp_fetch, 404, "favorites", "module", "nothing", method="PUT", body={})


class HeaderIdentityProvider(IdentityProvider):
    """A provider that knows people (as JupyterHub's does): the user named in a header."""

    def get_user(self, handler: web.RequestHandler) -> User | None:
        name = handler.request.headers.get("X-User")
        return User(username=name) if name else None


@pytest.mark.parametrize(
    "jp_server_config",
    [
        {
            "ServerApp": {
                "jpserver_extensions": {"jlab_platform": True},
                "identity_provider_class": HeaderIdentityProvider,
            }
        }
    ],
)
async def test_favorites_are_per_user_with_a_provider_that_knows_people(
    jp_fetch: Any, workspace: Path
) -> None:
    async def as_user(user: str, *path: str, method: str = "GET") -> Any:
        response = await jp_fetch(
            "jlab-platform",
            "api",
            *path,
            method=method,
            headers={"X-User": user, "Cookie": f"_xsrf={XSRF}", "X-XSRFToken": XSRF},
            body="" if method == "PUT" else None,
        )
        return json.loads(response.body)

    await as_user("ada", "favorites", "module", "simple", method="PUT")
    assert (await as_user("ada", "modules", "simple"))["favorite"] is True
    assert (await as_user("bob", "modules", "simple"))["favorite"] is False
