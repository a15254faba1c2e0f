"""The owner's labeling API (Jupyter login), with the shipped PyTorch module doing the scoring."""

import asyncio
import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from tests.crowd.modules import make_images, make_seed_module

from .test_jobs_handlers import API, call, expect_error
from .test_labeler_handlers import label_call, open_task

TORCH_TRAINING = {"epochs": 2, "image_size": 16, "batch_size": 8, "val_split": 0.0}


@pytest.fixture
def jp_server_config(jp_server_config: dict[str, Any], db_url: str) -> dict[str, Any]:
    """Every test here runs on the embedded SQLite store and on a real PostgreSQL server."""
    return {**jp_server_config, "JlabPlatform": {"db_url": db_url}}


async def wait_labeling(jp_fetch: Any, task_id: str) -> dict[str, Any]:
    for _ in range(1200):
        task: dict[str, Any] = await call(jp_fetch, "crowd", "tasks", task_id)
        if task["state"] != "scoring":
            return task
        await asyncio.sleep(0.1)
    raise AssertionError(task)


async def label_as(jp_fetch: Any, token: str, truth: dict[str, str]) -> list[str]:
    """One labeler's page: label what it is given with the true class, until nothing is left."""
    mine = []
    answer = (await label_call(jp_fetch, token, "api/next", {}))[1]
    while answer["samples"]:
        sample = answer["samples"][0]
        body = {"sample_id": sample["id"], "label": truth[sample["name"]], "request_id": sample["id"]}
        code, answer = await label_call(jp_fetch, token, "api/labels", body)
        assert code == 200, answer
        mine.append(sample["name"])
    return mine


async def test_full_loop_with_the_shipped_pytorch_module(jp_fetch: Any, jp_root_dir: Path) -> None:
    truth = make_images(jp_root_dir / "datasets" / "shapes", 16)
    created = await call(
        jp_fetch,
        "crowd",
        "tasks",
        method="POST",
        body={
            "name": "shapes",
            "dataset": "datasets/shapes",
            "module": "image-classifier",
            "classes": ["circle", "square"],
            "max_choose": 6,
            "seed": 1,
            "labelers": ["alice", "bob"],
            "train_options": TORCH_TRAINING,
        },
    )
    assert created["module_format"] == "platform" and len(created["invites"]) == 2
    task = await wait_labeling(jp_fetch, created["id"])
    assert task["state"] == "labeling", task["error"]
    assert task["rounds"][0]["notes"] == [
        "no trained model yet: every sample scores the same, the seed decides the order"
    ]

    alice, bob = (invite["token"] for invite in created["invites"])
    first = await asyncio.gather(label_as(jp_fetch, alice, truth), label_as(jp_fetch, bob, truth))
    labeled = first[0] + first[1]
    assert len(labeled) == 6 and len(set(labeled)) == 6 and all(first)  # shared out, never twice
    task = await call(jp_fetch, "crowd", "tasks", created["id"])
    assert task["round_complete"] and task["can"]["next_round"]
    assert task["rounds"][0]["by_labeler"] == {"alice": len(first[0]), "bob": len(first[1])}
    assert sum(task["rounds"][0]["by_class"].values()) == 6

    await call(jp_fetch, "crowd", "tasks", created["id"], "next-round", method="POST", body={})
    task = await wait_labeling(jp_fetch, created["id"])
    assert task["state"] == "labeling" and task["round"] == 2, task["error"]
    log = (await call(jp_fetch, "jobs", task["job_id"], "log"))["data"]
    assert "train on 6 labels of 2 classes" in log and '"metric": "loss"' in log
    second = await label_as(jp_fetch, alice, truth)
    assert len(second) == 6 and not set(second) & set(labeled)  # only still-unlabeled samples

    finished = await call(
        jp_fetch, "crowd", "tasks", created["id"], "finish", method="POST", body={"confirm": True}
    )
    assert finished["state"] == "finished" and finished["finished_incomplete"] is False
    reopened = await call(jp_fetch, "crowd", "tasks", created["id"], "reopen", method="POST", body={})
    assert reopened["state"] == "labeling" and reopened["round_complete"]

    for number, names in ((1, labeled), (2, second)):
        files = reopened["rounds"][number - 1]["files"]
        assert files == [{"kind": "labels", "path": f"{reopened['results']['folder']}/round-{number}.csv"}]
        rows = list(csv.DictReader(io.StringIO((jp_root_dir / files[0]["path"]).read_text())))
        assert {row["sample"]: row["label"] for row in rows} == {name: truth[name] for name in names}
    export = json.loads((jp_root_dir / reopened["results"]["export"]).read_text())
    assert len(export["labels"]) == 12 and {row["labeler"] for row in export["labels"]} == {"alice", "bob"}


async def test_the_owner_labels_and_reads_the_results(jp_fetch: Any, jp_root_dir: Path) -> None:
    task = await open_task(jp_fetch, jp_root_dir, max_choose=2)
    base = ("crowd", "tasks", task["id"])
    overview = await call(jp_fetch, *base, "labeling")
    assert overview["labeler"] == "owner" and overview["progress"]["needed"] == 2
    answer = await call(jp_fetch, *base, "labeling", "next", method="POST", body={})
    assert len(answer["samples"]) == 1  # the widget shows one at a time
    while answer["samples"]:
        sample = answer["samples"][0]
        image = await jp_fetch("jlab-platform", "api", *base, "samples", sample["id"], "image")
        assert image.headers["Content-Type"] == "image/png" and image.body.startswith(b"\x89PNG")
        answer = await call(
            jp_fetch,
            *base,
            "labeling",
            "labels",
            method="POST",
            body={"sample_id": sample["id"], "label": "square"},
        )
    assert answer["progress"]["round_complete"]
    undone = await call(jp_fetch, *base, "labeling", "undo", method="POST", body={})
    assert undone["undone"]["label"] == "square"
    await call(
        jp_fetch,
        *base,
        "labeling",
        "labels",
        method="POST",
        body={"sample_id": undone["samples"][0]["id"], "label": "circle"},
    )

    labels = (await call(jp_fetch, *base, "labels"))["labels"]
    assert sorted(row["label"] for row in labels) == ["circle", "square"]
    assert all(row["path"].startswith("datasets/shapes/images/") for row in labels)
    download = await jp_fetch("jlab-platform", "api", *base, "labels", params={"download": "1"})
    assert "attachment" in download.headers["Content-Disposition"]
    assert len(json.loads(download.body)["labels"]) == 2
    rows = (await call(jp_fetch, *base, "rows"))["rows"]
    assert sorted(row["label"] for row in rows) == ["circle", "square"]

    listed = await call(jp_fetch, "crowd", "tasks")
    assert listed["tasks"][0]["mark"] == "in_progress"
    assert listed["datasets"][0] == {
        "dataset": "datasets/shapes",
        "tasks": 1,
        "in_progress": 1,
        "finished": 0,
        "samples": 2,
        "labels": 2,
    }


async def test_bad_requests_get_4xx_with_what_to_fix(jp_fetch: Any, jp_root_dir: Path) -> None:
    make_images(jp_root_dir / "datasets" / "shapes" / "images", 12)
    make_seed_module(jp_root_dir / "modules" / "cstest")
    good = {"name": "x", "dataset": "datasets/shapes", "module": "modules/cstest"}
    # Each error names the field it is about: the dialog shows it there.
    for body, words, field in [
        ({**good, "dataset": "/etc"}, "Absolute path", "dataset"),
        ({**good, "dataset": "../.."}, "'..'", "dataset"),
        ({**good, "dataset": "datasets/none"}, "does not exist", "dataset"),
        ({**good, "module": "no-such-module"}, "No module folder or library module", "module"),
        ({**good, "name": " "}, "name is empty", "name"),
        ({**good, "max_choose": "many"}, "whole number", "max_choose"),
        ({**good, "classes": "circle,square"}, "Give a list", "classes"),
        ({**good, "classes": ["circle", "oval"]}, "differ from the module's", "classes"),
        ({**good, "labelers": ["owner"]}, "task owner's name", "labelers"),
        ({**good, "train_options": {"epochs": [1]}}, "plain value", "train_options.epochs"),
    ]:
        error = await expect_error(jp_fetch, 400, "crowd", "tasks", method="POST", body=body)
        assert words in error["error"] + error["detail"] and error["field"] == field, (body, error)
    # Every missing or invalid field at once, each with what to fix.
    error = await expect_error(jp_fetch, 400, "crowd", "tasks", method="POST", body={})
    assert set(error["fields"]) == {"dataset", "module", "name"}, error
    error = await expect_error(jp_fetch, 400, "crowd", "tasks", method="POST", body={**good, "x": 1})
    assert error["fields"] == {"x": error["fields"]["x"]} and "Unknown field" in error["fields"]["x"]
    for number in ("NaN", "Infinity", "1e999"):  # Python's JSON reads them; nothing else does
        body = json.dumps(good)[:-1] + f', "train_options": {{"lr": {number}}}}}'
        response = jp_fetch(*API, "crowd", "tasks", method="POST", body=body)
        with pytest.raises(HTTPClientError) as refused:
            await response
        assert refused.value.code == 400 and number[:3] in json.loads(refused.value.response.body)["error"]
    assert (await call(jp_fetch, "crowd", "tasks"))["tasks"] == []
    await expect_error(jp_fetch, 404, "crowd", "tasks", "nosuchtask")

    task = await open_task(jp_fetch, jp_root_dir)
    base = ("crowd", "tasks", task["id"])
    for prefetch in (0, 4, True, "2"):
        error = await expect_error(
            jp_fetch, 400, *base, "labeling", "next", method="POST", body={"prefetch": prefetch}
        )
        assert list(error["fields"]) == ["prefetch"], error
    error = await expect_error(jp_fetch, 400, *base, "finish", method="POST", body={})
    assert "confirm" in error["detail"]
    error = await expect_error(jp_fetch, 409, *base, "finish", method="POST", body={"confirm": True})
    assert "cannot be reopened" in error["detail"]
    error = await expect_error(jp_fetch, 409, *base, "next-round", method="POST", body={})
    assert "misses 4 label(s)" in error["error"]
    await expect_error(jp_fetch, 400, *base, "next-round", method="POST", body={"force": "yes"})
    await expect_error(jp_fetch, 400, *base, "invites", method="POST", body={})
    await expect_error(
        jp_fetch, 400, *base, "invites", method="POST", body={"name": "a", "expires_hours": -1}
    )
    await expect_error(jp_fetch, 404, *base, "invites", "nobody", method="DELETE")
    await expect_error(jp_fetch, 409, *base, "reopen", method="POST", body={})

    forced = await call(
        jp_fetch, *base, "finish", method="POST", body={"confirm": True, "allow_unlabeled": True}
    )
    assert forced["finished_incomplete"] and not forced["can"]["reopen"]
    error = await expect_error(jp_fetch, 409, *base, "reopen", method="POST", body={})
    assert "cannot be reopened" in error["error"]
    await expect_error(jp_fetch, 409, *base, "invites", method="POST", body={"name": "late"})

    # The owner's API needs the Jupyter login, the labeling actions included (their route
    # only takes next|labels|skip|undo, so the generic auth test cannot reach it).
    for action in ("next", "labels", "skip", "undo"):
        with pytest.raises(HTTPClientError) as refused:
            await jp_fetch(
                "jlab-platform",
                "api",
                *base,
                "labeling",
                action,
                method="POST",
                body="{}",
                headers={"Authorization": ""},
            )
        assert refused.value.code == 403


async def test_the_owner_labels_what_the_labelers_left(jp_fetch: Any, jp_root_dir: Path) -> None:
    task = await open_task(jp_fetch, jp_root_dir, labelers=["alice"])
    token, base = task["invites"][0]["token"], ("crowd", "tasks", task["id"])
    code, shown = await label_call(jp_fetch, token, "api/next", {"prefetch": 1})
    held = shown["samples"][0]["id"]
    left = await call(jp_fetch, *base, "remaining")
    assert left["round"] == 1 and left["classes"] == ["circle", "square"] and left["total"] == 4
    assert [sample["held"] for sample in left["samples"]].count(True) == 1
    assert next(sample for sample in left["samples"] if sample["held"])["id"] == held

    # The owner labels a sample nobody holds; they lease nothing, so alice gets all the others.
    free = next(sample["id"] for sample in left["samples"] if not sample["held"])
    answer = await call(
        jp_fetch, *base, "remaining", method="POST", body={"sample_id": free, "label": "circle"}
    )
    assert answer["samples"] == [] and answer["progress"]["labels"] == 1
    skipped = None
    while shown["samples"]:
        sample = shown["samples"][0]["id"]
        if skipped is None and sample != held:
            skipped = sample
            code, shown = await label_call(jp_fetch, token, "api/skip", {"sample_id": sample, "prefetch": 1})
        else:
            body = {"sample_id": sample, "label": "square", "prefetch": 1}
            code, shown = await label_call(jp_fetch, token, "api/labels", body)
        assert code == 200, shown
    assert shown["progress"]["labels"] == 3 and not shown["progress"]["round_complete"]

    # The round stays at 3 of 4 until the owner labels the skipped sample from the task view.
    left = await call(jp_fetch, *base, "remaining")
    assert left["total"] == 1 and left["samples"] == [
        {
            "id": skipped,
            "name": left["samples"][0]["name"],
            "labels": 0,
            "wanted": 1,
            "mine": False,
            "held": False,
            "skipped": 1,
        }
    ]
    for body, status in [
        ({"sample_id": skipped, "label": "oval"}, 400),
        ({"sample_id": skipped}, 400),
        ({"sample_id": "nosuchsample", "label": "circle"}, 404),
        ({"sample_id": free, "label": "circle"}, 409),  # the owner labeled it already
    ]:
        await expect_error(jp_fetch, status, *base, "remaining", method="POST", body=body)
    body = {"sample_id": skipped, "label": "circle", "request_id": "r1"}
    answer = await call(jp_fetch, *base, "remaining", method="POST", body=body)
    assert answer["progress"]["round_complete"] and answer["progress"]["labels"] == 4
    again = await call(jp_fetch, *base, "remaining", method="POST", body=body)
    assert again["duplicate"] is True  # a retried click is not counted twice
    assert (await call(jp_fetch, *base, "remaining"))["total"] == 0

    task = await call(jp_fetch, *base)
    assert task["round_complete"] and task["can"]["next_round"]
    assert task["rounds"][0]["by_labeler"] == {"alice": 2, "owner": 2}
    rows = (await call(jp_fetch, *base, "rows"))["rows"]
    assert len(rows) == 4 and {row["label"] for row in rows} == {"circle", "square"}
    await expect_error(jp_fetch, 404, "crowd", "tasks", "nosuchtask", "remaining")
    await expect_error(jp_fetch, 400, *base, "remaining", limit="0")


async def test_the_workspace_seed_format_folders_are_listed(jp_fetch: Any, jp_root_dir: Path) -> None:
    make_seed_module(jp_root_dir / "modules" / "cstest")
    make_seed_module(jp_root_dir / "work" / "deep" / "shapes", classes=("a", "b", "c"))
    make_seed_module(jp_root_dir / ".hidden" / "skipped")
    broken = make_seed_module(jp_root_dir / "modules" / "broken")
    (broken / "config.json").write_text("{not json")
    (jp_root_dir / "modules" / "platform").mkdir()
    (jp_root_dir / "modules" / "platform" / "main.py").write_text("def train(): pass\n")
    found = await call(jp_fetch, "crowd", "seed-modules")
    assert found["modules"] == [
        {"path": "modules/cstest", "classes": ["circle", "square"]},
        {"path": "work/deep/shapes", "classes": ["a", "b", "c"]},
    ]
