"""Publishing a completed training as version ``X.YY``: its files into the store, its record into a row."""

import json
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..errors import Conflict, InvalidInput, NotFound
from ..jobs.states import SUCCESS
from ..kernel.run_states import COMPLETE
from ..paths import PathResolver
from ..store import Store
from ..store.models import JobRow, ModelTrainingRow, ModelVersionRow
from ..timeutil import utcnow
from . import lookups, views
from .blobs import BlobStore
from .datapaths import fingerprint
from .jobs import LibraryJobs
from .models import Publish
from .refs import template_major, version_text

_ATTEMPTS = 5
_CHECKPOINT_NAMES = ("model.pt", "model.keras", "model.h5", "model.pth", "checkpoint.pt")


class Publisher:
    def __init__(self, store: Store, paths: PathResolver, blobs: BlobStore, runner: LibraryJobs) -> None:
        self.store = store
        self.paths = paths
        self.blobs = blobs
        self.runner = runner

    def publish(self, name: str, body: Publish, user: str) -> str:
        """Make the completed training a new version; its number. A training is published once."""
        if (body.training_id is None) == (body.job_id is None):
            raise InvalidInput("Name the training to publish", "Give training_id or job_id (one of them).")
        with self.store.session() as session:
            model = lookups.model_row(session, name)
            where = (
                ModelTrainingRow.id == body.training_id
                if body.training_id is not None
                else ModelTrainingRow.job_id == body.job_id
            )
            training = session.scalars(
                select(ModelTrainingRow).where(ModelTrainingRow.model == name, where)
            ).first()
            if training is None:
                raise NotFound(
                    f"Model {name!r} has no training {body.training_id or body.job_id!r}",
                    "List the model's trainings to see their ids and jobs.",
                )
            _not_published(training)
            job = session.get(JobRow, training.job_id)
            template, task = model.template, model.task
        if job is None or job.status != SUCCESS:
            state = views.training_state(training, job.status if job else None)
            raise Conflict(
                f"Training {training.id} is {state}, not completed", "Publish a completed training."
            )
        result = self.runner.result(training.id, training.job_id)
        record = _read_json(result.run_dir / "run.json") if result else None
        if result is None or not isinstance(record, dict) or record.get("status") != COMPLETE:
            raise Conflict(
                f"Training {training.id} left no complete run folder to publish",
                "Its job's log says what happened; start it again.",
            )
        files, checkpoint = self._store_run(result.run_dir, record)
        data_hash, images = fingerprint([self.paths.resolve(p) for p in training.data_paths])
        major = template_major(training.template_version)  # the template's version when it trained
        fields = {
            "template": template,
            "template_version": training.template_version,
            "task": task,
            "commit": job.commit,
            "training_id": training.id,
            "job_id": training.job_id,
            "data_paths": list(training.data_paths),
            "data_hash": data_hash,
            "images": images,
            "config": dict(training.config),
            "files": files,
            "checkpoint_sha256": files[checkpoint],
            "checkpoint_bytes": self.blobs.path(files[checkpoint]).stat().st_size,
            "metrics": {k: float(v) for k, v in result.metrics.items()},
            "evaluation": result.evaluation,
        }
        for _attempt in range(_ATTEMPTS):
            try:
                return self._insert(name, training.id, major, fields, user)
            except IntegrityError:
                # Another publish took this number (or this training) at the same moment: the
                # training's row says which; a number taken by another training is tried again.
                with self.store.session() as session:
                    _not_published(lookups.training_row(session, name, training.id))
        raise Conflict(
            f"Versions of {name!r} are being published too fast to number this one",
            "Publish it again.",
        )

    def _insert(self, name: str, training_id: str, major: int, fields: dict[str, Any], user: str) -> str:
        with self.store.session() as session:
            training = lookups.training_row(session, name, training_id)
            _not_published(training)
            minor = 1 + (
                session.scalar(
                    select(func.max(ModelVersionRow.minor)).where(
                        ModelVersionRow.model == name, ModelVersionRow.major == major
                    )
                )
                or 0
            )
            version, now = version_text(major, minor), utcnow()
            session.add(
                ModelVersionRow(
                    model=name,
                    version=version,
                    major=major,
                    minor=minor,
                    published_by=user,
                    published_at=now,
                    **fields,
                )
            )
            training.version = version
            owner = lookups.model_row(session, name)
            owner.updated_by, owner.updated_at = user, now
        return version

    def _store_run(self, run_dir: Path, record: dict[str, Any]) -> tuple[dict[str, str], str]:
        """Copy the run folder's files into the store: name -> sha256, and the checkpoint's name."""
        files: dict[str, str] = {}
        for path in sorted(run_dir.iterdir()):
            if path.is_file() and not path.name.startswith("."):
                files[path.name] = self.blobs.put(path)[0]
        result = record.get("result")
        named = (
            Path(str(result.get("checkpoint"))).name
            if isinstance(result, dict) and result.get("checkpoint")
            else None
        )
        checkpoint = named if named in files else next((n for n in _CHECKPOINT_NAMES if n in files), None)
        if checkpoint is None:
            raise Conflict(
                f"The run folder {self.paths.relative(run_dir)} holds no checkpoint",
                f"The template's train must save one ({', '.join(_CHECKPOINT_NAMES)}) or return its path.",
            )
        return files, checkpoint


def _not_published(training: ModelTrainingRow) -> None:
    if training.version is not None:
        raise Conflict(
            f"Training {training.id} is already published as {training.model}@{training.version}",
            "A training is published once: retrain the version to publish a new one.",
        )


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
