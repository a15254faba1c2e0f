import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest

from jlab_platform.capture.outputs import replay
from jlab_platform.capture.store import (
    BLOBS_DIR,
    RECORDS_FILE,
    CaptureMeta,
    CaptureWriter,
    load_blob,
    read_meta,
    read_records,
    state_of,
)
from jlab_platform.errors import Conflict, InvalidInput

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8).decode()


def restored(folder: Path) -> list[dict[str, object]]:
    return replay(read_records(folder), lambda ref: load_blob(folder, ref)).outputs


def test_records_are_one_json_line_each_and_images_are_stored_once_by_content(tmp_path: Path) -> None:
    writer = CaptureWriter.create(tmp_path, CaptureMeta.for_this_process("plots", notebook="a.ipynb"))
    writer.append({"type": "stream", "name": "stdout", "text": "epoch 1\n"})
    for _ in range(3):  # the same figure shown three times
        writer.append({"type": "display_data", "data": {"image/png": PNG, "text/plain": "<Figure>"}})
    writer.finish("finished")

    folder = tmp_path / "plots"
    lines = (folder / RECORDS_FILE).read_text().splitlines()
    assert len(lines) == 4 and all(json.loads(line)["t"] >= 0 for line in lines)
    assert PNG not in lines[1]
    blobs = list((folder / BLOBS_DIR).iterdir())
    assert len(blobs) == 1 and blobs[0].read_bytes().startswith(b"\x89PNG")
    outputs = restored(folder)
    assert [o["output_type"] for o in outputs] == ["stream", "display_data", "display_data", "display_data"]
    assert outputs[1]["data"] == {"image/png": PNG, "text/plain": "<Figure>"}
    meta = read_meta(folder)
    assert meta is not None and meta.notebook == "a.ipynb" and meta.finished_at is not None
    assert state_of(meta) == ("finished", None)


def test_a_writer_killed_mid_line_leaves_every_complete_record_and_a_did_not_finish_state(
    tmp_path: Path,
) -> None:
    script = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from jlab_platform.capture.store import CaptureMeta, CaptureWriter\n"
        "w = CaptureWriter.create(Path(sys.argv[1]), CaptureMeta.for_this_process('crash'))\n"
        "for i in range(3):\n"
        "    w.append({'type': 'stream', 'name': 'stdout', 'text': f'step {i}\\n'})\n"
        'w._records.write(b\'{"type": "stream", "te\')\n'  # the kill lands mid-write
        "w._records.flush()\n"
        "os._exit(1)\n"
    )
    subprocess.run([sys.executable, "-c", script, str(tmp_path)], check=False)
    folder = tmp_path / "crash"
    meta = read_meta(folder)
    assert meta is not None and meta.state == "running"
    state, reason = state_of(meta)
    assert state == "incomplete" and reason is not None and "ended while the cell was running" in reason
    assert restored(folder) == [
        {"output_type": "stream", "name": "stdout", "text": "step 0\nstep 1\nstep 2\n"}
    ]


def test_a_name_is_reused_only_once_its_capture_has_ended(tmp_path: Path) -> None:
    first = CaptureWriter.create(tmp_path, CaptureMeta.for_this_process("again"))
    first.append({"type": "stream", "name": "stdout", "text": "old\n"})
    other_process = CaptureMeta.for_this_process("again")
    with pytest.raises(Conflict, match="still being written"):
        CaptureWriter.create(
            tmp_path, CaptureMeta(**{**other_process.__dict__, "pid": 1, "pid_started": None})
        )
    first.finish("finished")
    second = CaptureWriter.create(tmp_path, other_process)
    second.append({"type": "stream", "name": "stdout", "text": "new\n"})
    second.finish("finished")
    assert restored(tmp_path / "again") == [{"output_type": "stream", "name": "stdout", "text": "new\n"}]


@pytest.mark.parametrize("name", ["", "..", ".hidden", "a b", "a/b", "x" * 101, "naïve", "-dash"])
def test_bad_names_are_refused_before_anything_is_written(tmp_path: Path, name: str) -> None:
    with pytest.raises(InvalidInput):
        CaptureWriter.create(tmp_path, CaptureMeta.for_this_process(name))
    assert list(tmp_path.iterdir()) == []


def test_a_missing_blob_is_said_not_hidden(tmp_path: Path) -> None:
    writer = CaptureWriter.create(tmp_path, CaptureMeta.for_this_process("lost"))
    writer.append({"type": "display_data", "data": {"image/png": PNG}})
    writer.finish("finished")
    for blob in (tmp_path / "lost" / BLOBS_DIR).iterdir():
        blob.unlink()
    result = replay(read_records(tmp_path / "lost"), lambda ref: load_blob(tmp_path / "lost", ref))
    assert result.outputs[0]["data"] == {
        "text/plain": "[output not available: its stored payload is missing]"
    }
    assert result.notes == ["1 image(s) or large output(s) could not be read back from the store."]
