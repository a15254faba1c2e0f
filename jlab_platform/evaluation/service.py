"""Evaluations seen from the server: start one as a job, read its report, page and serve its samples.

An evaluation is its folder ``results/<module>/<run>/evaluation/<id>/`` (see ``report.py``);
the server adds ``job.json`` (the job that writes the report) to it. Ids have a fixed form,
so a request's id is checked before it names any folder, and samples are named by number:
no request carries a file path.
"""

import glob
import re
import secrets
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from PIL import Image

from ..errors import Conflict, InvalidInput, NotFound
from ..files.atomic import atomic_output
from ..jobs.scripts import platform_script
from ..jobs.service import JobService
from ..kernel.module_run import RUN_FILE as RUN_JSON
from ..kernel.module_run import read_run_record
from ..paths import PathResolver
from .models import (
    MAX_DOWNLOAD,
    Analysis,
    EvaluationList,
    EvaluationStarted,
    EvaluationSummary,
    SamplePage,
    SampleQuery,
    SampleView,
    StartEvaluation,
    TrainingRun,
    TrainingRunList,
)
from .report import (
    EVALUATION_FOLDER,
    ID_PATTERN,
    RECORD_JSON,
    REPORT_JSON,
    THUMBS_FOLDER,
    evaluation_folder,
    new_evaluation_id,
    now_iso,
    read_json,
    update_record,
    write_json,
)
from .samples import SAMPLES_DB, Sample, SampleFilter, SampleIndex

JOB_JSON = "job.json"
SPLITS = ("val", "train")
THUMB_SIZE = 256
_SCRIPT = '''"""Written by jlab_platform: runs an evaluation (its folder is the argument) as a job."""

import sys

from jlab_platform.kernel.evaluate import main

sys.exit(main(sys.argv[1:]))
'''
_CONTENT_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".bmp": "image/bmp",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
}


@dataclass(frozen=True)
class Download:
    """A file to send: its path (or an open temporary file), type and name."""

    content_type: str
    filename: str
    path: Path | None = None
    file: BinaryIO | None = None

    def open(self) -> BinaryIO:
        """The content to send, open for reading (the caller closes it)."""
        if self.file is not None:
            return self.file
        assert self.path is not None
        return open(self.path, "rb")  # the caller closes it


class EvaluationService:
    def __init__(self, paths: PathResolver, results_dir: Path, jobs: JobService) -> None:
        self.paths = paths
        self.results_dir = results_dir
        self.jobs = jobs
        self._root_prefix = str(paths.root) + "/"

    # -- starting ----------------------------------------------------------

    def start(self, request: StartEvaluation) -> EvaluationStarted:
        run_dir = self._run(request.run)
        data = self._data(run_dir, request.data)
        evaluation_id = new_evaluation_id(request.data)
        folder = evaluation_folder(run_dir, evaluation_id)
        folder.mkdir(parents=True)
        update_record(
            folder, id=evaluation_id, run=str(run_dir), data=data, status="submitted", created_at=now_iso()
        )
        script = platform_script(self.results_dir, ".evaluations", "run_evaluation.py", _SCRIPT)
        module, run_name = run_dir.parent.name, run_dir.name
        try:
            job = self.jobs.submit(
                self.paths.relative(script),
                env="cpu",
                name=f"evaluate {module}/{run_name} on {self._shown(data)}",
                args=[str(folder)],
            )
        except BaseException:
            _remove_tree(folder)
            raise
        write_json(folder / JOB_JSON, {"job_id": job.id})
        return EvaluationStarted(id=evaluation_id, job_id=job.id)

    def _run(self, run: str) -> Path:
        run_dir = self.paths.resolve(run, must_exist=True)
        if run_dir.parent.parent != self.results_dir.resolve() or not run_dir.is_dir():
            raise InvalidInput(
                f"{run!r} is not a training run folder",
                f"Give a run folder, {self.paths.relative(self.results_dir)}/<module>/<run>.",
                field="run",
            )
        record = read_run_record(run_dir)
        if record is None or record.get("status") != "complete":
            raise Conflict(
                f"{run!r} is not a complete training run",
                "Evaluate a run whose training finished (its run.json says 'complete').",
            )
        return run_dir

    def _data(self, run_dir: Path, data: str) -> str:
        if data in SPLITS:
            if not (run_dir / "split.json").is_file():
                raise InvalidInput(
                    f"This run saved no split to evaluate its {data!r} part",
                    "It was trained before splits were saved: evaluate it on a folder of class folders.",
                    field="data",
                )
            return data
        folder = self.paths.resolve(data, must_exist=True)
        if not folder.is_dir():
            raise InvalidInput(f"{data!r} is not a folder", "Give a folder of class folders.", field="data")
        return str(folder)

    def _shown(self, data: str) -> str:
        """A split's name, or a folder relative to the root (as is when outside it)."""
        if data in SPLITS:
            return data
        path = Path(data).resolve()
        return self.paths.relative(path) if self.paths.contains(path) else data

    # -- reading -----------------------------------------------------------

    def evaluations(self, run: str | None) -> EvaluationList:
        if run is not None:
            pattern = f"{self._run(run).relative_to(self.results_dir.resolve())}/{EVALUATION_FOLDER}/*"
        else:
            pattern = f"*/*/{EVALUATION_FOLDER}/*"
        folders = [f for f in self.results_dir.resolve().glob(pattern) if ID_PATTERN.match(f.name)]
        summaries = [self._summary(folder, with_analysis=False) for folder in folders]
        summaries.sort(key=lambda s: s.created_at or "", reverse=True)
        return EvaluationList(evaluations=summaries)

    def runs(self, module: str | None, job: str | None) -> TrainingRunList:
        """Training runs (newest first) with their evaluations, of one module or one job."""
        results = self.results_dir.resolve()
        pattern = f"{glob.escape(module)}/*/{RUN_JSON}" if module else f"*/*/{RUN_JSON}"
        runs = []
        for record_file in sorted(results.glob(pattern), reverse=True):
            record = read_json(record_file)
            if not isinstance(record, dict) or (job and record.get("job_id") != job):
                continue
            run_dir = record_file.parent
            folders = sorted(run_dir.glob(f"{EVALUATION_FOLDER}/*"), reverse=True)
            evaluations = [self._summary(f, with_analysis=False) for f in folders if ID_PATTERN.match(f.name)]
            runs.append(
                TrainingRun(
                    run=self.paths.relative(run_dir),
                    module=run_dir.parent.name,
                    status=str(record.get("status", "")),
                    started_at=record.get("started_at"),
                    finished_at=record.get("finished_at"),
                    job_id=record.get("job_id"),
                    has_split=(run_dir / "split.json").is_file(),
                    evaluations=evaluations,
                )
            )
        return TrainingRunList(runs=runs)

    def get(self, evaluation_id: str) -> EvaluationSummary:
        return self._summary(self._folder(evaluation_id), with_analysis=True)

    def samples(self, evaluation_id: str, query: SampleQuery) -> SamplePage:
        folder = self._folder(evaluation_id)
        classes = self._classes(folder)
        index = self._index(folder)
        try:
            where = SampleFilter(truth=query.class_, predicted=query.predicted, kind=query.kind)
            total, found = index.page(where, query.offset, query.limit)
        finally:
            index.close()
        views = [self._view(sample, classes) for sample in found]
        return SamplePage(total=total, offset=query.offset, limit=query.limit, samples=views)

    def image(self, evaluation_id: str, sample_id: str, thumb: bool) -> Download:
        folder = self._folder(evaluation_id)
        sample = self._samples(folder, [_sample_number(sample_id)])[0]
        path = self._image_path(sample)
        if not thumb:
            return Download(_content_type(path), f"{sample.id}-{path.name}", path=path)
        return Download(
            "image/jpeg", f"{sample.id}-{path.stem}.jpg", path=self._thumbnail(folder, sample, path)
        )

    def download(self, evaluation_id: str, samples: str) -> Download:
        """One sample's image as it is, or a zip of several (folders named by true class)."""
        numbers = list(dict.fromkeys(int(n) for n in samples.split(",")))
        if len(numbers) > MAX_DOWNLOAD:
            raise InvalidInput(
                f"{len(numbers)} samples asked for", f"Download at most {MAX_DOWNLOAD} at once."
            )
        if len(numbers) == 1:
            return self.image(evaluation_id, str(numbers[0]), thumb=False)
        folder = self._folder(evaluation_id)
        classes = self._classes(folder)
        chosen = self._samples(folder, numbers)
        archive = tempfile.TemporaryFile()
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zipped:  # images are compressed already
            for sample in chosen:
                path = self._image_path(sample)
                zipped.write(path, f"{_safe_name(classes[sample.truth])}/{sample.id}-{path.name}")
        archive.seek(0)
        return Download("application/zip", f"{evaluation_id}-{len(chosen)}-samples.zip", file=archive)

    # -- internals ---------------------------------------------------------

    def _folder(self, evaluation_id: str) -> Path:
        if not ID_PATTERN.match(evaluation_id):
            raise NotFound(
                f"No evaluation {evaluation_id[:80]!r}",
                "Evaluation ids look like val-20260101-120000-1a2b3c.",
            )
        # The id's form is checked: it can only name a folder, never a pattern or a path.
        found = sorted(self.results_dir.resolve().glob(f"*/*/{EVALUATION_FOLDER}/{evaluation_id}"))
        if not found or not (found[0] / RECORD_JSON).is_file():
            raise NotFound(f"No evaluation {evaluation_id!r}", "It may have been deleted with its run.")
        return found[0]

    def _summary(self, folder: Path, with_analysis: bool) -> EvaluationSummary:
        record = read_json(folder / RECORD_JSON) or {}
        job_id = (read_json(folder / JOB_JSON) or {}).get("job_id")
        analysis = read_json(folder / REPORT_JSON)
        status, error = record.get("status", "submitted"), record.get("error")
        if analysis is not None:
            status = "complete"
        elif job_id and status in ("submitted", "running"):
            status, error = self._job_status(str(job_id), status, error)
        run_dir = folder.parent.parent
        data = str(record.get("data", ""))
        return EvaluationSummary(
            id=folder.name,
            run=self.paths.relative(run_dir),
            module=run_dir.parent.name,
            data=self._shown(data) if data else "",
            status=status,
            job_id=job_id,
            error=error,
            created_at=record.get("created_at") or record.get("started_at"),
            finished_at=record.get("finished_at"),
            folder=self.paths.relative(folder),
            analysis=self._analysis(analysis) if with_analysis and analysis else None,
        )

    def _analysis(self, analysis: dict[str, Any]) -> Analysis:
        """The report with its run and data as the file browser names them."""
        run = Path(str(analysis.get("run", "")))
        return Analysis.model_validate(
            {**analysis, "run": self._shown(str(run)), "data": self._shown(str(analysis.get("data", "")))}
        )

    def _job_status(self, job_id: str, status: str, error: str | None) -> tuple[str, str | None]:
        """A job that ended without the report failed, whatever the record last said."""
        try:
            job = self.jobs.get(job_id)
        except NotFound:
            return "failed", error or "Its job was deleted before the report was written."
        if job.status in ("failed", "terminated", "success"):
            return "failed", error or job.reason or f"Its job ended ({job.status}) without a report."
        return ("running" if job.status == "running" else status), error

    def _classes(self, folder: Path) -> list[str]:
        analysis = read_json(folder / REPORT_JSON)
        if not isinstance(analysis, dict):
            raise Conflict("The evaluation has no report yet", "Wait until its job has finished.")
        return [str(name) for name in analysis["classes"]]

    def _index(self, folder: Path) -> SampleIndex:
        if not (folder / SAMPLES_DB).is_file():
            raise Conflict("The evaluation has no sample records yet", "Wait until its job has finished.")
        return SampleIndex(folder / SAMPLES_DB)

    def _samples(self, folder: Path, numbers: Sequence[int]) -> list[Sample]:
        index = self._index(folder)
        try:
            found = index.get(numbers)
        finally:
            index.close()
        if len(found) != len(numbers):
            missing = sorted(set(numbers) - {s.id for s in found})
            raise NotFound(
                f"No sample {missing[0]} in this evaluation", "Sample ids come from its samples list."
            )
        return found

    def _view(self, sample: Sample, classes: Sequence[str]) -> SampleView:
        # String operations, not Path objects: a page builds many of these (records hold absolute paths).
        name = sample.path.rsplit("/", 1)[-1]
        inside = sample.path.startswith(self._root_prefix)
        return SampleView(
            id=sample.id,
            name=name,
            path=sample.path[len(self._root_prefix) :] if inside else name,
            true_label=classes[sample.truth],
            predicted_label=None if sample.predicted is None else classes[sample.predicted],
            confidence=sample.confidence,
            kind=sample.kind,
            reason=sample.reason,
        )

    def _image_path(self, sample: Sample) -> Path:
        """The sample's file, served only from inside the root (records are files anyone could edit)."""
        path = Path(sample.path).resolve()
        if not self.paths.contains(path):
            raise NotFound(
                f"Sample {sample.id}'s image is outside the workspace", "Only workspace images are served."
            )
        if not path.is_file():
            raise NotFound(
                f"Sample {sample.id}'s image is gone", f"{self.paths.relative(path)} no longer exists."
            )
        return path

    def _thumbnail(self, folder: Path, sample: Sample, source: Path) -> Path:
        thumbs = folder / THUMBS_FOLDER
        cached = thumbs / f"{sample.id}.jpg"
        if cached.is_file():
            return cached
        thumbs.mkdir(exist_ok=True)
        try:
            # Two requests for one thumbnail may both make it: each writes its own partial file.
            with Image.open(source) as image, atomic_output(cached, secrets.token_hex(4)) as partial:
                image.thumbnail((THUMB_SIZE, THUMB_SIZE))
                image.convert("RGB").save(partial, "JPEG", quality=85)
        except (OSError, ValueError) as exc:
            raise NotFound(f"Sample {sample.id}'s image cannot be read", str(exc)) from None
        return cached


def _sample_number(text: str) -> int:
    if not re.fullmatch(r"[0-9]{1,12}", text):
        raise NotFound(f"No sample {text[:40]!r}", "Samples are named by their number in the samples list.")
    return int(text)


def _safe_name(name: str) -> str:
    cleaned = "".join("_" if ch in "/\\:\0" else ch for ch in name).strip(". ")
    return cleaned or "_"


def _content_type(path: Path) -> str:
    return _CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")


def _remove_tree(folder: Path) -> None:
    for child in folder.iterdir():
        child.unlink()
    folder.rmdir()
