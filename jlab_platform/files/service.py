"""File actions for the server: extract an archive beside itself, export a notebook as a script."""

import codecs
import logging
import shutil
import threading
import time
from pathlib import Path

from ..errors import InvalidInput, PlatformError
from ..paths import PathResolver
from . import models
from .extract import MB, Extraction, ExtractionCancelled, ExtractLimits, staging_folder
from .script_export import export_script
from .states import ENDED
from .tasks import Task, TaskRegistry

log = logging.getLogger(__name__)
_CANCEL_WAIT_SECONDS = 10.0


class FileActions:
    def __init__(self, paths: PathResolver, limits: ExtractLimits, data_dir: Path) -> None:
        self.paths = paths
        self.limits = limits
        self.tasks = TaskRegistry("extraction", data_dir / "files" / "extractions.jsonl")
        for task in self.tasks.interrupted:  # what they were writing when the server stopped
            try:
                target = self.paths.resolve(task.output)
            except PlatformError:  # the folder moved out of reach since: nothing of ours to remove
                continue
            shutil.rmtree(staging_folder(target.parent, target.name, task.id), ignore_errors=True)
        self._threads: list[threading.Thread] = []

    def extract(self, path: str, name_encoding: str | None = None) -> models.Task:
        """Check the archive now (an unsafe one is a 400), extract it in the background."""
        archive = self.paths.resolve(path, must_exist=True)
        if name_encoding is not None:
            try:
                codecs.lookup(name_encoding)
            except (LookupError, ValueError) as exc:  # ValueError: a NUL in the name
                raise InvalidInput(
                    f"Unknown name encoding {name_encoding!r}", "e.g. gbk, cp932, big5, cp437."
                ) from exc
        if not self.paths.contains(archive.parent):
            raise InvalidInput(
                f"Cannot extract {path!r} here", "Move the archive into a folder of the workspace."
            )
        extraction = Extraction(archive, self.limits, name_encoding=name_encoding)
        task = Task(
            kind="extract",
            source=self.paths.relative(archive),
            output=self.paths.relative(extraction.parent / extraction.name),
            options={"name_encoding": name_encoding},
        )
        self.tasks.add(task)
        self.tasks.start(task, "extracting", f"Extracting {archive.name}")
        thread = threading.Thread(target=self._run, args=(task, extraction), name="jlab-extract", daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()
        return task.to_model()

    def get(self, task_id: str) -> models.Task:
        return self.tasks.get(task_id)

    def cancel(self, task_id: str) -> models.Task:
        task = self.tasks.request_cancel(task_id)
        deadline = time.monotonic() + _CANCEL_WAIT_SECONDS
        while task.status not in ENDED and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.tasks.get(task_id)

    def export_script(self, path: str, overwrite: bool = False) -> models.ExportedScript:
        notebook = self.paths.resolve(path, must_exist=True)
        result = export_script(notebook, path, self.paths.contains, overwrite)
        return models.ExportedScript(
            path=self.paths.relative(result.path), cells=result.cells, warnings=result.warnings
        )

    def close(self) -> None:
        for task in self.tasks.list():
            if task.status not in ENDED:
                self.tasks.request_cancel(task.id)
        for thread in self._threads:
            thread.join(timeout=10)

    def _run(self, task: Task, extraction: Extraction) -> None:
        def progress(done: int, total: int) -> None:
            self.tasks.progress(
                task,
                "extracting",
                done / total if total else 0.0,
                f"{done / MB:,.0f} of {total / MB:,.0f} MB",
            )

        try:
            result = extraction.run(progress, lambda: task.cancel_requested, task.id)
        except ExtractionCancelled:
            self.tasks.cancelled(task)
        except PlatformError as exc:
            self.tasks.fail(task, exc.message, exc.detail)
        except Exception as exc:
            log.exception("jlab_platform: extracting %s failed", task.source)
            self.tasks.fail(
                task, f"Extracting {task.source} failed: {exc}", "The server log has the details."
            )
        else:
            report = result.to_json(self.paths.relative)
            task.output = report["target"]
            self.tasks.succeed(task, report, f"Extracted {result.files:,} files into {report['target']}/")
