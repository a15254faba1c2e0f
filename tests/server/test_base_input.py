"""Hostile input at the shared base of every API handler: bodies, nesting, paths."""

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from .test_jobs_handlers import call, expect_error


async def raw_request(port: int, head: str) -> tuple[int, bytes]:
    """Send only a request's head (never its body) and read what the server answers."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(head.encode("latin-1"))
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(65536), 10)
    finally:
        writer.close()
    status = int(answer.split(b" ", 2)[1]) if answer else 0
    return status, answer.partition(b"\r\n\r\n")[2]


def head(path: str, length: int, *headers: str) -> str:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {length}", *headers]
    return "\r\n".join(lines) + "\r\n\r\n"


async def test_a_large_or_unauthenticated_body_is_refused_before_it_is_read(
    jp_fetch: Any, jp_http_port: int, jp_auth_header: dict[str, str], jp_base_url: str
) -> None:
    auth = f"Authorization: {jp_auth_header['Authorization']}"
    api, label = f"{jp_base_url}jlab-platform/api", f"{jp_base_url}jlab-platform/label/api"
    huge = 400 * 1024 * 1024
    # The server answers from the head alone: none of these bodies is ever sent.
    started = time.monotonic()
    anonymous = await raw_request(jp_http_port, head(f"{api}/jobs", huge))
    too_large = await raw_request(jp_http_port, head(f"{api}/jobs", huge, auth))
    no_token = await raw_request(jp_http_port, head(f"{label}/next", 1000))
    labeler_huge = await raw_request(jp_http_port, head(f"{label}/next", huge))
    assert time.monotonic() - started < 5
    assert anonymous[0] == 403
    assert too_large[0] == 413 and "KiB" in json.loads(too_large[1])["detail"]
    assert no_token[0] == 401 and json.loads(no_token[1])["error"] == "The labeling link is not valid"
    assert labeler_huge[0] == 413

    # The attack itself: a labeler route, no token, a body sent as fast as loopback goes.
    # Other requests meanwhile are answered at once (they waited seconds while it was parsed).
    _, writer = await asyncio.open_connection("127.0.0.1", jp_http_port)

    async def send() -> None:
        writer.write(head(f"{label}/next", 64 * 1024 * 1024).encode())
        block = b"[1," * (1024 * 1024 // 3)
        try:
            for _ in range(64):
                writer.write(block)
                await writer.drain()
        except ConnectionError:
            pass  # refused and closed: the point

    sending = asyncio.create_task(send())
    slowest = 0.0
    for _ in range(10):
        started = time.monotonic()
        await call(jp_fetch, "jobs")
        slowest = max(slowest, time.monotonic() - started)
    await sending
    writer.close()
    assert slowest < 1.0


async def test_a_chunked_body_past_the_limit_is_cut_off(
    jp_fetch: Any,  # starts the server
    jp_http_port: int,
    jp_auth_header: dict[str, str],
    jp_base_url: str,
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", jp_http_port)
    auth = f"Authorization: {jp_auth_header['Authorization']}"
    lines = [f"POST {jp_base_url}jlab-platform/api/jobs HTTP/1.1", "Host: 127.0.0.1", auth]
    writer.write(("\r\n".join([*lines, "Transfer-Encoding: chunked"]) + "\r\n\r\n").encode())
    chunk = b"x" * 65536
    try:
        for _ in range(8):  # 512 KiB, twice the limit
            writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            await writer.drain()
    except ConnectionError:
        pass  # the server closed the connection: the point
    answer = await asyncio.wait_for(reader.read(65536), 10)
    writer.close()
    assert answer.startswith(b"HTTP/1.1 400") or answer == b""


NESTED = "[" * 5000 + "]" * 5000


@pytest.mark.parametrize(
    "route", ["jobs", "crowd/tasks", "files/extract", "files/export-script", "convert/tflite", "git/rollback"]
)
async def test_deeply_nested_json_is_a_400(jp_fetch: Any, route: str) -> None:
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("jlab-platform", "api", *route.split("/"), method="POST", body=NESTED)
    assert info.value.code == 400 and info.value.response is not None
    assert json.loads(info.value.response.body)["error"] == "Request body is nested too deeply"


LONG = "a" * 300


@pytest.mark.parametrize("bad", [f"data/{LONG}/x.py", "data/x\x00.py", f"{'b' * 200}/" * 25])
async def test_every_path_endpoint_answers_400_for_a_path_no_file_system_takes(
    jp_fetch: Any, jp_root_dir: Path, bad: str
) -> None:
    await call(jp_fetch, "git", "init", method="POST", body={})
    posts: list[tuple[str, dict[str, Any]]] = [
        ("jobs", {"script": bad}),
        ("convert/tflite", {"path": bad}),
        ("convert/onnx", {"path": bad}),
        ("files/extract", {"path": bad}),
        ("files/export-script", {"path": bad}),
        ("crowd/tasks", {"name": "t", "dataset": bad, "module": "modules/m"}),
        ("git/rollback", {"commit": "HEAD", "path": bad}),
    ]
    for route, body in posts:
        error = await expect_error(jp_fetch, 400, *route.split("/"), method="POST", body=body)
        assert "path" in (error["error"] + error["detail"]).lower() or "name" in error["error"].lower(), route
    if "\x00" not in bad:  # tornado turns a query's control characters into spaces
        for route in ("git/diff", "git/log"):
            await expect_error(jp_fetch, 400, *route.split("/"), path=bad)


async def test_name_encoding_with_a_nul_is_a_400(jp_fetch: Any, jp_root_dir: Path) -> None:
    (jp_root_dir / "a.zip").write_bytes(b"PK\x05\x06" + b"\x00" * 18)  # an empty zip
    error = await expect_error(
        jp_fetch, 400, "files", "extract", method="POST", body={"path": "a.zip", "name_encoding": "utf-8\x00"}
    )
    assert "encoding" in error["error"]


@pytest.mark.parametrize(
    ("route", "body"),
    [
        ("git/sync", '{"message": "m\\ud800"}'),
        ("git/rollback", '{"commit": "HEAD", "message": "\\udfff"}'),
        ("crowd/tasks", '{"name": "a\\ud800", "dataset": "d", "module": "m"}'),
        ("jobs", '{"script": "x.py", "args": ["\\ud800"]}'),
    ],
)
async def test_a_lone_surrogate_in_a_body_is_a_400(jp_fetch: Any, route: str, body: str) -> None:
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("jlab-platform", "api", *route.split("/"), method="POST", body=body)
    assert info.value.code == 400 and info.value.response is not None
    assert "surrogate" in json.loads(info.value.response.body)["error"]


async def test_a_surrogate_pair_is_ordinary_text(jp_fetch: Any, jp_root_dir: Path) -> None:
    (jp_root_dir / "hello.py").write_text("print('hi')\n")
    body = '{"script": "hello.py", "name": "run \\ud83d\\ude00"}'
    response = await jp_fetch("jlab-platform", "api", "jobs", method="POST", body=body)
    assert json.loads(response.body)["name"] == "run \U0001f600"
