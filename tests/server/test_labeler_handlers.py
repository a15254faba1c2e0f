"""The labeling page and its token-authenticated API, as an invited person's browser uses them."""

import asyncio
import json
import re
import signal
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from tests.crowd.modules import make_images, make_seed_module
from tests.helpers.jupyter import ServerProcess, running_server

from .test_jobs_handlers import call

LABEL = ("jlab-platform", "label")


@pytest.fixture
def jp_server_config(jp_server_config: dict[str, Any], db_url: str) -> dict[str, Any]:
    """Every test here runs on the embedded SQLite store and on a real PostgreSQL server."""
    return {**jp_server_config, "JlabPlatform": {"db_url": db_url, "crowd_token_guess_limit": 3}}


async def label_call(
    jp_fetch: Any, token: str, path: str, body: Any = None, method: str | None = None
) -> tuple[int, Any]:
    """A labeler's request: the token header and no Jupyter credentials at all."""
    try:
        response = await jp_fetch(
            *LABEL,
            *path.split("/"),
            method=method or ("GET" if body is None else "POST"),
            body=None if body is None else json.dumps(body),
            headers={"Authorization": "", "X-Labeler-Token": token},
        )
    except HTTPClientError as error:
        assert error.response is not None
        try:
            return error.code, json.loads(error.response.body)
        except ValueError:
            return error.code, error.response.body
    is_json = response.headers.get("Content-Type", "").startswith("application/json")
    return response.code, json.loads(response.body) if is_json else response.body


async def open_task(jp_fetch: Any, root: Path, name: str = "shapes", **fields: Any) -> dict[str, Any]:
    """A task on generated shapes with the seed-format test module, waited for until labeling."""
    if not (root / "datasets" / "shapes").exists():
        make_images(root / "datasets" / "shapes" / "images", 12)
        make_seed_module(root / "modules" / "cstest")
    body = {"name": name, "dataset": "datasets/shapes", "module": "modules/cstest", "max_choose": 4, **fields}
    task = await call(jp_fetch, "crowd", "tasks", method="POST", body=body)
    invites = task["invites"]
    for _ in range(600):
        task = await call(jp_fetch, "crowd", "tasks", task["id"])
        if task["state"] != "scoring":
            break
        await asyncio.sleep(0.1)
    assert task["state"] == "labeling", task["error"]
    return {**task, "invites": invites}


async def test_the_page_is_served_without_login_and_carries_no_task_data(jp_fetch: Any) -> None:
    response = await jp_fetch(*LABEL, headers={"Authorization": ""})
    page = response.body.decode()
    assert response.code == 200 and response.headers["Cache-Control"] == "no-store"
    policy = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce and f'<script nonce="{nonce.group(1)}">' in page and "default-src 'none'" in policy
    assert "textContent" in page and "innerHTML" not in page  # everything shown is inserted as text
    again = await jp_fetch(*LABEL, headers={"Authorization": ""})
    assert again.headers["Content-Security-Policy"] != policy  # a fresh nonce per page


async def test_label_skip_undo_and_a_retried_submission(jp_fetch: Any, jp_root_dir: Path) -> None:
    task = await open_task(jp_fetch, jp_root_dir, labelers=["alice"])
    token = task["invites"][0]["token"]
    assert task["invites"][0]["link"].endswith(f"jlab-platform/label#{token}")

    code, session = await label_call(jp_fetch, token, "api/session")
    assert (
        code == 200 and session["task"]["classes"] == ["circle", "square"] and session["labeler"] == "alice"
    )
    code, answer = await label_call(jp_fetch, token, "api/next", {"prefetch": 2})
    first, second = answer["samples"]
    code, image = await label_call(jp_fetch, token, f"api/samples/{first['id']}/image")
    assert code == 200 and image == (jp_root_dir / "datasets/shapes/images" / first["name"]).read_bytes()

    submission = {"sample_id": first["id"], "label": "circle", "request_id": "retry-me"}
    code, done = await label_call(jp_fetch, token, "api/labels", submission)
    assert code == 200 and done["duplicate"] is False and done["progress"]["labels"] == 1
    assert done["samples"][0]["id"] == second["id"] and len(done["samples"]) == 2  # prefetched
    code, retried = await label_call(jp_fetch, token, "api/labels", submission)
    assert retried["duplicate"] is True and retried["progress"]["labels"] == 1

    code, skipped = await label_call(jp_fetch, token, "api/skip", {"sample_id": second["id"]})
    assert second["id"] not in [s["id"] for s in skipped["samples"]]
    code, undone = await label_call(jp_fetch, token, "api/undo", {})
    assert undone["undone"] == {"sample_id": first["id"], "label": "circle"}
    assert undone["samples"][0]["id"] == first["id"] and undone["progress"]["labels"] == 0


async def test_bad_requests_get_4xx_with_what_to_fix(jp_fetch: Any, jp_root_dir: Path) -> None:
    task = await open_task(jp_fetch, jp_root_dir, labelers=["alice"])
    token = task["invites"][0]["token"]
    sample = (await label_call(jp_fetch, token, "api/next", {}))[1]["samples"][0]["id"]
    for body, status, words in [
        ({"sample_id": sample}, 400, "label: Required"),
        ({"sample_id": sample, "label": "triangle"}, 400, "Unknown class"),
        ({"label": "circle"}, 400, "sample_id: Required"),
        ({"sample_id": "nope", "label": "circle"}, 404, "No such sample"),
        ({"sample_id": sample, "label": "circle", "prefetch": 9}, 400, "prefetch"),
    ]:
        code, error = await label_call(jp_fetch, token, "api/labels", body)
        assert code == status and words in error["error"] + error["detail"], (body, error)
    code, _ = await label_call(jp_fetch, token, "api/skip", {"sample_id": "../../etc/passwd"})
    assert code == 404  # nothing but a sample's id ever names a sample
    code, error = await label_call(jp_fetch, token, "api/next", method="POST", body=["not", "an", "object"])
    assert code == 400 and "JSON object" in error["error"]
    for route in ("api/next", "api/labels", "api/skip", "api/undo"):
        response = await jp_fetch(
            *LABEL,
            *route.split("/"),
            method="POST",
            body="[" * 5000,
            raise_error=False,
            headers={"Authorization": "", "X-Labeler-Token": token},
        )
        assert response.code == 400 and b"nested too deeply" in response.body, route


async def test_a_token_reaches_only_its_own_task(jp_fetch: Any, jp_root_dir: Path) -> None:
    task_a = await open_task(jp_fetch, jp_root_dir, "A", labelers=["alice"])
    task_b = await open_task(jp_fetch, jp_root_dir, "B", labelers=["bob"])
    token_a, token_b = task_a["invites"][0]["token"], task_b["invites"][0]["token"]
    sample_b = (await label_call(jp_fetch, token_b, "api/next", {}))[1]["samples"][0]["id"]

    assert (await label_call(jp_fetch, token_a, f"api/samples/{sample_b}/image"))[0] == 404
    code, _ = await label_call(jp_fetch, token_a, "api/labels", {"sample_id": sample_b, "label": "circle"})
    assert code == 404
    assert (await label_call(jp_fetch, token_a, "api/session"))[1]["task"]["name"] == "A"

    labeler = task_a["invites"][0]["labeler"]["id"]
    revoked = await call(jp_fetch, "crowd", "tasks", task_a["id"], "invites", labeler, method="DELETE")
    assert revoked["active"] is False
    code, error = await label_call(jp_fetch, token_a, "api/session")
    assert code == 401 and "revoked" in error["error"]

    short = await call(
        jp_fetch,
        "crowd",
        "tasks",
        task_b["id"],
        "invites",
        method="POST",
        body={"name": "cy", "expires_hours": 0.0002},
    )
    assert (await label_call(jp_fetch, short["token"], "api/session"))[0] == 200
    await asyncio.sleep(0.9)
    code, error = await label_call(jp_fetch, short["token"], "api/session")
    assert code == 401 and "expired" in error["error"]


async def test_guessing_tokens_is_rate_limited(jp_fetch: Any, jp_root_dir: Path) -> None:
    task = await open_task(jp_fetch, jp_root_dir, labelers=["alice"])
    real = task["invites"][0]["token"]
    guess = real.split(".")[0] + ".wrong-secret"
    for attempt in ("", "no-dot", guess):
        assert (await label_call(jp_fetch, attempt, "api/session"))[0] == 401
    try:
        await jp_fetch(*LABEL, "api", "session", headers={"Authorization": "", "X-Labeler-Token": real})
        raise AssertionError("the address should be refused for a while")
    except HTTPClientError as error:
        assert error.code == 429 and error.response is not None
        assert 0 < int(error.response.headers["Retry-After"]) <= 61
    # The owner's API (Jupyter login) is not affected.
    assert (await call(jp_fetch, "crowd", "tasks", task["id"]))["id"] == task["id"]


async def test_concurrent_guesses_pass_the_limit_no_more_often_than_one_at_a_time(
    jp_fetch: Any, jp_http_port: int, jp_base_url: str
) -> None:
    await jp_fetch(*LABEL, headers={"Authorization": ""})  # the server is up

    async def guess(number: int) -> int:
        reader, writer = await asyncio.open_connection("127.0.0.1", jp_http_port)
        path = f"{jp_base_url}jlab-platform/label/api/session"
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Labeler-Token: x{number}.s\r\n\r\n".encode()
        )
        status = int((await asyncio.wait_for(reader.readline(), 60)).split()[1])
        writer.close()
        return status

    statuses = await asyncio.gather(*(guess(number) for number in range(100)))
    assert statuses.count(401) == 3 and statuses.count(429) == 97  # the fixture's limit is 3


async def test_concurrent_labelers_over_http_never_share_a_sample(jp_fetch: Any, jp_root_dir: Path) -> None:
    task = await open_task(jp_fetch, jp_root_dir, labelers=["ann", "ben", "cy"], max_choose=9)
    tokens = [invite["token"] for invite in task["invites"]]

    async def labeler(token: str) -> list[str]:
        mine = []
        answer = (await label_call(jp_fetch, token, "api/next", {}))[1]
        while answer["samples"]:
            sample = answer["samples"][0]["id"]
            code, answer = await label_call(
                jp_fetch, token, "api/labels", {"sample_id": sample, "label": "square", "request_id": sample}
            )
            assert code == 200, answer
            mine.append(sample)
        return mine

    done = await asyncio.gather(*(labeler(token) for token in tokens))
    everything = [sample for mine in done for sample in mine]
    assert len(everything) == 9 and len(set(everything)) == 9
    status = await call(jp_fetch, "crowd", "tasks", task["id"])
    assert status["round_complete"] and sum(status["rounds"][0]["by_labeler"].values()) == 9


def _label(server: ServerProcess, token: str, path: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(server.url + "jlab-platform/label/" + path, data=data)
    request.add_header("X-Labeler-Token", token)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def test_a_server_restart_loses_no_label_and_releases_no_lease(tmp_path: Path, db_url: str) -> None:
    root = tmp_path / "workspace"
    make_images(root / "datasets" / "shapes" / "images", 12)
    make_seed_module(root / "modules" / "cstest")
    body = {
        "name": "restart",
        "dataset": "datasets/shapes",
        "module": "modules/cstest",
        "max_choose": 4,
        "labelers": ["alice", "bob"],
    }
    store = f"--JlabPlatform.db_url={db_url}"
    with running_server(root, store) as server:
        task = server.request("POST", "jlab-platform/api/crowd/tasks", body)
        alice, bob = (invite["token"] for invite in task["invites"])
        deadline = time.monotonic() + 120
        while server.request("GET", f"jlab-platform/api/crowd/tasks/{task['id']}")["state"] == "scoring":
            assert time.monotonic() < deadline
            time.sleep(0.2)
        held = [s["id"] for s in _label(server, alice, "api/next", {"prefetch": 2})["samples"]]
        _label(server, alice, "api/labels", {"sample_id": held[0], "label": "circle", "request_id": "k1"})
        server.process.send_signal(signal.SIGKILL)  # no clean shutdown at all
        server.process.wait()
    with running_server(root, store) as server:
        still = _label(server, alice, "api/next", {"prefetch": 1})["samples"]
        assert still[0]["id"] == held[1]  # alice's lease survived the restart
        offered_to_bob = {s["id"] for s in _label(server, bob, "api/next", {"prefetch": 3})["samples"]}
        assert held[1] not in offered_to_bob and held[0] not in offered_to_bob
        again = _label(
            server, alice, "api/labels", {"sample_id": held[0], "label": "circle", "request_id": "k1"}
        )
        assert again["duplicate"] is True and again["progress"]["labels"] == 1
        try:
            _label(server, "x.y", "api/session")
        except urllib.error.HTTPError as error:
            assert error.code == 401
        assert (
            "X-Labeler-Token" not in server.log_path.read_text() and alice not in server.log_path.read_text()
        )


async def test_why_there_is_no_work_is_in_the_labelers_language(jp_fetch: Any, jp_root_dir: Path) -> None:
    task = await open_task(jp_fetch, jp_root_dir, labelers=["alice"])
    token = task["invites"][0]["token"]
    body = {"confirm": True, "allow_unlabeled": True}
    await call(jp_fetch, "crowd", "tasks", task["id"], "finish", method="POST", body=body)
    response = await jp_fetch(
        *LABEL,
        "api",
        "next",
        method="POST",
        body=json.dumps({"prefetch": 2}),
        headers={"Authorization": "", "X-Labeler-Token": token, "Accept-Language": "zh-CN,zh;q=0.9"},
    )
    assert json.loads(response.body)["waiting"] == "此任务已结束：感谢你的标注。"
    _, english = await label_call(jp_fetch, token, "api/next", {"prefetch": 2})
    assert english["waiting"] == "This task is finished: thank you for labeling."
