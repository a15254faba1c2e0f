"""%%capture_output and %restore_output in real kernels started by a real Jupyter server."""

import base64
import contextlib
import threading
from pathlib import Path
from typing import Any

from jlab_platform.capture.outputs import replay
from jlab_platform.capture.store import RECORDS_FILE
from tests.helpers.jupyter import KERNEL_GONE, ServerProcess

LOAD = "%load_ext jlab_platform.kernel"
OUTPUTS = "jlab-platform/api/outputs"
PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAAFElEQVR4nGM8ISfHAANMDEgANwcANHYBDK9qubUAAAAASUVORK5CYII="
)
OUTPUT_MESSAGES = ("stream", "display_data", "update_display_data", "clear_output", "execute_result", "error")


def shown(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What JupyterLab's output area shows for these IOPub messages (images as their bytes)."""
    records = []
    for message in messages:
        if message["msg_type"] in OUTPUT_MESSAGES:
            content = message["content"]
            display_id = (content.get("transient") or {}).get("display_id")
            records.append({"type": message["msg_type"], **content, "display_id": display_id})
    outputs = replay(records, lambda ref: None).outputs
    for output in outputs:
        data = output.get("data", {})
        if "image/png" in data:
            data["image/png"] = base64.b64decode(data["image/png"])
    return outputs


def capture_on_disk(server: ServerProcess, name: str) -> Path:
    return server.root / ".jlab_platform" / "captures" / name


def test_a_cell_killed_mid_run_restores_up_to_the_kill_in_a_fresh_kernel(server: ServerProcess) -> None:
    cell = (
        "%%capture_output killed\n"
        "import os, sys, time, base64\n"
        "from IPython.display import HTML, Image, display\n"
        "print('before the kill')\n"
        "for i in range(5):\n"
        "    print(f'\\rprogress {i}', end='', flush=True)\n"
        "print()\n"
        "status = display(HTML('<b>step 0</b>'), display_id=True)\n"
        "status.update(HTML('<b>step 9</b>'))\n"
        f"display(Image(data=base64.b64decode('{PNG}')))\n"
        "!echo from a subprocess\n"
        "os.system('echo from os.system')\n"
        "sys.stdout.flush()\n"
        "time.sleep(0.5)\n"
        "os._exit(1)\n"
    )
    (server.root / "experiments").mkdir(exist_ok=True)
    with server.kernel(notebook="experiments/train.ipynb") as kernel_id:
        server.execute(kernel_id, LOAD)
        live = server.execute(kernel_id, cell, timeout=60)
    assert live[-1]["msg_type"] == "status" and live[-1]["content"]["execution_state"] in KERNEL_GONE

    listing = server.request("GET", f"{OUTPUTS}?notebook=experiments/train.ipynb")
    [summary] = listing["captures"]
    assert summary["name"] == "killed" and summary["state"] == "incomplete"
    assert "ended while the cell was running" in summary["reason"]
    assert summary["finished_at"] is None and summary["size"] > 0

    restored = server.execute_in_new_kernel(f"{LOAD}\n%restore_output killed")
    *outputs, marker = shown(restored)
    assert outputs == shown(live)
    text, status, image, subprocesses = outputs
    assert text["text"] == "before the kill\nprogress 4\n"
    assert status["data"]["text/html"] == "<b>step 9</b>"
    assert image["data"]["image/png"] == base64.b64decode(PNG)
    assert subprocesses["text"] == "from a subprocess\nfrom os.system\n"
    assert "Capture killed did not finish" in marker["data"]["text/plain"]
    assert "**Capture `killed` did not finish**" in marker["data"]["text/markdown"]


def test_a_failing_cell_restores_as_it_was_shown_and_still_fails(server: ServerProcess) -> None:
    cell = (
        "%%capture_output failing\n"
        "import ipywidgets\n"
        "from IPython.display import clear_output, display\n"
        "for i in range(3):\n"
        "    clear_output(wait=True)\n"
        "    print(f'frame {i}')\n"
        "display(ipywidgets.IntSlider(value=3))\n"
        "raise ValueError('bad batch')\n"
    )
    with server.kernel() as kernel_id:
        server.execute(kernel_id, LOAD)
        live = server.execute(kernel_id, cell, timeout=60)
        result = server.execute(kernel_id, "%%capture_output answer\n6 * 7")
    [reply] = [m for m in live if m["msg_type"] == "execute_reply"]
    assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "ValueError"
    summary = server.request("GET", f"{OUTPUTS}/failing")
    assert summary["state"] == "failed" and summary["reason"] == "ValueError: bad batch"

    restored = shown(server.execute_in_new_kernel(f"{LOAD}\n%restore_output failing"))
    frame, widget, error, note = restored
    assert shown(live)[0] == frame == {"output_type": "stream", "name": "stdout", "text": "frame 2\n"}
    assert widget["data"] == {"text/plain": "IntSlider(value=3)"}
    assert error["ename"] == "ValueError" and error["traceback"] == shown(live)[2]["traceback"]
    assert "Widgets and comms are not captured" in note["data"]["text/plain"]

    answer = shown(server.execute_in_new_kernel(f"{LOAD}\n%restore_output answer"))
    assert answer == shown(result)
    assert answer[0]["output_type"] == "execute_result" and answer[0]["data"] == {"text/plain": "42"}


def test_a_progress_flood_is_stored_in_few_records_with_its_final_state(server: ServerProcess) -> None:
    cell = (
        "%%capture_output flood\n"
        "for i in range(2000):\n"
        "    print(f'\\r{i:5d} of 2000', end='', flush=True)\n"
        "print()\n"
    )
    with server.kernel() as kernel_id:
        server.execute(kernel_id, LOAD)
        server.execute(kernel_id, cell, timeout=120)
    records = (capture_on_disk(server, "flood") / RECORDS_FILE).read_text().splitlines()
    assert len(records) < 100
    restored = shown(server.execute_in_new_kernel(f"{LOAD}\n%restore_output flood"))
    assert restored == [{"output_type": "stream", "name": "stdout", "text": " 1999 of 2000\n"}]


def test_a_kernel_restarted_mid_cell_says_why_the_capture_did_not_finish(server: ServerProcess) -> None:
    cell = (
        "%%capture_output restarted\n"
        "import time\n"
        "for i in range(300):\n"
        "    print(i, flush=True)\n"
        "    time.sleep(0.1)\n"
    )
    with server.kernel() as kernel_id:
        server.execute(kernel_id, LOAD)
        restart = threading.Timer(2.0, server.request, ("POST", f"api/kernels/{kernel_id}/restart"))
        restart.start()
        # Jupyter interrupts the cell, then replaces the kernel; the end of the execution may
        # never reach this client, so only the capture is looked at.
        with contextlib.suppress(TimeoutError):
            server.execute(kernel_id, cell, timeout=20)
        restart.join()
    summary = server.request("GET", f"{OUTPUTS}/restarted")
    assert summary["state"] == "incomplete"
    assert summary["reason"] == "the kernel shut down or restarted while the cell was running"
    printed = shown(server.execute_in_new_kernel(f"{LOAD}\n%restore_output restarted"))[0]["text"]
    assert printed.startswith("0\n1\n2\n")


def test_bad_names_and_unknown_captures_are_explained(server: ServerProcess) -> None:
    with server.kernel() as kernel_id:
        server.execute(kernel_id, LOAD)
        texts = [
            "".join(m["content"].get("evalue", "") + m["content"].get("text", "") for m in messages)
            for messages in (
                server.execute(kernel_id, "%restore_output never-captured"),
                server.execute(kernel_id, "%restore_output two names"),
                server.execute(kernel_id, "%%capture_output ../escape\nprint('not run')"),
            )
        ]
    assert "No capture named 'never-captured'" in texts[0]
    assert "Give exactly one capture name" in texts[1] and "Usage: %restore_output NAME" in texts[1]
    assert "not allowed" in texts[2] and "not run" not in texts[2]
