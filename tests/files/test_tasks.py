"""Conversion and extraction records outlive the server: journaled, compacted, interrupted work failed."""

import json
from pathlib import Path

import pytest

from jlab_platform.files.tasks import Task, TaskRegistry


def task(name: str) -> Task:
    return Task(kind="onnx", source=f"models/{name}.pt", output=f"models/{name}.onnx", options={"opset": 17})


def test_records_come_back_after_a_restart_and_interrupted_work_is_failed(tmp_path: Path) -> None:
    journal = tmp_path / "data" / "conversions.jsonl"
    registry = TaskRegistry("conversion", journal)
    done, running, queued = task("done"), task("running"), task("queued")
    for each in (done, running, queued):
        registry.add(each)
    registry.start(done, "converting", "Converting")
    registry.progress(done, "converting", 0.5, "half way")
    registry.succeed(done, {"size": 123}, "Wrote models/done.onnx")
    registry.start(running, "converting", "Converting")
    with open(journal, "a") as torn:
        torn.write('{"id": "cut-short", "kind": "on')  # the server died mid-line

    again = TaskRegistry("conversion", journal)
    assert [t.id for t in again.list()] == [queued.id, running.id, done.id]
    restored = again.get(done.id)
    assert restored.status == "succeeded" and restored.report == {"size": 123}
    assert restored.options == {"opset": 17} and restored.progress == 1.0
    for interrupted in (running.id, queued.id):
        record = again.get(interrupted)
        assert record.status == "failed" and record.error["error"] == "The server stopped while this ran"
        assert record.finished_at is not None
    # Compacted: one line per record, the interrupted ones already failed in it.
    lines = [json.loads(line) for line in journal.read_text().splitlines()]
    assert [line["id"] for line in lines] == [done.id, running.id, queued.id]
    assert [line["status"] for line in lines] == ["succeeded", "failed", "failed"]


def test_only_the_newest_finished_records_are_kept(tmp_path: Path) -> None:
    journal = tmp_path / "extractions.jsonl"
    registry = TaskRegistry("extraction", journal)
    for index in range(205):
        each = registry.add(task(f"m{index}"))
        registry.cancelled(each)
    assert len(registry.list()) == 200
    assert len(TaskRegistry("extraction", journal).list()) == 200
    assert len(journal.read_text().splitlines()) == 200


def test_lines_that_are_not_records_are_skipped(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    journal = tmp_path / "conversions.jsonl"
    registry = TaskRegistry("conversion", journal)
    kept = registry.add(task("kept"))
    registry.cancelled(kept)
    good = journal.read_text()
    hostile = [
        "[1, 2]",
        "42",
        '"text"',
        "null",
        '{"id": ["not", "hashable"], "kind": "onnx", "source": "a", "output": "b", "options": {}}',
        '{"id": "x", "kind": "onnx", "source": "a", "output": "b", "options": [], "status": "queued"}',
        '{"id": "y", "kind": "onnx", "source": "a", "output": "b", "options": {}, "progress": "half"}',
        '{"id": "z"}',
        "[" * 100_000,
    ]
    not_utf8 = b"\xff\xfe\x00{"
    journal.write_bytes(b"\n".join([*(line.encode() for line in hostile), not_utf8, good.encode()]))

    with caplog.at_level("WARNING"):
        again = TaskRegistry("conversion", journal)
    assert [t.id for t in again.list()] == [kept.id]
    assert sum("not a record" in message for message in caplog.messages) == len(hostile) + 1
