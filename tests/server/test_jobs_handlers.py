import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

API = ("jlab-platform", "api")


async def call(jp_fetch: Any, *path: str, method: str = "GET", body: Any = None, **params: Any) -> Any:
    response = await jp_fetch(
        *API,
        *path,
        method=method,
        body=None if body is None else json.dumps(body),
        params=params or None,
        allow_nonstandard_methods=True,
    )
    return json.loads(response.body) if response.body else None


async def expect_error(
    jp_fetch: Any, code: int, *path: str, method: str = "GET", body: Any = None, **params: Any
) -> dict[str, Any]:
    with pytest.raises(HTTPClientError) as info:
        await call(jp_fetch, *path, method=method, body=body, **params)
    assert info.value.code == code, info.value.response.body if info.value.response else info.value
    assert info.value.response is not None
    payload: dict[str, Any] = json.loads(info.value.response.body)
    assert payload["error"] and "detail" in payload
    return payload


async def wait_status(jp_fetch: Any, job_id: str, *statuses: str) -> dict[str, Any]:
    for _ in range(600):
        job: dict[str, Any] = await call(jp_fetch, "jobs", job_id)
        if job["status"] in statuses:
            return job
        await asyncio.sleep(0.1)
    raise AssertionError(job)


async def test_submit_follow_log_and_metrics(jp_fetch: Any, jp_root_dir: Path) -> None:
    (jp_root_dir / "train.py").write_text(
        "import json\nfor i in range(1, 5):\n"
        "    print(json.dumps({'metric': 'loss', 'value': 1 / i, 'step': i, 'total': 4}))\n"
        "print('训练完成')\n"
    )
    job = await call(
        jp_fetch, "jobs", method="POST", body={"script": "train.py", "name": "exp1", "args": ["--lr", "0.1"]}
    )
    assert job["name"] == "exp1" and job["env"] == "cpu" and job["args"] == ["--lr", "0.1"]
    done = await wait_status(jp_fetch, job["id"], "success", "failed")
    assert done["status"] == "success"

    log = await call(jp_fetch, "jobs", job["id"], "log", offset="0")
    assert "训练完成" in log["data"] and log["complete"] is True and log["next_offset"] == log["size"]
    tail = await call(jp_fetch, "jobs", job["id"], "log", offset="-10")
    assert tail["offset"] == log["size"] - 10 or tail["offset"] > log["size"] - 10
    followed = await call(jp_fetch, "jobs", job["id"], "log", offset=str(log["next_offset"]), wait="1")
    assert followed["data"] == "" and followed["complete"] is True

    metrics = await call(jp_fetch, "jobs", job["id"], "metrics")
    assert [p["value"] for p in metrics["series"]["loss"]] == [1.0, 0.5, 1 / 3, 0.25]
    assert metrics["progress"]["fraction"] == 1.0

    listed = await call(jp_fetch, "jobs", status="success")
    assert listed["total"] == 1 and listed["jobs"][0]["id"] == job["id"]

    response = await jp_fetch(*API, "jobs", job["id"], "log", params={"download": "1"})
    assert "attachment" in response.headers["Content-Disposition"]
    assert "训练完成" in response.body.decode()


async def test_bad_input_gets_4xx_with_what_to_fix(jp_fetch: Any, jp_root_dir: Path) -> None:
    (jp_root_dir / "ok.py").write_text("import time\ntime.sleep(30)\n")
    await expect_error(jp_fetch, 400, "jobs", method="POST", body={})
    await expect_error(jp_fetch, 400, "jobs", method="POST", body={"script": "../../etc/passwd"})
    await expect_error(jp_fetch, 400, "jobs", method="POST", body={"script": "/etc/passwd"})
    await expect_error(jp_fetch, 400, "jobs", method="POST", body={"script": "missing.py"})
    await expect_error(jp_fetch, 400, "jobs", method="POST", body={"script": "ok.py", "env": "tpu"})
    await expect_error(jp_fetch, 400, "jobs", method="POST", body={"script": "ok.py", "args": [1, 2]})
    await expect_error(jp_fetch, 400, "jobs", method="POST", body=["not", "an", "object"])
    gpu = await expect_error(jp_fetch, 409, "jobs", method="POST", body={"script": "ok.py", "env": "gpu"})
    assert "GPU" in gpu["error"]
    await expect_error(jp_fetch, 404, "jobs", "no-such-job")
    await expect_error(jp_fetch, 400, "jobs", status="bogus")
    await expect_error(jp_fetch, 400, "jobs", limit="lots")
    # Numbers past the store's 64-bit integers, and ones that are not finite.
    for big in ("9223372036854775808", "-9223372036854775809", "1" + "0" * 40):
        await expect_error(jp_fetch, 400, "jobs", offset=big)
    assert (await call(jp_fetch, "jobs", offset="9223372036854775807"))["jobs"] == []
    await expect_error(jp_fetch, 400, "jobs", "no-such-job", "log", wait="nan")
    nan = await expect_error(
        jp_fetch, 400, "jobs", method="POST", body={"script": "ok.py", "name": float("nan")}
    )
    assert "NaN" in nan["error"]

    job = await call(jp_fetch, "jobs", method="POST", body={"script": "ok.py"})
    await expect_error(jp_fetch, 409, "jobs", job["id"], method="DELETE")
    await expect_error(jp_fetch, 409, "jobs", job["id"], "restart", method="POST", body={})
    stopped = await call(jp_fetch, "jobs", job["id"], "terminate", method="POST", body={})
    assert stopped["status"] == "terminated"
    await expect_error(jp_fetch, 409, "jobs", job["id"], "terminate", method="POST", body={})
    await expect_error(jp_fetch, 409, "jobs", job["id"], "finish", method="POST", body={"status": "success"})


async def test_environments_say_why_gpu_is_unavailable(jp_fetch: Any) -> None:
    envs = {e["name"]: e for e in (await call(jp_fetch, "jobs", "environments"))["environments"]}
    assert envs["cpu"]["available"] and envs["console"]["available"]
    assert envs["gpu"]["available"] is False and "GPU" in envs["gpu"]["reason"]
    # In the UI's language, as the job dialog shows it.
    response = await jp_fetch(*API, "jobs", "environments", headers={"X-Jlab-Platform-Language": "zh-CN"})
    reasons = {e["name"]: e["reason"] for e in json.loads(response.body)["environments"]}
    assert reasons["gpu"].startswith("此服务器上没有检测到 GPU") and reasons["cpu"] is None


async def test_restart_and_delete(jp_fetch: Any, jp_root_dir: Path) -> None:
    (jp_root_dir / "quick.py").write_text("print('quick')\n")
    job = await call(jp_fetch, "jobs", method="POST", body={"script": "quick.py"})
    await wait_status(jp_fetch, job["id"], "success")
    again = await call(jp_fetch, "jobs", job["id"], "restart", method="POST", body={})
    assert again["restarted_from"] == job["id"]
    await wait_status(jp_fetch, again["id"], "success")
    assert await call(jp_fetch, "jobs", job["id"], method="DELETE") is None
    await expect_error(jp_fetch, 404, "jobs", job["id"])
    # The restarted job still has the shared snapshot.
    assert (await call(jp_fetch, "jobs", again["id"]))["snapshot_available"] is True


async def test_a_log_downloads_under_a_name_that_is_not_latin_1(jp_fetch: Any, jp_root_dir: Path) -> None:
    (jp_root_dir / "quick.py").write_text("print('训练完成')\n")
    job = await call(jp_fetch, "jobs", method="POST", body={"script": "quick.py", "name": '训练-job "a"'})
    await wait_status(jp_fetch, job["id"], "success")
    response = await jp_fetch(*API, "jobs", job["id"], "log", params={"download": "1"})
    disposition = response.headers["Content-Disposition"]
    assert disposition == (
        f'attachment; filename="job-__-job _a_-{job["id"]}.log"; '
        f"filename*=UTF-8''job-%E8%AE%AD%E7%BB%83-job%20%22a%22-{job['id']}.log"
    )
    assert "训练完成" in response.body.decode()
