"""The conversion worker: ``python -m jlab_platform.convert.worker SERVER_PID``.

It imports TensorFlow once and then converts one model after another, so a conversion
does not pay the seconds of the import. It speaks JSON lines: requests on stdin, events on its
original stdout (``ready``, ``progress``, ``done``, ``failed``); anything else printed
goes to stderr (the worker log). It dies with the server: the kernel kills it when the
server process goes (PR_SET_PDEATHSIG), and it exits when its stdin closes.
"""

import ctypes
import gc
import json
import os
import queue
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from typing import IO, Any

_PR_SET_PDEATHSIG = 1


def main(argv: list[str]) -> int:
    server_pid = int(argv[1]) if len(argv) > 1 else os.getppid()
    _die_with(server_pid)
    events = _events_channel()
    requests: queue.Queue[dict[str, Any]] = queue.Queue()
    threading.Thread(target=_read_requests, args=(requests,), name="requests", daemon=True).start()
    started = time.perf_counter()
    tensorflow = _import_converter()()
    _send(
        events,
        {
            "event": "ready",
            "pid": os.getpid(),
            "seconds": round(time.perf_counter() - started, 3),
            "tensorflow": tensorflow,
        },
    )
    while True:
        _handle(requests.get(), events)
        gc.collect()


# Keras imports these for what converting never uses (scikit-learn estimator wrappers, pandas
# inputs to fit(), matplotlib image galleries) and does without them: the worker is ready about
# 1 s (a fifth of its start) sooner. They stay importable for whatever imports them later.
_NOT_FOR_KERAS = ("sklearn", "pandas", "matplotlib")


def _import_converter() -> Callable[[], str]:
    """TensorFlow and Keras imported; the warm-up to run."""
    blocked = [name for name in _NOT_FOR_KERAS if name not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment]  # importing it raises ImportError
    try:
        from .tflite import warm_up
    finally:
        for name in blocked:
            del sys.modules[name]
    return warm_up


def _die_with(server_pid: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != server_pid:  # the server went before the signal was armed
        os._exit(1)


def _events_channel() -> IO[str]:
    """Keep the real stdout for events; point fd 1 at stderr so prints cannot corrupt them."""
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    return channel


def _read_requests(requests: "queue.Queue[dict[str, Any]]") -> None:
    for line in sys.stdin:
        if line.strip():
            requests.put(json.loads(line))
    os._exit(0)  # stdin closed: the server stopped us, or is gone


def _handle(request: dict[str, Any], events: IO[str]) -> None:
    task_id = request["id"]

    def progress(stage: str, fraction: float, message: str) -> None:
        _send(
            events,
            {"event": "progress", "id": task_id, "stage": stage, "progress": fraction, "message": message},
        )

    try:
        report = _convert(request["kind"], request["params"], progress)
    except Exception as exc:
        from .errors import ConversionError

        if isinstance(exc, ConversionError):
            failed = {"error": exc.message, "detail": exc.detail, "data": exc.data}
        else:
            traceback.print_exc()
            failed = {
                "error": f"Conversion failed: {type(exc).__name__}: {str(exc)[:500]}",
                "detail": "The traceback is in convert/worker.log in the platform's data folder.",
                "data": {},
            }
        _send(events, {"event": "failed", "id": task_id, **failed})
        return
    _send(events, {"event": "done", "id": task_id, "report": report})


def _convert(kind: str, params: dict[str, Any], progress: Any) -> dict[str, Any]:
    from .sources import onnx_job_from_json, tflite_job_from_json

    if kind == "tflite":
        from .tflite import convert_tflite

        return convert_tflite(tflite_job_from_json(params), progress)
    if kind == "onnx":
        from .onnx_export import convert_onnx_file

        return convert_onnx_file(onnx_job_from_json(params), progress)
    raise ValueError(f"unknown conversion kind {kind!r}")


def _send(events: IO[str], message: dict[str, Any]) -> None:
    events.write(json.dumps(message) + "\n")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
