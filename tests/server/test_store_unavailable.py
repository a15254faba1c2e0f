"""A store that cannot be opened: the extension loads anyway and every route says why (503)."""

import json
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from tests.server.test_info_handlers import _body, _platform_routes


@pytest.fixture
def jp_server_config(jp_root_dir: Path) -> dict[str, Any]:
    store = jp_root_dir / ".jlab_platform" / "platform.db"
    store.parent.mkdir()
    store.write_bytes(b"\x00garbage, not SQLite\x00" * 512)  # a damaged platform.db
    return {
        "ServerApp": {"jpserver_extensions": {"jlab_platform": True}, "allow_unauthenticated_access": False}
    }


async def test_every_route_answers_503_with_the_cause(
    jp_fetch: Any, jp_serverapp: Any, jp_base_url: str, jp_root_dir: Path
) -> None:
    store = jp_root_dir / ".jlab_platform" / "platform.db"
    routes = _platform_routes(jp_serverapp)
    assert ("GET", f"{jp_base_url}jlab-platform/api/info") in routes
    answered = 0
    for method, path in routes:
        with pytest.raises(HTTPClientError) as info:
            await jp_fetch(
                *path.removeprefix(jp_base_url).split("/"),
                method=method,
                body=_body(method),
                allow_nonstandard_methods=True,
            )
        assert info.value.response is not None
        if info.value.code == 404 and b"cannot be opened" not in info.value.response.body:
            continue  # the sample value does not fit this route's pattern: no handler was reached
        assert info.value.code == 503, (method, path)
        answered += 1
        answer = json.loads(info.value.response.body)
        assert answer == {
            "error": f"The platform's store {store} cannot be opened: file is not a database",
            "detail": f"Move {store} (with its -wal and -shm files) aside and restart the server "
            "to start a new store, or put a backup in its place.",
        }, (method, path)
    assert answered > 40
    # The labeling API (invitation token, no Jupyter login) says so too, and no route asks for a login.
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch(
            "jlab-platform", "label", "api", "session", headers={"X-Labeler-Token": "t", "Authorization": ""}
        )
    assert info.value.code == 503
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("jlab-platform", "api", "info", headers={"Authorization": ""})
    assert info.value.code == 403
