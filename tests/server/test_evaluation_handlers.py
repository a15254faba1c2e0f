"""``/evaluations`` with a real job evaluating a run whose predictions are known."""

import asyncio
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from sklearn.metrics import classification_report
from tornado.httpclient import HTTPClientError

from tests.evaluation.fabricate import fabricate
from tests.server.test_jobs_handlers import API, call, expect_error

CLASSES = ["cat", "dog", "fox"]


async def wait_report(jp_fetch: Any, evaluation_id: str) -> dict[str, Any]:
    for _ in range(600):
        summary: dict[str, Any] = await call(jp_fetch, "evaluations", evaluation_id)
        if summary["status"] in ("complete", "failed"):
            return summary
        await asyncio.sleep(0.1)
    raise AssertionError(summary)


async def test_evaluate_as_a_job_then_drill_down(jp_fetch: Any, jp_root_dir: Path) -> None:
    rng = np.random.default_rng(1)
    truth = rng.integers(0, 3, 90).tolist()
    predicted = [t if rng.random() < 0.75 else int(rng.integers(0, 3)) for t in truth]
    made = fabricate(jp_root_dir, truth, predicted, CLASSES)

    started = await call(
        jp_fetch, "evaluations", method="POST", body={"run": "results/oracle/run-1", "data": "val"}
    )
    assert set(started) == {"id", "job_id"} and started["id"].startswith("val-")
    summary = await wait_report(jp_fetch, started["id"])
    assert summary["status"] == "complete", summary
    assert summary["job_id"] == started["job_id"] and summary["run"] == "results/oracle/run-1"
    assert summary["folder"] == f"results/oracle/run-1/evaluation/{started['id']}"
    analysis = summary["analysis"]
    sk = classification_report(made.truth, made.predicted, output_dict=True, zero_division=0)
    assert analysis["overall"]["f1"] == pytest.approx(sk["macro avg"]["f1-score"], abs=1e-12)
    assert analysis["overall"]["noncompliant"] == 1
    assert np.array_equal(
        analysis["confusion_matrix"],
        np.bincount(np.array(made.truth) * 3 + np.array(made.predicted), minlength=9).reshape(3, 3),
    )

    runs = await call(jp_fetch, "evaluations", "runs", module="oracle")
    assert [r["run"] for r in runs["runs"]] == ["results/oracle/run-1"] and runs["runs"][0]["has_split"]
    assert [e["id"] for e in runs["runs"][0]["evaluations"]] == [started["id"]]
    assert (await call(jp_fetch, "evaluations", "runs", job="nojob"))["runs"] == []
    listed = await call(jp_fetch, "evaluations", run="results/oracle/run-1")
    assert [e["id"] for e in listed["evaluations"]] == [started["id"]]
    assert listed["evaluations"][0]["analysis"] is None

    wrong = [n for n, (t, p) in enumerate(zip(made.truth, made.predicted, strict=True)) if t == 1 and p != 1]
    first = await call(
        jp_fetch,
        "evaluations",
        started["id"],
        "samples",
        **{"class": "1", "kind": "misclassified", "limit": "4"},
    )
    assert first["total"] == len(wrong) and [s["id"] for s in first["samples"]] == wrong[:4]
    second = await call(
        jp_fetch,
        "evaluations",
        started["id"],
        "samples",
        **{"class": "1", "kind": "misclassified", "offset": "4", "limit": "4"},
    )
    assert [s["id"] for s in second["samples"]] == wrong[4:8]
    sample = first["samples"][0]
    assert (
        sample["true_label"] == "dog"
        and sample["predicted_label"] != "dog"
        and 0 < sample["confidence"] <= 0.9
    )
    assert sample["path"].startswith("datasets/cls/dog/")
    cell = await call(jp_fetch, "evaluations", started["id"], "samples", **{"class": "0", "predicted": "2"})
    assert cell["total"] == analysis["confusion_matrix"][0][2]
    flagged = await call(jp_fetch, "evaluations", started["id"], "samples", kind="noncompliant")
    assert flagged["samples"][0]["reason"] == "width 40 > max_width 32"

    thumb = await jp_fetch(
        *API, "evaluations", started["id"], "samples", str(sample["id"]), "image", params={"thumb": "1"}
    )
    assert thumb.headers["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(thumb.body)).size == (8, 8)
    assert (jp_root_dir / summary["folder"] / "thumbs" / f"{sample['id']}.jpg").is_file()
    image = await jp_fetch(*API, "evaluations", started["id"], "samples", str(sample["id"]), "image")
    assert image.body == (jp_root_dir / sample["path"]).read_bytes()

    ids = ",".join(str(s["id"]) for s in first["samples"])
    archive = await jp_fetch(*API, "evaluations", started["id"], "download", params={"samples": ids})
    assert (
        archive.headers["Content-Type"] == "application/zip"
        and "attachment" in archive.headers["Content-Disposition"]
    )
    names = zipfile.ZipFile(io.BytesIO(archive.body)).namelist()
    assert len(names) == 4 and all(name.startswith("dog/") for name in names)
    one = await jp_fetch(
        *API, "evaluations", started["id"], "download", params={"samples": str(sample["id"])}
    )
    assert one.body == image.body and one.headers["Content-Type"] == "image/png"


async def test_hostile_and_unknown_ids(jp_fetch: Any, jp_root_dir: Path) -> None:
    fabricate(jp_root_dir, [0, 1], [0, 1], ["cat", "dog"])
    for bad in ("..", "%2e%2e", "*", "val-20260101-120000-abcdef", "val-2026*", "x" * 300):
        await expect_error(jp_fetch, 404, "evaluations", bad)
    for module in ("..", "../results", "a/b", ".hidden", "*"):
        await expect_error(jp_fetch, 400, "evaluations", "runs", module=module)
    await expect_error(jp_fetch, 400, "evaluations", method="POST", body={"run": "../etc", "data": "val"})
    await expect_error(jp_fetch, 400, "evaluations", method="POST", body={"run": "/etc", "data": "val"})
    await expect_error(jp_fetch, 400, "evaluations", method="POST", body={"run": "datasets", "data": "val"})
    await expect_error(
        jp_fetch, 400, "evaluations", method="POST", body={"run": "results/oracle/run-1", "data": "../x"}
    )
    await expect_error(
        jp_fetch, 400, "evaluations", method="POST", body={"run": "results/oracle/run-1", "path": "x"}
    )
    started = await call(jp_fetch, "evaluations", method="POST", body={"run": "results/oracle/run-1"})
    assert (await wait_report(jp_fetch, started["id"]))["status"] == "complete"
    evaluation = started["id"]
    for sample in ("-1", "1e3", "٣", "99999", "0x1", "%2e%2e"):
        await expect_error(jp_fetch, 404, "evaluations", evaluation, "samples", sample, "image")
    with pytest.raises(HTTPClientError) as info:  # no route: tornado's own 404
        await jp_fetch(*API, "evaluations", evaluation, "samples", "../../../etc/passwd", "image")
    assert info.value.code == 404
    await expect_error(jp_fetch, 400, "evaluations", evaluation, "download", samples="1,../x")
    await expect_error(jp_fetch, 400, "evaluations", evaluation, "download", samples="")
    await expect_error(jp_fetch, 404, "evaluations", evaluation, "download", samples="0,99999")
    await expect_error(jp_fetch, 400, "evaluations", evaluation, "samples", kind="everything")
    await expect_error(jp_fetch, 400, "evaluations", evaluation, "samples", limit="100000")
    # A record edited to point outside the workspace is not served.
    db = jp_root_dir / "results/oracle/run-1/evaluation" / evaluation / "samples.sqlite"
    import sqlite3

    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE samples SET path = '/etc/passwd' WHERE id = 0")
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch(*API, "evaluations", evaluation, "samples", "0", "image")
    assert info.value.code == 404


async def test_a_failed_evaluation_says_why(jp_fetch: Any, jp_root_dir: Path) -> None:
    made = fabricate(jp_root_dir, [0, 1], [0, 1], ["cat", "dog"])
    (made.run / "answers.json").write_text(json.dumps({"classes": ["cat", "dog"], "probabilities": {}}))
    started = await call(
        jp_fetch, "evaluations", method="POST", body={"run": "results/oracle/run-1", "data": "datasets/cls"}
    )
    summary = await wait_report(jp_fetch, started["id"])
    assert summary["status"] == "failed" and "KeyError" in summary["error"]
    assert summary["data"] == "datasets/cls"
    await expect_error(jp_fetch, 409, "evaluations", started["id"], "samples")
