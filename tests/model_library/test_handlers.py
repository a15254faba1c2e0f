"""``/models`` through the server: a real image-classifier training job, publish, aliases, batch
prediction as a job, export; and the 400/404/409 answers saying what to fix."""

import asyncio
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from tests.modules.factory import write_stripes
from tests.server.test_jobs_handlers import API, call, expect_error

TINY_TRAINING = {"max_iter": 2, "batch_size": 4, "image_size": 8, "seed": 0}


async def wait_state(jp_fetch: Any, *path: str, ended: tuple[str, ...]) -> dict[str, Any]:
    for _ in range(1200):
        found: dict[str, Any] = await call(jp_fetch, *path)
        if found["state"] in ended:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(found)


async def test_train_publish_alias_predict_export(jp_fetch: Any, jp_root_dir: Path) -> None:
    write_stripes(jp_root_dir / "data" / "stripes", per_class=4, size=8)
    created = await call(
        jp_fetch,
        "models",
        method="POST",
        body={
            "name": "stripes",
            "template": "image-classifier",
            "data_paths": ["data/stripes"],
            "config": TINY_TRAINING,
        },
    )
    assert created["template"] == "image-classifier" and created["template_version"] == "1.0.0"
    assert created["task"] == "image-classification" and created["latest_version"] is None
    trainings = (await call(jp_fetch, "models", "stripes", "trainings"))["trainings"]
    assert len(trainings) == 1
    training = await wait_state(
        jp_fetch, "models", "stripes", "trainings", trainings[0]["id"], ended=("completed", "failed")
    )
    assert training["state"] == "completed", training
    assert training["evaluation"] and training["progress"] == 1.0
    of_job = await call(jp_fetch, "models", "trainings", job_id=training["job_id"])
    assert [t["id"] for t in of_job["trainings"]] == [training["id"]]
    assert (await call(jp_fetch, "models", "trainings", job_id="nojob"))["trainings"] == []

    version = await call(
        jp_fetch, "models", "stripes", "versions", method="POST", body={"job_id": training["job_id"]}
    )
    assert version["version"] == "1.01" and version["evaluation"] == training["evaluation"]
    again = await expect_error(
        jp_fetch, 409, "models", "stripes", "versions", method="POST", body={"training_id": training["id"]}
    )
    assert "already published as stripes@1.01" in again["error"] and "retrain" in again["detail"]

    alias = await call(
        jp_fetch, "models", "stripes", "aliases", "production", method="PUT", body={"version": "1.01"}
    )
    # Who did it, by jupyter_server's display name, not its hex id: without a login, "Anonymous <moon>"
    # (a browser keeps its name in a cookie; each of these token requests is named afresh).
    assert alias["version"] == "1.01"
    assert all(by.startswith("Anonymous ") for by in (alias["set_by"], version["published_by"]))
    history = await call(jp_fetch, "models", "stripes", "aliases")
    assert [(m["alias"], m["from_version"], m["to_version"]) for m in history["history"]] == [
        ("production", None, "1.01")
    ]
    assert (await call(jp_fetch, "models", "stripes", "versions", "production"))["version"] == "1.01"
    run = await call(jp_fetch, "models", "stripes", "run", version="production")
    assert run["run_dir"] == "results/.models/stripes@1.01" and run["template"] == "image-classifier"
    assert (jp_root_dir / run["run_dir"] / "model.pt").is_file()

    download = await jp_fetch("jlab-platform", "api", "models", "stripes", "versions", "1.01", "export")
    assert hashlib.sha256(download.body).hexdigest() == version["checkpoint_sha256"]
    assert 'filename="model.pt"' in download.headers["Content-Disposition"]
    # ONNX: the template's network traced, then converted by the conversion service (and verified there).
    onnx = await jp_fetch(
        *API,
        "models",
        "stripes",
        "versions",
        "1.01",
        "export",
        params={"format": "onnx"},
        request_timeout=300,
    )
    assert 'filename="stripes-1.01.onnx"' in onnx.headers["Content-Disposition"] and len(onnx.body) > 1000
    keras_only = await expect_error(
        jp_fetch, 409, "models", "stripes", "versions", "1.01", "export", format="tflite"
    )
    assert "no Keras model" in keras_only["error"]

    started = await call(
        jp_fetch,
        "models",
        "stripes",
        "versions",
        "production",
        "batch-predictions",
        method="POST",
        body={"data_path": "data/stripes"},
    )
    assert started["version"] == "1.01" and started["images"] == 8 and started["report"] is None
    path = ("models", "stripes", "versions", "1.01", "batch-predictions", started["id"])
    done = await wait_state(jp_fetch, *path, ended=("completed", "failed", "terminated"))
    assert done["state"] == "completed", done
    assert done["report"] == done["output"].rsplit("/", 1)[1]
    assert (jp_root_dir / done["output"] / "predictions.csv").is_file()
    # Both reports open in the evaluation view by their ids.
    for report in (done["report"], training["evaluation"]):
        assert (await call(jp_fetch, "evaluations", report))["status"] == "complete"
    listed = await call(jp_fetch, "models", "stripes", "versions", "1.01", "batch-predictions")
    assert [p["id"] for p in listed["predictions"]] == [started["id"]]
    models = await call(jp_fetch, "models", q="stripes")
    assert models["models"][0]["latest_version"] == "1.01" and models["models"][0]["aliases"] == {
        "production": "1.01"
    }


async def test_bad_requests_say_what_to_fix(jp_fetch: Any, jp_root_dir: Path) -> None:
    write_stripes(jp_root_dir / "data" / "stripes", per_class=2, size=8)
    (jp_root_dir / "data" / "empty").mkdir()
    body = {"name": "1bad", "template": "image-classifier", "data_paths": ["data/stripes"]}
    bad = await expect_error(jp_fetch, 400, "models", method="POST", body=body)
    assert set(bad["fields"]) == {"name"} and "letter first" in bad["fields"]["name"]
    reserved = await expect_error(jp_fetch, 400, "models", method="POST", body={**body, "name": "trainings"})
    assert "reserved" in reserved["fields"]["name"]
    empty = await expect_error(
        jp_fetch, 400, "models", method="POST", body={**body, "name": "ok", "data_paths": ["data/empty"]}
    )
    assert empty["field"] == "data_paths" and "holds no images" in empty["error"]
    unknown = await expect_error(
        jp_fetch, 400, "models", method="POST", body={**body, "name": "ok", "config": {"epochz": 1}}
    )
    assert set(unknown["fields"]) == {"epochz"}
    missing = await expect_error(
        jp_fetch, 404, "models", method="POST", body={**body, "name": "ok", "template": "x"}
    )
    assert missing["field"] == "template"

    check = await call(jp_fetch, "models", "data-paths", "check", path="data/stripes")
    assert check == {
        "path": "data/stripes",
        "valid": True,
        "images": 4,
        "classes": ["horizontal", "vertical"],
        "reason": None,
    }
    assert (await call(jp_fetch, "models", "data-paths", "check", path="data/empty"))["valid"] is False
    hostile = await expect_error(jp_fetch, 400, "models", "data-paths", "check", path="../etc")
    assert "path" in hostile["fields"]

    await call(jp_fetch, "models", method="POST", body={**body, "name": "ok", "train": False})
    assert (await expect_error(jp_fetch, 409, "models", method="POST", body={**body, "name": "ok"}))[
        "field"
    ] == "name"
    await expect_error(jp_fetch, 404, "models", "nope")
    with pytest.raises(HTTPClientError) as chinese:
        await jp_fetch(*API, "models", "nope", headers={"X-Jlab-Platform-Language": "zh-CN"})
    assert chinese.value.response is not None
    assert json.loads(chinese.value.response.body)["error"] == "没有名为 'nope' 的模型"
    await expect_error(jp_fetch, 404, "models", "ok", "versions", "canary")
    await expect_error(jp_fetch, 404, "models", "ok", "run")
    bad_alias = await expect_error(
        jp_fetch, 400, "models", "ok", "aliases", "1.02", method="PUT", body={"version": "1.01"}
    )
    assert "must not look like a version" in bad_alias["detail"]
    await expect_error(
        jp_fetch, 404, "models", "ok", "aliases", "prod", method="PUT", body={"version": "1.01"}
    )
    await expect_error(jp_fetch, 404, "models", "ok", "aliases", "prod", method="DELETE")
    fix = await expect_error(
        jp_fetch, 400, "models", "ok", method="PATCH", body={"data_paths": ["data/empty"]}
    )
    assert fix["field"] == "data_paths"
    await call(jp_fetch, "models", "ok", method="DELETE")
    await expect_error(jp_fetch, 404, "models", "ok")
