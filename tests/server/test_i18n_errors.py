"""Error bodies in the request's language: Chinese when asked for, English otherwise."""

import json
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

API = ("jlab-platform", "api")


async def error_body(
    jp_fetch: Any, code: int, *path: str, headers: dict[str, str] | None = None, method: str = "GET"
) -> dict[str, Any]:
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch(*API, *path, headers=headers or {}, method=method)
    assert info.value.code == code
    assert info.value.response is not None
    body: dict[str, Any] = json.loads(info.value.response.body)
    return body


async def test_a_typed_error_follows_accept_language(jp_fetch: Any) -> None:
    english = await error_body(jp_fetch, 404, "jobs", "no-such-job")
    assert english["error"] == "No job with id 'no-such-job'"
    assert english["detail"] == "It may have been deleted; list jobs to see those that exist."

    chinese = await error_body(
        jp_fetch, 404, "jobs", "no-such-job", headers={"Accept-Language": "zh-CN,zh;q=0.9"}
    )
    assert chinese["error"] == "没有 ID 为 'no-such-job' 的任务"
    assert chinese["detail"] == "它可能已被删除；请列出任务查看现有的任务。"


async def test_the_jupyterlab_ui_language_wins_over_the_browser(jp_fetch: Any) -> None:
    ui_english = await error_body(
        jp_fetch, 404, "jobs", "x", headers={"Accept-Language": "zh-CN", "X-Jlab-Platform-Language": "en"}
    )
    assert ui_english["error"] == "No job with id 'x'"
    ui_chinese = await error_body(
        jp_fetch, 404, "jobs", "x", headers={"Accept-Language": "en-US", "X-Jlab-Platform-Language": "zh-CN"}
    )
    assert ui_chinese["error"] == "没有 ID 为 'x' 的任务"


async def test_errors_tornado_answers_are_translated_too(jp_fetch: Any) -> None:
    body = await error_body(jp_fetch, 405, "info", headers={"Accept-Language": "zh"}, method="DELETE")
    assert body["error"] == "不允许的请求方法"
