"""Batch predictions (题库预测) of a version, and exports of a version as a download.

A batch prediction is a job (``kernel/batch_predict.py``) writing into an evaluation folder of
the version's run folder, ``results/.models/<name>@<X.YY>/evaluation/<id>/``: the evaluations
API and the report view show the report it makes when the data is labeled.
"""

import json
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from ..convert.service import ConversionService
from ..errors import Conflict, InvalidInput, NotFound, Unavailable
from ..evaluation.report import REPORT_JSON, evaluation_folder, new_evaluation_id
from ..files.states import ENDED as TASK_ENDED
from ..files.states import SUCCEEDED
from ..store.models import JobRow, ModelPredictionRow
from ..timeutil import utcnow
from . import lookups, views
from .datapaths import survey
from .models import BatchPrediction, BatchPredictionList, ExportFormat, StartBatchPrediction

if TYPE_CHECKING:
    from .service import ModelLibrary

_EXPORT_FOLDER = "exports"
_EXPORT_WAIT_SECONDS = 600.0
_KERAS_SUFFIXES = (".keras", ".h5")


class Predictions:
    def __init__(self, library: "ModelLibrary", convert: ConversionService | None) -> None:
        self.library = library
        self.convert = convert

    def list(self, name: str, version: str) -> BatchPredictionList:
        with self.library.store.session() as session:
            lookups.model_row(session, name)
            row = lookups.select_version(session, name, version)
            found = session.execute(
                select(ModelPredictionRow, JobRow)
                .outerjoin(JobRow, JobRow.id == ModelPredictionRow.job_id)
                .where(ModelPredictionRow.model == name, ModelPredictionRow.version == row.version)
                .order_by(ModelPredictionRow.created_at.desc())
            ).all()
        return BatchPredictionList(predictions=[self._model(p, job) for p, job in found])

    def get(self, name: str, version: str, prediction_id: str) -> BatchPrediction:
        with self.library.store.session() as session:
            lookups.model_row(session, name)
            number = lookups.select_version(session, name, version).version
            row = session.get(ModelPredictionRow, prediction_id)
            if row is None or row.model != name or row.version != number:
                raise NotFound(
                    f"Version {name}@{version} has no batch prediction {prediction_id!r}",
                    "List the version's batch predictions to see their ids.",
                )
            job = session.get(JobRow, row.job_id)
        return self._model(row, job)

    def start(self, name: str, version: str, body: StartBatchPrediction, user: str) -> BatchPrediction:
        data = self.library.paths.resolve(body.data_path, must_exist=True)
        found = survey(data)
        if not found.valid:
            raise InvalidInput(
                f"Data path {body.data_path!r} is invalid: {found.reason}",
                "Give a folder holding images (class folders for an evaluation report).",
                field="data_path",
            )
        resolved = self.library.resolve(f"{name}@{version}")
        evaluation_id = new_evaluation_id(str(data))
        out = evaluation_folder(resolved.run_dir, evaluation_id)
        job = self.library.runner.predict(f"{name}@{resolved.version}", resolved.run_dir, data, out, body.env)
        row = ModelPredictionRow(
            id=uuid.uuid4().hex[:12],
            model=name,
            version=resolved.version,
            data_path=self.library.paths.relative(data),
            job_id=job.id,
            output=self.library.paths.relative(out),
            evaluation=evaluation_id,
            images=found.images,
            created_by=user,
            created_at=utcnow(),
        )
        with self.library.store.session() as session:
            session.add(row)
            job_row = session.get(JobRow, job.id)
        return self._model(row, job_row)

    def export(self, name: str, version: str, fmt: ExportFormat) -> Path:
        """The version's original checkpoint, or its conversion to ONNX or TFLite (made once, then kept)."""
        resolved = self.library.resolve(f"{name}@{version}")
        with self.library.store.session() as session:
            row = lookups.version_row(session, name, resolved.version)
            checkpoint = next(n for n, sha in row.files.items() if sha == row.checkpoint_sha256)
            template = row.template
        source = resolved.run_dir / checkpoint
        if fmt == "checkpoint":
            return source
        suffix = ".onnx" if fmt == "onnx" else ".tflite"
        target = resolved.run_dir / _EXPORT_FOLDER / f"{name}-{resolved.version}{suffix}"
        if target.is_file():
            return target
        if self.convert is None:
            raise Unavailable("Model conversion is not available on this server", "Export the checkpoint.")
        target.parent.mkdir(exist_ok=True)
        paths = self.library.paths
        if fmt == "onnx":
            # The converter reads TorchScript: the template's own load() gives the network to trace.
            traced = target.with_suffix(".torchscript.pt")
            shape = self._trace(template, resolved.run_dir, traced, f"{name}@{resolved.version}")
            task = self.convert.submit_onnx(paths.relative(traced), [*shape], output=paths.relative(target))
        elif source.suffix in _KERAS_SUFFIXES:
            task = self.convert.submit_tflite(paths.relative(source), output=paths.relative(target))
        else:
            raise Conflict(
                f"Version {name}@{resolved.version} is no Keras model to convert to TFLite",
                "Export it as ONNX or as the original checkpoint.",
            )
        deadline = time.monotonic() + _EXPORT_WAIT_SECONDS
        while task.status not in TASK_ENDED and time.monotonic() < deadline:
            time.sleep(0.2)
            task = self.convert.get(task.id)
        if task.status != SUCCEEDED or not target.is_file():
            error = (task.error or {}).get("message") or task.message or task.status
            raise Conflict(
                f"Version {name}@{resolved.version} could not be exported as {fmt}: {error}",
                "Export the original checkpoint instead, or convert it in a notebook.",
            )
        return target

    def _trace(self, template: str, run_dir: Path, out: Path, shown: str) -> Sequence[int]:
        """The version's network as TorchScript, traced in a process of its own (no torch in the server)."""
        module_dir = self.library.catalog.module(template).folder
        command = [sys.executable, "-m", "jlab_platform.kernel.model_export", "--run-dir", str(run_dir)]
        command += ["--module-dir", str(module_dir), "--out", str(out)]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=_EXPORT_WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            raise Conflict(
                f"Tracing {shown} took longer than {_EXPORT_WAIT_SECONDS:g} s", "Export the checkpoint."
            ) from None
        if done.returncode != 0:
            reason = (done.stderr.strip().splitlines() or ["no reason given"])[-1]
            raise Conflict(
                f"Version {shown} could not be exported as onnx: {reason}",
                "Export the original checkpoint instead, or convert it in a notebook.",
            )
        shape: list[int] = json.loads(done.stdout.strip().splitlines()[-1])["input_shape"]
        return shape

    def _model(self, row: ModelPredictionRow, job: JobRow | None) -> BatchPrediction:
        state = views.prediction_state(job.status if job else None)
        folder = self.library.paths.resolve(row.output)
        report = row.evaluation if state == "completed" and (folder / REPORT_JSON).is_file() else None
        return BatchPrediction(
            id=row.id,
            model=row.model,
            version=row.version,
            data_path=row.data_path,
            job_id=row.job_id,
            state=state,
            output=row.output,
            report=report,
            images=row.images,
            created_by=row.created_by,
            created_at=views.iso(row.created_at),
            finished_at=views.iso(job.finished_at) if job and job.finished_at else None,
        )
