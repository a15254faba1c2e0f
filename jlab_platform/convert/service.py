"""Model conversions: checked in the server, run one at a time in a warm worker process.

TensorFlow is heavy and may crash, so conversions run in a separate process that stays
warm between them (importing TensorFlow takes seconds). Cancelling a running conversion
kills that process; a crash fails only the conversion that caused it. The next
conversion starts a fresh worker, and an idle worker stops after ``idle_seconds``.
``warm()`` starts it ahead of a conversion (the UI calls it when the file browser first lists
a model file, and when a model's context menu or a convert dialog opens), so the first
conversion after a start does not pay for the process and the imports.
"""

import logging
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InvalidInput, Unavailable
from ..files import models as file_models
from ..files.atomic import partial_path
from ..files.states import ENDED
from ..files.tasks import Task, TaskRegistry
from ..paths import PathResolver
from ..settings import option_default
from .models import WorkerState, WorkerStatus
from .sources import (
    QUANTIZE_MODES,
    OnnxJob,
    TfliteJob,
    check_input_shape,
    default_onnx_output,
    default_tflite_output,
    job_to_json,
    onnx_source_kind,
    tflite_source_kind,
)
from .worker_process import WorkerProcess

log = logging.getLogger(__name__)
_CANCEL_WAIT_SECONDS = 10.0


@dataclass(frozen=True)
class ConvertSettings:
    data_dir: Path
    idle_seconds: float = option_default("convert_idle_seconds")


class ConversionService:
    def __init__(self, paths: PathResolver, settings: ConvertSettings) -> None:
        self.paths = paths
        self.settings = settings
        self.tasks = TaskRegistry("conversion", settings.data_dir / "convert" / "conversions.jsonl")
        for task in self.tasks.interrupted:  # what they were writing when the server stopped
            partial_path(paths.root / task.output, task.id).unlink(missing_ok=True)
        self._queue: deque[tuple[Task, dict[str, Any]]] = deque()
        self._cond = threading.Condition()
        self._worker: WorkerProcess | None = None
        self._current: Task | None = None
        self._thread: threading.Thread | None = None
        self._closed = False
        self._warm_wanted = False
        self._last_used = time.monotonic()

    # -- requests ----------------------------------------------------------

    def submit_tflite(
        self,
        path: str,
        quantize: str = "none",
        representative_data: str | None = None,
        allow_select_tf_ops: bool = False,
        output: str | None = None,
        verify: bool = True,
    ) -> file_models.Task:
        source = self.paths.resolve(path, must_exist=True)
        kind = tflite_source_kind(source, path)
        if quantize not in QUANTIZE_MODES:
            raise InvalidInput(
                f"Unknown quantization {quantize!r}", f"Use one of: {', '.join(QUANTIZE_MODES)}."
            )
        data = self._representative(representative_data) if representative_data else None
        if quantize == "int8" and data is None:
            raise InvalidInput(
                "Full integer (int8) quantization needs representative data",
                "Give representative_data: a folder of sample images or a .npy array of typical inputs.",
            )
        target = self._output(output, default_tflite_output(source, quantize), ".tflite", source)
        task = Task(
            kind="tflite",
            source=self.paths.relative(source),
            output=self.paths.relative(target),
            options={
                "quantize": quantize,
                "representative_data": self.paths.relative(data) if data else None,
                "allow_select_tf_ops": allow_select_tf_ops,
                "verify": verify,
            },
        )
        job = TfliteJob(
            source=source,
            source_kind=kind,
            output=target,
            token=task.id,
            quantize=quantize,
            representative_data=data,
            representative_label=representative_data or "",
            allow_select_tf_ops=allow_select_tf_ops,
            verify=verify,
        )
        return self._enqueue(task, job)

    def submit_onnx(
        self,
        path: str,
        input_shape: list[int] | None = None,
        dynamic_batch: bool = True,
        output: str | None = None,
    ) -> file_models.Task:
        source = self.paths.resolve(path, must_exist=True)
        kind = onnx_source_kind(source, path)
        shape = check_input_shape(input_shape)  # None: the worker infers it from the model
        target = self._output(output, default_onnx_output(source), ".onnx", source)
        task = Task(
            kind="onnx",
            source=self.paths.relative(source),
            output=self.paths.relative(target),
            options={"input_shape": list(shape) if shape else None, "dynamic_batch": dynamic_batch},
        )
        job = OnnxJob(source, kind, target, task.id, shape, dynamic_batch)
        return self._enqueue(task, job)

    def get(self, task_id: str) -> file_models.Task:
        return self.tasks.get(task_id)

    def list(self) -> list[file_models.Task]:
        return self.tasks.list()

    def status(self) -> WorkerStatus:
        with self._cond:
            worker = self._worker
            state: WorkerState
            if worker is None:
                state = "starting" if self._warm_wanted else "stopped"
            else:
                state = "ready" if worker.ready else "starting"
            return WorkerStatus(
                state=state,
                pid=worker.pid if worker else None,
                queued=len(self._queue),
                # Set once the worker has imported TensorFlow and run the converter once.
                tensorflow=worker.tensorflow if worker else None,
            )

    def warm(self) -> WorkerStatus:
        """Start the worker (or keep it from idling out) without waiting for it; its state."""
        with self._cond:
            if self._closed:
                raise Unavailable("The server is stopping", "Convert again after it restarts.")
            self._warm_wanted = True
            self._last_used = time.monotonic()
            self._ensure_dispatcher()
            self._cond.notify_all()
        return self.status()

    def cancel(self, task_id: str) -> file_models.Task:
        task = self.tasks.request_cancel(task_id)
        with self._cond:
            queued = next((item for item in self._queue if item[0] is task), None)
            if queued is not None:
                self._queue.remove(queued)
                self.tasks.cancelled(task)
            elif self._current is task and self._worker is not None:
                self._worker.kill()  # the dispatcher sees it die and records the cancel
        deadline = time.monotonic() + _CANCEL_WAIT_SECONDS
        while task.status not in ENDED and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.tasks.get(task_id)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            for task, _ in self._queue:
                self.tasks.cancelled(task)
            self._queue.clear()
            worker = self._worker
            self._cond.notify_all()
        if worker is not None:
            worker.kill()
        if self._thread is not None:
            self._thread.join(timeout=10)

    # -- internals ---------------------------------------------------------

    def _representative(self, path: str) -> Path:
        data = self.paths.resolve(path, must_exist=True)
        if not (data.is_dir() or (data.is_file() and data.suffix.lower() == ".npy")):
            raise InvalidInput(
                f"{path!r} is neither a folder of images nor a .npy file",
                "Choose a folder of sample images or a .npy array of model inputs.",
            )
        return data

    def _output(self, output: str | None, default: Path, suffix: str, source: Path) -> Path:
        target = self.paths.resolve(output) if output else default
        if target.suffix.lower() != suffix or target == source:
            raise InvalidInput(f"The output must be a {suffix} file", f"e.g. {self.paths.relative(default)}.")
        if not self.paths.contains(target) or not target.parent.is_dir():
            raise InvalidInput(
                f"Cannot write {self.paths.relative(target)!r}", "Its folder must exist inside the workspace."
            )
        if target.is_dir():
            raise InvalidInput(f"{self.paths.relative(target)!r} is a folder", "Choose another output name.")
        return target

    def _enqueue(self, task: Task, job: TfliteJob | OnnxJob) -> file_models.Task:
        request = {"id": task.id, "kind": task.kind, "params": job_to_json(job)}
        with self._cond:
            if self._closed:
                raise Unavailable("The server is stopping", "Convert again after it restarts.")
            self.tasks.add(task)
            self._queue.append((task, request))
            self._ensure_dispatcher()
            self._cond.notify_all()
        return task.to_model()

    def _ensure_dispatcher(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._dispatch, name="jlab-convert", daemon=True)
            self._thread.start()

    def _dispatch(self) -> None:
        # This thread starts every worker: PR_SET_PDEATHSIG fires when the starting thread ends.
        while True:
            with self._cond:
                while not self._queue and not self._closed and not self._warm_wanted:
                    self._cond.wait(timeout=min(self.settings.idle_seconds, 30.0))
                    if (
                        self._worker is not None
                        and time.monotonic() - self._last_used >= self.settings.idle_seconds
                    ):
                        self._worker.stop()
                        self._worker = None
                if self._closed:
                    if self._worker is not None:
                        self._worker.stop()
                        self._worker = None
                    return
                self._warm_wanted = False
                if self._queue:
                    task, request = self._queue.popleft()
                    self._current = task
                    warming = None
                else:
                    warming = self._start_worker()
            if warming is not None:
                if not warming.ready:  # read outside the lock: submit and cancel go on meanwhile
                    self._wait_ready(warming)
                continue
            try:
                self._run(task, request)
            except Exception as exc:  # never let one conversion stop the dispatcher
                log.exception("jlab_platform: conversion %s failed unexpectedly", task.id)
                self.tasks.fail(task, f"Conversion failed: {exc}", "The server log has the details.")
            finally:
                with self._cond:
                    self._current = None
                    self._last_used = time.monotonic()

    def _start_worker(self) -> WorkerProcess:
        """The running worker, or a new one (called on the dispatcher thread, holding the lock)."""
        if self._worker is None:
            self._worker = WorkerProcess(self.settings.data_dir / "convert" / "worker.log", self.paths.root)
        return self._worker

    def _wait_ready(self, worker: WorkerProcess) -> None:
        """Read the warming worker's ``ready``; a worker that dies on the way is let go."""
        if worker.read() is not None:
            return
        how = worker.reap()
        with self._cond:
            if self._worker is worker:
                self._worker = None
            if not self._closed:
                log.warning(
                    "jlab_platform: the conversion worker died while warming up (%s): %s",
                    how,
                    worker.log_tail(),
                )

    def _run(self, task: Task, request: dict[str, Any]) -> None:
        with self._cond:
            if task.cancel_requested or self._closed:
                self.tasks.cancelled(task)
                return
            worker = self._start_worker()
            waiting = "Converting" if worker.ready else "Starting the conversion process (loading TensorFlow)"
            self.tasks.start(task, "starting", waiting)
            sent = worker.send(request)
        while sent:
            message = worker.read()
            if message is None:
                break
            event = message.get("event")
            if event == "ready":
                self.tasks.progress(task, "starting", 0.02, "Conversion process ready")
            elif message.get("id") != task.id:
                continue
            elif event == "progress":
                self.tasks.progress(task, message["stage"], float(message["progress"]), message["message"])
            elif event == "done":
                self.tasks.succeed(task, message["report"], f"Wrote {task.output}")
                return
            elif event == "failed":
                self.tasks.fail(task, message["error"], message.get("detail", ""), message.get("data"))
                return
        self._worker_died(task, worker)

    def _worker_died(self, task: Task, worker: WorkerProcess) -> None:
        how = worker.reap()
        with self._cond:
            if self._worker is worker:
                self._worker = None
        partial_path(self.paths.root / task.output, task.id).unlink(missing_ok=True)
        if task.cancel_requested or self._closed:
            self.tasks.cancelled(task)
            return
        tail = worker.log_tail()
        where = (
            self.paths.relative(worker.log_path) if self.paths.contains(worker.log_path) else worker.log_path
        )
        self.tasks.fail(
            task,
            f"The conversion process died ({how})",
            f"TensorFlow or PyTorch crashed while converting this model. Last lines of {where}:\n{tail}"
            if tail
            else f"Its log ({where}) is empty.",
        )
