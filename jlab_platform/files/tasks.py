"""Records of long file-producing work (an extraction, a model conversion): status,
progress, report. Kept in memory: each lasts seconds to minutes and leaves its result
as a file in the workspace, which is what outlives the server."""

import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from ..errors import Conflict, NotFound
from ..timeutil import to_iso, utcnow

ACTIVE = ("queued", "running")
FINISHED = ("succeeded", "failed", "cancelled")
_KEEP_FINISHED = 200


@dataclass
class Task:
    kind: str
    source: str
    output: str
    options: dict[str, Any]
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    status: str = "queued"
    stage: str = "queued"
    progress: float = 0.0
    message: str = ""
    created_at: str = field(default_factory=lambda: to_iso(utcnow()) or "")
    started_at: str | None = None
    finished_at: str | None = None
    error: dict[str, Any] | None = None
    report: dict[str, Any] | None = None
    cancel_requested: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "source": self.source,
            "output": self.output,
            "options": dict(self.options),
            "status": self.status,
            "stage": self.stage,
            "progress": round(self.progress, 4),
            "message": self.message,
            "created_at": self.created_at,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "error": self.error,
            "report": self.report,
        }


class TaskRegistry:
    """Thread-safe; keeps every active task and the newest finished ones."""

    def __init__(self, noun: str) -> None:
        self._noun = noun
        self._tasks: OrderedDict[str, Task] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, task: Task) -> Task:
        with self._lock:
            self._tasks[task.id] = task
            finished = [t.id for t in self._tasks.values() if t.status in FINISHED]
            for task_id in finished[: max(0, len(finished) - _KEEP_FINISHED)]:
                del self._tasks[task_id]
        return task

    def task(self, task_id: str) -> Task:
        with self._lock:
            task = self._tasks.get(task_id)
        if task is None:
            raise NotFound(
                f"No {self._noun} with id {task_id!r}",
                "Records are kept in memory: a server restart forgets them (the output files stay).",
            )
        return task

    def get(self, task_id: str) -> dict[str, Any]:
        task = self.task(task_id)
        with self._lock:
            return task.to_json()

    def list(self) -> list[dict[str, Any]]:
        with self._lock:
            return [task.to_json() for task in reversed(self._tasks.values())]

    def start(self, task: Task, stage: str, message: str) -> None:
        with self._lock:
            task.status, task.started_at = "running", to_iso(utcnow())
            task.stage, task.message = stage, message

    def progress(self, task: Task, stage: str, progress: float, message: str) -> None:
        with self._lock:
            if task.status == "running":
                task.stage, task.message = stage, message
                task.progress = min(1.0, max(task.progress, progress))

    def succeed(self, task: Task, report: dict[str, Any], message: str) -> None:
        self._finish(task, "succeeded", message, report=report)

    def fail(self, task: Task, error: str, detail: str, data: dict[str, Any] | None = None) -> None:
        self._finish(task, "failed", error, error={"error": error, "detail": detail, **(data or {})})

    def cancelled(self, task: Task) -> None:
        self._finish(task, "cancelled", "cancelled on request")

    def request_cancel(self, task_id: str) -> Task:
        """Mark the task for cancelling; the caller stops the work. Conflict if it already ended."""
        task = self.task(task_id)
        with self._lock:
            if task.status in FINISHED:
                raise Conflict(
                    f"The {self._noun} {task_id} already ended ({task.status})",
                    "Only queued or running work can be cancelled.",
                )
            task.cancel_requested = True
        return task

    def _finish(
        self,
        task: Task,
        status: str,
        message: str,
        report: dict[str, Any] | None = None,
        error: dict[str, Any] | None = None,
    ) -> None:
        with self._lock:
            if task.status in FINISHED:
                return
            task.status, task.stage, task.message = status, status, message
            task.finished_at = to_iso(utcnow())
            if status == "succeeded":
                task.progress = 1.0
            task.report, task.error = report, error
