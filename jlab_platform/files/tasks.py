"""Records of long file-producing work (an extraction, a model conversion): status,
progress, report.

Each change of state (queued, running, finished) is appended to a journal, one JSON line
per change, so the records outlive the server. Progress is not journaled: it only matters
while the work runs, and work that was running when the server stopped died with it (the
conversion worker and extraction threads are the server's). Such records come back as
failed, saying so. The journal is compacted to one line per record at start-up.
"""

import json
import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from ..errors import Conflict, NotFound
from ..timeutil import to_iso, utcnow
from . import models
from .atomic import write_atomic
from .states import CANCELLED, ENDED, FAILED, QUEUED, RUNNING, SUCCEEDED, EndedStatus, TaskStatus

log = logging.getLogger(__name__)

_KEEP_ENDED = 200


@dataclass
class Task:
    kind: str
    source: str
    output: str
    options: dict[str, Any]
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    status: TaskStatus = QUEUED
    stage: str = QUEUED
    progress: float = 0.0
    message: str = ""
    created_at: str = field(default_factory=lambda: to_iso(utcnow()) or "")
    started_at: str | None = None
    finished_at: str | None = None
    error: dict[str, Any] | None = None
    report: dict[str, Any] | None = None
    cancel_requested: bool = False

    def to_model(self) -> models.Task:
        """The record as the API shows it (a snapshot: the work goes on changing this one)."""
        return models.Task(
            id=self.id,
            kind=self.kind,
            source=self.source,
            output=self.output,
            options=dict(self.options),
            status=self.status,
            stage=self.stage,
            progress=round(self.progress, 4),
            message=self.message,
            created_at=self.created_at,
            started_at=self.started_at,
            finished_at=self.finished_at,
            error=self.error,
            report=self.report,
        )


class TaskRegistry:
    """Thread-safe; keeps every active task and the newest finished ones, in ``journal``."""

    def __init__(self, noun: str, journal: Path) -> None:
        self._noun = noun
        self._journal = journal
        self._tasks: OrderedDict[str, Task] = OrderedDict()
        self._lock = threading.Lock()
        self.interrupted: list[Task] = []  # running when the server stopped: failed at load
        self._load()

    def add(self, task: Task) -> Task:
        with self._lock:
            self._tasks[task.id] = task
            self._forget_old()
            self._record(task)
        return task

    def task(self, task_id: str) -> Task:
        with self._lock:
            task = self._tasks.get(task_id)
        if task is None:
            raise NotFound(
                f"No {self._noun} with id {task_id!r}",
                f"Only the newest {_KEEP_ENDED} finished records are kept (their output files stay).",
            )
        return task

    def get(self, task_id: str) -> models.Task:
        task = self.task(task_id)
        with self._lock:
            return task.to_model()

    def list(self) -> list[models.Task]:
        with self._lock:
            return [task.to_model() for task in reversed(self._tasks.values())]

    def start(self, task: Task, stage: str, message: str) -> None:
        with self._lock:
            task.status, task.started_at = RUNNING, to_iso(utcnow())
            task.stage, task.message = stage, message
            self._record(task)

    def progress(self, task: Task, stage: str, progress: float, message: str) -> None:
        with self._lock:
            if task.status == RUNNING:
                task.stage, task.message = stage, message
                task.progress = min(1.0, max(task.progress, progress))

    def succeed(self, task: Task, report: dict[str, Any], message: str) -> None:
        self._finish(task, SUCCEEDED, message, report=report)

    def fail(self, task: Task, error: str, detail: str, data: dict[str, Any] | None = None) -> None:
        self._finish(task, FAILED, error, error={"error": error, "detail": detail, **(data or {})})

    def cancelled(self, task: Task) -> None:
        self._finish(task, CANCELLED, "cancelled on request")

    def request_cancel(self, task_id: str) -> Task:
        """Mark the task for cancelling; the caller stops the work. Conflict if it already ended."""
        task = self.task(task_id)
        with self._lock:
            if task.status in ENDED:
                raise Conflict(
                    f"The {self._noun} {task_id} already ended ({task.status})",
                    "Only queued or running work can be cancelled.",
                )
            task.cancel_requested = True
        return task

    def _finish(
        self,
        task: Task,
        status: EndedStatus,
        message: str,
        report: dict[str, Any] | None = None,
        error: dict[str, Any] | None = None,
    ) -> None:
        with self._lock:
            if task.status in ENDED:
                return
            task.status, task.stage, task.message = status, status, message
            task.finished_at = to_iso(utcnow())
            if status == SUCCEEDED:
                task.progress = 1.0
            task.report, task.error = report, error
            self._forget_old()
            self._record(task)

    # -- the journal ----------------------------------------------------------

    def _record(self, task: Task) -> None:
        try:
            with open(self._journal, "a", encoding="utf-8") as journal:
                journal.write(_line(task))
        except OSError:  # the work goes on; only its record may not outlive the server
            log.exception("jlab_platform: cannot write the %s journal %s", self._noun, self._journal)

    def _forget_old(self) -> None:
        finished = [t.id for t in self._tasks.values() if t.status in ENDED]
        for task_id in finished[: max(0, len(finished) - _KEEP_ENDED)]:
            del self._tasks[task_id]

    def _load(self) -> None:
        self._journal.parent.mkdir(parents=True, exist_ok=True)
        for task in _read_journal(self._journal):
            self._tasks[task.id] = task  # the last line wins; the order is the first
        for task in self._tasks.values():
            if task.status not in ENDED:
                task.status = task.stage = FAILED
                task.message = "The server stopped while this ran"
                task.finished_at = to_iso(utcnow())
                task.error = {"error": task.message, "detail": f"Start the {self._noun} again."}
                self.interrupted.append(task)
        self._forget_old()
        write_atomic(self._journal, "".join(_line(t) for t in self._tasks.values()))


_TRANSIENT = "cancel_requested"  # a request to the running work, not part of its record


def _line(task: Task) -> str:
    stored = {key: value for key, value in asdict(task).items() if key != _TRANSIENT}
    return json.dumps(stored, separators=(",", ":")) + "\n"


_NONE = type(None)
# What each stored field may hold; a line with anything else is not one of ours.
_STORED_TYPES: dict[str, tuple[type, ...]] = {
    **{f.name: (str,) for f in fields(Task) if f.name != _TRANSIENT},
    "options": (dict,),
    "progress": (int, float),
    "started_at": (str, _NONE),
    "finished_at": (str, _NONE),
    "error": (dict, _NONE),
    "report": (dict, _NONE),
}


def _read_journal(path: Path) -> Iterator[Task]:
    """The records in ``path``, skipping (and logging) lines that are not one.

    A line cut short by a crash, or damaged otherwise, must never keep the server from starting.
    """
    if not path.exists():
        return
    with open(path, encoding="utf-8", errors="replace") as journal:
        for number, line in enumerate(journal, 1):
            task = _parsed(line)
            if task is None:
                log.warning("jlab_platform: skipped line %d of %s: not a record", number, path)
            else:
                yield task


def _parsed(line: str) -> Task | None:
    try:
        data = json.loads(line)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    stored = {key: value for key, value in data.items() if key in _STORED_TYPES}
    if not all(isinstance(value, _STORED_TYPES[key]) for key, value in stored.items()):
        return None
    try:
        return Task(**stored)
    except TypeError:  # a field without default is missing
        return None
