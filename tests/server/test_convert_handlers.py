"""``/convert`` and ``/files`` through the API: real conversions and extractions, and a clear
4xx for bad input and paths outside the root."""

import asyncio
import json
from pathlib import Path
from typing import Any

import nbformat
import pytest
import torch

from tests.convert import models
from tests.convert.archives import build
from tests.server.test_jobs_handlers import call, expect_error


async def wait_done(jp_fetch: Any, *path: str) -> dict[str, Any]:
    for _ in range(1200):
        record: dict[str, Any] = await call(jp_fetch, *path)
        if record["status"] in ("succeeded", "failed", "cancelled"):
            return record
        await asyncio.sleep(0.1)
    raise AssertionError(record)


async def test_convert_to_tflite_reports_progress_and_a_verified_result(
    jp_fetch: Any, jp_root_dir: Path
) -> None:
    models.keras_cnn(jp_root_dir / "models")
    started = await call(
        jp_fetch, "convert", "tflite", method="POST", body={"path": "models/cnn.keras", "quantize": "float16"}
    )
    assert started["status"] == "queued" and started["output"] == "models/cnn_float16.tflite"
    assert started["options"] == {
        "quantize": "float16",
        "representative_data": None,
        "allow_select_tf_ops": False,
        "verify": True,
    }
    done = await wait_done(jp_fetch, "convert", started["id"])
    assert done["status"] == "succeeded", done
    assert done["progress"] == 1.0 and done["report"]["verification"]["performed"] is True
    assert (jp_root_dir / "models" / "cnn_float16.tflite").stat().st_size == done["report"]["output_bytes"]
    listed = await call(jp_fetch, "convert")
    assert listed["conversions"][0]["id"] == started["id"] and listed["worker"]["state"] == "ready"
    await expect_error(jp_fetch, 409, "convert", started["id"], method="DELETE")


async def test_warm_starts_the_worker_before_the_first_conversion(jp_fetch: Any) -> None:
    first = await call(jp_fetch, "convert", "warm", method="POST", body={})
    assert first["state"] == "starting" and first["queued"] == 0
    for _ in range(1200):
        worker = (await call(jp_fetch, "convert"))["worker"]
        if worker["state"] == "ready":
            break
        await asyncio.sleep(0.1)
    assert worker["state"] == "ready" and worker["tensorflow"] and worker["pid"]
    again = await call(jp_fetch, "convert", "warm", method="POST", body={})
    assert again == worker, "warming twice is fine: the same worker"


async def test_export_to_onnx_without_an_input_shape_infers_it(jp_fetch: Any, jp_root_dir: Path) -> None:
    torch.jit.save(torch.jit.script(models.torch_cnn()), jp_root_dir / "cnn.pt")
    started = await call(jp_fetch, "convert", "onnx", method="POST", body={"path": "cnn.pt"})
    assert started["options"]["input_shape"] is None
    done = await wait_done(jp_fetch, "convert", started["id"])
    assert done["status"] == "succeeded", done
    assert done["report"]["input_shape"] == [[1, 3, 16, 16]] and done["report"]["verification"]["passed"]


async def test_cancel_through_the_api(jp_fetch: Any, jp_root_dir: Path) -> None:
    models.keras_cnn(jp_root_dir)
    started = await call(jp_fetch, "convert", "tflite", method="POST", body={"path": "cnn.keras"})
    cancelled = await call(jp_fetch, "convert", started["id"], method="DELETE")
    assert cancelled["status"] == "cancelled"
    assert not (jp_root_dir / "cnn.tflite").exists()


async def test_bad_conversion_requests_get_400_with_what_to_fix(jp_fetch: Any, jp_root_dir: Path) -> None:
    (jp_root_dir / "plain_folder").mkdir()
    (jp_root_dir / "m.keras").write_bytes(b"x")
    (jp_root_dir / "m.pt").write_bytes(b"x")
    bad_tflite: list[dict[str, Any]] = [
        {},
        {"path": "../../etc/passwd"},
        {"path": "/etc/passwd"},
        {"path": "missing.keras"},
        {"path": "m.keras", "quantize": "int4"},
        {"path": "m.keras", "quantize": 8},
        {"path": "m.keras", "quantize": "int8"},
        {"path": "m.keras", "allow_select_tf_ops": "yes"},
        {"path": "m.keras", "output": "../x.tflite"},
        {"path": "m.keras", "representative_data": "/etc"},
    ]
    for body in bad_tflite:
        await expect_error(jp_fetch, 400, "convert", "tflite", method="POST", body=body)
    folder = await expect_error(
        jp_fetch, 400, "convert", "tflite", method="POST", body={"path": "plain_folder"}
    )
    assert folder["error"] == "plain_folder is not a SavedModel folder (it has no saved_model.pb)"
    assert "model.export(folder)" in folder["detail"]
    await expect_error(
        jp_fetch, 400, "convert", "onnx", method="POST", body={"path": "m.keras", "input_shape": [1]}
    )
    await expect_error(
        jp_fetch, 400, "convert", "onnx", method="POST", body={"path": "m.pt", "input_shape": "1,3"}
    )
    await expect_error(jp_fetch, 404, "convert", "no-such-id")
    await expect_error(jp_fetch, 404, "convert", "no-such-id", method="DELETE")
    assert (await call(jp_fetch, "convert"))["worker"]["state"] == "stopped", "nothing was queued"


async def test_extract_here_through_the_api(jp_fetch: Any, jp_root_dir: Path) -> None:
    (jp_root_dir / "data").mkdir()
    build(
        jp_root_dir / "data" / "photos.zip",
        [("file", "猫/1.txt".encode("gbk"), b"meow"), ("file", "labels.csv", b"1,cat")],
    )
    started = await call(jp_fetch, "files", "extract", method="POST", body={"path": "data/photos.zip"})
    assert started["kind"] == "extract" and started["output"] == "data/photos"
    done = await wait_done(jp_fetch, "files", "extract", started["id"])
    assert done["status"] == "succeeded" and done["report"]["target"] == "data/photos"
    assert done["report"]["files"] == 2 and done["message"] == "Extracted 2 files into data/photos/"
    assert (jp_root_dir / "data" / "photos" / "猫" / "1.txt").read_bytes() == b"meow"
    # Its entries all in one folder: that folder comes out beside the archive, not photos/photos/.
    build(jp_root_dir / "data" / "cats.zip", [("file", "cats/1.txt", b"meow")])
    one = await call(jp_fetch, "files", "extract", method="POST", body={"path": "data/cats.zip"})
    assert one["output"] == "data/cats"
    assert (await wait_done(jp_fetch, "files", "extract", one["id"]))["report"]["target"] == "data/cats"
    assert (jp_root_dir / "data" / "cats" / "1.txt").read_bytes() == b"meow"
    await expect_error(jp_fetch, 409, "files", "extract", started["id"], method="DELETE")
    await expect_error(jp_fetch, 404, "files", "extract", "no-such-id")

    build(jp_root_dir / "evil.tar.gz", [("file", "../../evil.txt", b"x")])
    refused = await expect_error(
        jp_fetch, 400, "files", "extract", method="POST", body={"path": "evil.tar.gz"}
    )
    assert refused["error"] == "Refused to extract evil.tar.gz: unsafe entries (1)"
    assert "'../../evil.txt' leaves the target folder" in refused["detail"]
    assert not (jp_root_dir / "evil").exists() and not (jp_root_dir.parent / "evil.txt").exists()
    (jp_root_dir / "notes.txt").write_text("x")
    for body in (
        {},
        {"path": "notes.txt"},
        {"path": "../outside.zip"},
        {"path": "data/photos.zip", "name_encoding": "klingon"},
    ):
        await expect_error(jp_fetch, 400, "files", "extract", method="POST", body=body)


@pytest.fixture
def notebook(jp_root_dir: Path) -> Path:
    node = nbformat.v4.new_notebook()
    node.cells = [
        nbformat.v4.new_markdown_cell("# Train"),
        nbformat.v4.new_code_cell("import math\nprint(math.pi)"),
        nbformat.v4.new_code_cell("%load_ext jlab_platform.kernel"),
    ]
    node.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    node.metadata["language_info"] = {"name": "python", "file_extension": ".py"}
    path = jp_root_dir / "train.ipynb"
    path.write_text(json.dumps(node))
    return path


async def test_export_to_python_script_beside_the_notebook(
    jp_fetch: Any, jp_root_dir: Path, notebook: Path
) -> None:
    result = await call(jp_fetch, "files", "export-script", method="POST", body={"path": "train.ipynb"})
    assert result["path"] == "train.py" and result["cells"] == 2
    assert "get_ipython()" in result["warnings"][0]
    script = (jp_root_dir / "train.py").read_text()
    assert "print(math.pi)" in script and "# # Train" in script
    (jp_root_dir / "train.py").write_text("# my edits")
    exists = await expect_error(
        jp_fetch, 409, "files", "export-script", method="POST", body={"path": "train.ipynb"}
    )
    assert "overwrite" in exists["detail"] and (jp_root_dir / "train.py").read_text() == "# my edits"
    again = await call(
        jp_fetch, "files", "export-script", method="POST", body={"path": "train.ipynb", "overwrite": True}
    )
    assert again["path"] == "train.py" and "print(math.pi)" in (jp_root_dir / "train.py").read_text()
    (jp_root_dir / "broken.ipynb").write_text("{not json")
    for body in ({"path": "broken.ipynb"}, {"path": "../train.ipynb"}, {"path": "train.py"}, {"path": 3}):
        await expect_error(jp_fetch, 400, "files", "export-script", method="POST", body=body)
