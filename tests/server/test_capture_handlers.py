import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from jlab_platform.capture.store import CaptureMeta, CaptureWriter

API = ("jlab-platform", "api")
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(range(64))).decode()


async def call(jp_fetch: Any, *path: str, method: str = "GET", **params: Any) -> Any:
    response = await jp_fetch(*API, *path, method=method, params=params or None)
    return json.loads(response.body) if response.body else None


async def expect_error(jp_fetch: Any, code: int, *path: str, method: str = "GET", **params: Any) -> str:
    with pytest.raises(HTTPClientError) as info:
        await call(jp_fetch, *path, method=method, **params)
    assert info.value.code == code
    assert info.value.response is not None
    payload = json.loads(info.value.response.body)
    assert payload["error"] and payload["detail"]
    return f"{payload['error']}: {payload['detail']}"


@pytest.fixture
def captures(jp_root_dir: Path) -> Iterator[Path]:
    yield jp_root_dir / ".jlab_platform" / "captures"


def write_capture(root: Path, name: str, notebook: str, finish: str | None = "finished") -> CaptureWriter:
    writer = CaptureWriter.create(root, CaptureMeta.for_this_process(name, notebook=notebook, cell_id="c1"))
    writer.append({"type": "stream", "name": "stdout", "text": "epoch 1\r"})
    writer.append({"type": "stream", "name": "stdout", "text": "epoch 2\n"})
    writer.append(
        {"type": "display_data", "data": {"image/png": PNG, "text/plain": "<Figure>"}, "metadata": {}}
    )
    if finish is not None:
        writer.finish(finish)
    return writer


async def test_list_read_and_delete_captures(jp_fetch: Any, captures: Path) -> None:
    listing = await call(jp_fetch, "outputs", limit="0")
    assert listing == {"directory": str(captures), "captures": [], "total": 0}

    write_capture(captures, "train-cell1", "train.ipynb")
    running = write_capture(captures, "eval-cell2", "eval.ipynb", finish=None)

    listing = await call(jp_fetch, "outputs")
    assert [c["name"] for c in listing["captures"]] == ["eval-cell2", "train-cell1"]
    first = listing["captures"][1]
    assert first["notebook"] == "train.ipynb" and first["cell_id"] == "c1" and first["state"] == "finished"
    assert first["size"] > 0 and first["started_at"] and first["finished_at"] and first["updated_at"]
    only = await call(jp_fetch, "outputs", notebook="eval.ipynb")
    assert [c["name"] for c in only["captures"]] == ["eval-cell2"] and only["total"] == 1
    paged = await call(jp_fetch, "outputs", limit="1", offset="1")
    assert [c["name"] for c in paged["captures"]] == ["train-cell1"] and paged["total"] == 2

    detail = await call(jp_fetch, "outputs", "train-cell1")
    assert detail["outputs"] == [
        {"output_type": "stream", "name": "stdout", "text": "epoch 2\n"},
        {"output_type": "display_data", "data": {"image/png": PNG, "text/plain": "<Figure>"}, "metadata": {}},
    ]
    assert detail["notes"] == []

    # The writer of eval-cell2 (this process) is alive: it is still running and cannot be deleted.
    assert "still running" in await expect_error(jp_fetch, 409, "outputs", "eval-cell2", method="DELETE")
    running.finish("finished")
    await call(jp_fetch, "outputs", "eval-cell2", method="DELETE")
    await expect_error(jp_fetch, 404, "outputs", "eval-cell2")
    assert not (captures / "eval-cell2").exists()


async def test_a_capture_whose_writer_died_did_not_finish(jp_fetch: Any, captures: Path) -> None:
    writer = write_capture(captures, "lost", "a.ipynb", finish=None)
    meta = json.loads((writer.folder / "meta.json").read_text())
    (writer.folder / "meta.json").write_text(json.dumps({**meta, "pid": 2**22 + 12345, "pid_started": 1.0}))
    detail = await call(jp_fetch, "outputs", "lost")
    assert detail["state"] == "incomplete" and "ended while the cell was running" in detail["reason"]
    assert len(detail["outputs"]) == 2
    await call(jp_fetch, "outputs", "lost", method="DELETE")


@pytest.mark.parametrize("name", ["..", ".hidden", "a%20b", "x" * 101, "caf%C3%A9", "%2e%2e"])
async def test_bad_names_are_refused_with_what_to_fix(jp_fetch: Any, name: str) -> None:
    for method in ("GET", "DELETE"):
        message = await expect_error(jp_fetch, 400, "outputs", name, method=method)
        assert "Capture name" in message or "not allowed" in message


async def test_unknown_captures_and_bad_paging_are_explained(jp_fetch: Any) -> None:
    assert "No capture named 'nothing-here'" in await expect_error(jp_fetch, 404, "outputs", "nothing-here")
    await expect_error(jp_fetch, 404, "outputs", "nothing-here", method="DELETE")
    assert "limit" in await expect_error(jp_fetch, 400, "outputs", limit="5000")
    assert "whole number" in await expect_error(jp_fetch, 400, "outputs", offset="x")
