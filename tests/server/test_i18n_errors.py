"""Error bodies in the request's language: Chinese when asked for, English otherwise."""

import json
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

API = ("jlab-platform", "api")


async def error_body(
    jp_fetch: Any,
    code: int,
    *path: str,
    headers: dict[str, str] | None = None,
    method: str = "GET",
    params: dict[str, str] | None = None,
) -> dict[str, Any]:
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch(*API, *path, headers=headers or {}, method=method, params=params or {})
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


async def test_each_invalid_field_says_what_to_fix_in_the_request_language(jp_fetch: Any) -> None:
    query = {"limit": "many", "colour": "red", "status": "done"}
    english = await error_body(jp_fetch, 400, "jobs", params=query)
    assert english["error"] == "Invalid request: check colour, limit, status"
    assert english["fields"]["limit"] == "Give a whole number."
    assert english["fields"]["colour"].startswith("Unknown field; remove it (this request takes: ")
    assert english["fields"]["status"].startswith("Use one of: 'pending'")

    chinese = await error_body(jp_fetch, 400, "jobs", params=query, headers={"Accept-Language": "zh-CN"})
    assert chinese["error"] == "请求无效：请检查 colour, limit, status"
    assert chinese["fields"]["limit"] == "请给出一个整数。"
    assert chinese["fields"]["colour"].startswith("未知字段，请删除它（此请求接受：")
    assert chinese["fields"]["status"].startswith("请使用以下之一：'pending'")
    assert chinese["detail"].startswith("colour: 未知字段")

    one = await error_body(jp_fetch, 400, "jobs", params={"limit": "0"}, headers={"Accept-Language": "zh-CN"})
    assert one["error"] == "limit: 请给出不小于 1 的值。" and one["field"] == "limit"
    path_rule = await error_body(
        jp_fetch, 400, "outputs", params={"notebook": "../x.ipynb"}, headers={"Accept-Language": "zh-CN"}
    )
    assert "'..'" in path_rule["fields"]["notebook"] and "Path" not in path_rule["fields"]["notebook"]
