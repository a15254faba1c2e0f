import gc
import json
import re
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from jlab_platform import __version__


def _body(method: str) -> str | None:
    return "{}" if method in ("POST", "PUT", "PATCH") else None


async def test_info_reports_version_and_capabilities(jp_fetch: Any) -> None:
    response = await jp_fetch("jlab-platform", "api", "info")
    info = json.loads(response.body)
    assert info["version"] == __version__
    assert info["torch"]["available"] is True and info["torch"]["version"].startswith("2.")
    assert info["tensorflow"]["available"] is True
    assert info["git"]["available"] is True
    assert info["gpus"] >= 0
    assert info["schema_version"] >= 1
    assert info["results_dir"] == "results"


async def test_refresh_detects_again(jp_fetch: Any) -> None:
    response = await jp_fetch("jlab-platform", "api", "info", "refresh", method="POST", body="{}")
    assert json.loads(response.body)["version"] == __version__


def _platform_routes(serverapp: Any) -> list[tuple[str, str]]:
    """Every (method, path) the extension registered, regex groups filled with a sample value."""
    routes = []
    for rule in _rules(serverapp.web_app.default_router):
        pattern = rule.matcher.regex.pattern.rstrip("$")
        if "/jlab-platform/api/" not in pattern:
            continue
        path = re.sub(r"\(\?P<\w+>[^)]*\)|\([^)]*\)", "sample", pattern)
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            if method.lower() in vars(rule.target) or any(
                method.lower() in vars(base)
                for base in rule.target.__mro__[:-1]
                if "jlab_platform" in base.__module__
            ):
                routes.append((method, path))
    return routes


def _rules(router: Any) -> list[Any]:
    found = []
    for rule in router.rules:
        if hasattr(rule.target, "rules"):
            found.extend(_rules(rule.target))
        elif hasattr(rule.matcher, "regex"):
            found.append(rule)
    return found


async def test_every_endpoint_refuses_missing_or_wrong_token(
    jp_fetch: Any, jp_serverapp: Any, jp_base_url: str
) -> None:
    routes = _platform_routes(jp_serverapp)
    assert ("GET", f"{jp_base_url}jlab-platform/api/info") in routes
    for method, path in routes:
        for authorization in ("", "token wrong-token"):
            with pytest.raises(HTTPClientError) as info:
                await jp_fetch(
                    *path.removeprefix(jp_base_url).split("/"),
                    method=method,
                    body=_body(method),
                    headers={"Authorization": authorization},
                    allow_nonstandard_methods=True,
                )
            assert info.value.code == 403, (method, path, authorization)


async def _login_cookie_header(jp_fetch: Any) -> str:
    """Log in as a browser does: the token once, then only the login cookie."""
    response = await jp_fetch("jlab-platform", "api", "info")
    cookies: dict[str, str] = {}
    for header in response.headers.get_list("Set-Cookie"):
        name, _, rest = header.partition("=")
        cookies[name] = rest.split(";", 1)[0]
    assert any(name.startswith("username-") for name in cookies), cookies
    return "; ".join(f"{k}={v}" for k, v in cookies.items() if k.startswith("username-"))


async def test_browser_post_without_xsrf_is_rejected(jp_fetch: Any) -> None:
    cookie_header = await _login_cookie_header(jp_fetch)
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch(
            "jlab-platform",
            "api",
            "info",
            "refresh",
            method="POST",
            body="{}",
            headers={"Authorization": "", "Cookie": cookie_header},
        )
    assert info.value.code == 403


async def test_browser_post_with_xsrf_is_accepted(jp_fetch: Any) -> None:
    cookie_header = await _login_cookie_header(jp_fetch)
    xsrf = "2|abcdef01|0123456789abcdef0123456789abcdef|1700000000"
    response = await jp_fetch(
        "jlab-platform",
        "api",
        "info",
        "refresh",
        method="POST",
        body="{}",
        headers={
            "Authorization": "",
            "Cookie": f"{cookie_header}; _xsrf={xsrf}",
            "X-XSRFToken": xsrf,
        },
    )
    assert response.code == 200


@pytest.mark.parametrize("freeze", [True, False])
async def test_the_startup_heap_is_frozen_once_the_server_starts(jp_serverapp: Any, freeze: bool) -> None:
    extension = jp_serverapp.extension_manager.extension_apps["jlab_platform"].pop()
    extension.freeze_startup_heap = freeze
    gc.unfreeze()
    try:
        await extension._start_jupyter_server_extension(jp_serverapp)
        assert (gc.get_freeze_count() > 0) is freeze
    finally:
        gc.unfreeze()
        await extension.stop_extension()
