"""The conversion service with its real worker process: warm between conversions, cancel
kills it, a crash fails only its own conversion, and it never outlives the server."""

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
import torch

from jlab_platform.convert.models import WorkerStatus
from jlab_platform.convert.service import ConversionService, ConvertSettings
from jlab_platform.errors import Conflict, InvalidInput, InvalidPath, Unavailable
from jlab_platform.files.atomic import partial_path
from jlab_platform.files.models import Task as TaskView
from jlab_platform.files.states import ENDED
from jlab_platform.files.tasks import Task
from jlab_platform.paths import PathResolver
from tests.convert import models


@pytest.fixture(scope="module")
def workspace(model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("service") / "root"
    shutil.copytree(model_dir, root)
    models.slow_keras_model(root / "slow.keras")
    torch.jit.save(torch.jit.script(models.torch_cnn()), root / "cnn.pt")
    return root


@pytest.fixture(scope="module")
def service(workspace: Path) -> Iterator[ConversionService]:
    svc = ConversionService(PathResolver(workspace), ConvertSettings(data_dir=workspace / ".jlab_platform"))
    yield svc
    svc.close()


def wait(service: ConversionService, task_id: str, until: Any = None, timeout: float = 180) -> TaskView:
    """Poll until the record ends (or ``until(record)`` holds); the record."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        record = service.get(task_id)
        if (until or (lambda r: r.status in ENDED))(record):
            return record
        time.sleep(0.05)
    raise AssertionError(f"conversion {task_id} did not get there: {service.get(task_id)}")


def gone(pid: int, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False


def test_conversions_queue_up_and_run_in_one_warm_worker(service: ConversionService, workspace: Path) -> None:
    tflite = service.submit_tflite("cnn.keras", quantize="dynamic")
    onnx = service.submit_onnx("cnn.pt", input_shape=[1, 3, 16, 16])
    assert tflite.status == "queued" and tflite.output == "cnn_dynamic.tflite"
    assert onnx.output == "cnn.onnx" and onnx.options["input_shape"] == [1, 3, 16, 16]
    first = wait(service, tflite.id)
    pid = service.status().pid
    second = wait(service, onnx.id)
    assert (first.status, second.status) == ("succeeded", "succeeded"), (first, second)
    assert service.status() == WorkerStatus(state="ready", pid=pid, queued=0, tensorflow=tf_version()), (
        "the same worker did both"
    )
    assert first.report["verification"]["performed"] and first.message == "Wrote cnn_dynamic.tflite"
    assert second.report["verification"]["batch_sizes"] == [1, 4]
    assert (workspace / "cnn_dynamic.tflite").stat().st_size == first.report["output_bytes"]
    assert [r.id for r in service.list()[:2]] == [onnx.id, tflite.id]


def tf_version() -> str:
    import tensorflow as tf

    return str(tf.__version__)


def test_warm_starts_the_worker_ahead_of_a_conversion_and_again_after_it_idled_out(
    workspace: Path, tmp_path: Path
) -> None:
    svc = ConversionService(
        PathResolver(workspace), ConvertSettings(data_dir=tmp_path / "data", idle_seconds=3)
    )
    try:
        assert svc.status().state == "stopped"
        assert svc.warm().state == "starting", "it answers at once, before the imports"
        ready = wait_worker(svc, "ready")
        assert ready.tensorflow == tf_version(), "TensorFlow is imported in the worker"
        assert psutil.Process(ready.pid).is_running()
        assert svc.warm() == ready, "warming a warm worker changes nothing"
        task = svc.submit_tflite("cnn.keras", output="warmed.tflite")
        assert wait(svc, task.id).status == "succeeded"
        assert svc.status().pid == ready.pid, "the conversion ran in the warmed worker"
        wait_worker(svc, "stopped", timeout=40)
        assert gone(ready.pid), "an idle worker stops after idle_seconds"
        again = svc.warm()
        assert again.state == "starting"
        assert wait_worker(svc, "ready").pid not in (None, ready.pid), "a fresh worker"
    finally:
        svc.close()
    with pytest.raises(Unavailable):
        svc.warm()


def wait_worker(svc: ConversionService, state: str, timeout: float = 120) -> WorkerStatus:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = svc.status()
        if status.state == state:
            return status
        time.sleep(0.05)
    raise AssertionError(f"the worker did not get {state}: {svc.status()}")


def test_cancel_kills_the_conversion_and_the_next_one_gets_a_fresh_worker(
    service: ConversionService, workspace: Path
) -> None:
    task = service.submit_tflite("slow.keras")
    wait(service, task.id, lambda r: r.stage == "converting")
    pid = service.status().pid
    cancelled = service.cancel(task.id)
    assert cancelled.status == "cancelled" and gone(pid)
    assert not (workspace / "slow.tflite").exists() and not list(workspace.glob(".*.part"))
    with pytest.raises(Conflict, match="already ended"):
        service.cancel(task.id)
    queued = service.submit_tflite("cnn.h5", output="again.tflite")
    assert wait(service, queued.id).status == "succeeded"
    assert service.status().pid not in (None, pid)


def test_a_crash_fails_only_its_conversion_and_names_the_cause(service: ConversionService) -> None:
    task = service.submit_tflite("slow.keras", output="crash.tflite")
    wait(service, task.id, lambda r: r.stage == "converting")
    os.kill(service.status().pid, signal.SIGSEGV)
    failed = wait(service, task.id)
    assert failed.status == "failed"
    assert failed.error["error"] == "The conversion process died (killed by signal SIGSEGV)"
    assert "worker.log" in failed.error["detail"]
    after = service.submit_tflite("cnn_savedmodel")
    assert wait(service, after.id).status == "succeeded"


def test_bad_requests_are_refused_before_anything_is_queued(workspace: Path, tmp_path: Path) -> None:
    (workspace / "not_a_model").mkdir(exist_ok=True)
    (workspace / "notes.txt").write_text("x")
    svc = ConversionService(PathResolver(workspace), ConvertSettings(data_dir=tmp_path / "fresh-data"))
    refused = [
        (InvalidPath, lambda: svc.submit_tflite("../outside.keras")),
        (InvalidPath, lambda: svc.submit_tflite("/etc/passwd")),
        (InvalidPath, lambda: svc.submit_tflite("missing.keras")),
        (InvalidInput, lambda: svc.submit_tflite("not_a_model")),
        (InvalidInput, lambda: svc.submit_tflite("notes.txt")),
        (InvalidInput, lambda: svc.submit_tflite("cnn.keras", quantize="int4")),
        (InvalidInput, lambda: svc.submit_tflite("cnn.keras", quantize="int8")),
        (InvalidInput, lambda: svc.submit_tflite("cnn.keras", representative_data="notes.txt")),
        (InvalidInput, lambda: svc.submit_tflite("cnn.keras", output="cnn.onnx")),
        (InvalidPath, lambda: svc.submit_tflite("cnn.keras", output="../cnn.tflite")),
        (InvalidInput, lambda: svc.submit_tflite("cnn.keras", output="no/such/folder/x.tflite")),
        (InvalidInput, lambda: svc.submit_onnx("cnn.pt", input_shape=[1, -3])),
        (InvalidInput, lambda: svc.submit_onnx("cnn.keras", input_shape=[1, 3])),
    ]
    for kind, call in refused:
        with pytest.raises(kind):
            call()
    with pytest.raises(
        InvalidInput, match=r"not_a_model is not a SavedModel folder \(it has no saved_model.pb\)"
    ):
        svc.submit_tflite("not_a_model")
    assert svc.list() == [] and svc.status() == WorkerStatus(
        state="stopped", pid=None, queued=0, tensorflow=None
    )


SERVER = """
import sys, time
from pathlib import Path
from jlab_platform.convert.service import ConversionService, ConvertSettings
from jlab_platform.paths import PathResolver
root = Path(sys.argv[1])
service = ConversionService(PathResolver(root), ConvertSettings(data_dir=root / ".server"))
task = service.submit_tflite("cnn.keras", output="by_server.tflite")
while service.get(task.id).status != "succeeded":
    time.sleep(0.05)
print(service.status().pid, flush=True)
time.sleep(600)
"""


def test_the_warm_worker_dies_with_a_killed_server(workspace: Path) -> None:
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(workspace)], stdout=subprocess.PIPE, text=True
    )
    assert server.stdout is not None
    worker = int(server.stdout.readline())
    assert psutil.Process(worker).status() != psutil.STATUS_ZOMBIE, "the worker is warm and waiting"
    server.kill()  # SIGKILL: no close(), no cleanup of any kind
    server.wait()
    assert gone(worker), "the worker outlived its server"


def test_a_conversion_cut_off_by_a_restart_comes_back_failed_without_its_partial_file(
    workspace: Path, tmp_path: Path
) -> None:
    data = tmp_path / "restarted-data"
    first = ConversionService(PathResolver(workspace), ConvertSettings(data_dir=data))
    record = Task(kind="tflite", source="cnn.keras", output="cnn.tflite", options={})
    first.tasks.add(record)
    first.tasks.start(record, "converting", "Converting")
    partial = partial_path(workspace / "cnn.tflite", record.id)
    partial.write_bytes(b"half a model")  # the server is killed here
    again = ConversionService(PathResolver(workspace), ConvertSettings(data_dir=data))
    assert again.get(record.id).status == "failed" and not partial.exists()
    assert again.list()[0].error == {
        "error": "The server stopped while this ran",
        "detail": "Start the conversion again.",
    }


def test_the_worker_imports_keras_without_what_converting_never_uses_and_leaves_it_importable() -> None:
    """scikit-learn, pandas and matplotlib cost a fifth of the worker's start through Keras."""
    script = (
        "import sys\n"
        "from jlab_platform.convert.worker import _NOT_FOR_KERAS, _import_converter\n"
        "warm_up = _import_converter()\n"
        "import keras\n"
        "print(sorted(name for name in _NOT_FOR_KERAS if name in sys.modules))\n"
        "import matplotlib.pyplot, pandas, sklearn.base\n"
        "print(warm_up())\n"
    )
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": "", "TF_CPP_MIN_LOG_LEVEL": "2"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=180
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.split("\n")
    assert lines[0] == "[]", "Keras was imported without them"
    assert lines[-2].startswith("2."), "then they import, and the warm-up converts (TensorFlow's version)"
