"""The model library: models, their training tasks (jobs), immutable versions, aliases.

A model names a template (a module of the library) and the data paths it trains on. Each
training task is a job; publishing a completed one makes version ``X.YY`` (``X``: the
template's major version when it trained; ``YY``: the publishes within that major), whose
files go to the content-addressed store. ``resolve("name@alias")`` gives a run folder the
template's own ``predict`` loads. Batch predictions and exports are in ``predictions.py``.
"""

import shutil
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Text, cast, func, or_, select
from sqlalchemy.exc import IntegrityError

from ..convert.service import ConversionService
from ..errors import Conflict, InvalidInput, PlatformError, about_field
from ..i18n import N_
from ..jobs.service import JobService
from ..jobs.states import ACTIVE
from ..modules.catalog import Catalog
from ..modules.entries import ModuleEntry
from ..modules.params import validate_params
from ..paths import PathResolver
from ..settings import option_default
from ..store import Store
from ..store.models import (
    JobRow,
    ModelRow,
    ModelTrainingRow,
    ModelVersionRow,
)
from ..timeutil import utcnow
from . import aliases, lookups, mlflow_mirror, views
from .blobs import BlobStore
from .datapaths import survey
from .jobs import SHIM_FOLDER, LibraryJobs
from .models import (
    Alias,
    AliasList,
    DataPathCheck,
    Model,
    ModelList,
    NewModel,
    Publish,
    ResolvedVersion,
    StartTraining,
    Training,
    TrainingList,
    UpdateModel,
    Version,
    VersionList,
)
from .predictions import Predictions
from .publish import Publisher
from .refs import parse_ref

_NOT_PARAMS = ("data_dir",)  # the library passes the training data itself


@dataclass(frozen=True)
class LibrarySettings:
    data_dir: Path
    results_dir: Path
    mlflow_uri: str = option_default("mlflow_uri")


class ModelLibrary:
    def __init__(
        self,
        store: Store,
        paths: PathResolver,
        jobs: JobService,
        catalog: Catalog,
        settings: LibrarySettings,
        convert: ConversionService | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.paths = paths
        self.jobs = jobs
        self.catalog = catalog
        self.blobs = BlobStore(settings.data_dir / "models" / "blobs")
        self.runner = LibraryJobs(jobs, paths, settings.data_dir, settings.results_dir)
        self.versions_dir = settings.results_dir / SHIM_FOLDER
        self.publisher = Publisher(store, paths, self.blobs, self.runner)
        self.predictions = Predictions(self, convert)

    # -- models --------------------------------------------------------------

    def list_models(self, query: str | None = None) -> ModelList:
        words = (query or "").lower().split()
        with self.store.session() as session:
            rows = session.scalars(select(ModelRow).order_by(ModelRow.updated_at.desc())).all()
            latest = lookups.latest_versions(session)
            aliases = lookups.alias_maps(session)
            active = dict(
                session.execute(
                    select(ModelTrainingRow.model, func.count())
                    .join(JobRow, JobRow.id == ModelTrainingRow.job_id)
                    .where(JobRow.status.in_(ACTIVE))
                    .group_by(ModelTrainingRow.model)
                ).all()
            )
        summaries = [
            views.model_summary(
                row, latest.get(row.name), aliases.get(row.name, {}), int(active.get(row.name, 0))
            )
            for row in rows
            if all(
                word in f"{row.name} {row.template} {row.task} {row.description}".lower() for word in words
            )
        ]
        return ModelList(models=summaries, total=len(summaries))

    def get_model(self, name: str) -> Model:
        with self.store.session() as session:
            row = lookups.model_row(session, name)
            latest = lookups.latest_versions(session, name).get(name)
            aliases = lookups.alias_maps(session, name).get(name, {})
            versions = session.scalar(
                select(func.count()).select_from(ModelVersionRow).where(ModelVersionRow.model == name)
            )
            active = session.scalar(
                select(func.count())
                .select_from(ModelTrainingRow)
                .join(JobRow, JobRow.id == ModelTrainingRow.job_id)
                .where(ModelTrainingRow.model == name, JobRow.status.in_(ACTIVE))
            )
            summary = views.model_summary(row, latest, aliases, int(active or 0))
            return views.model_detail(summary, row, int(versions or 0))

    def create(self, body: NewModel, user: str) -> Model:
        entry = self._template(body.template)
        paths = self._data_paths(body.data_paths)
        self._params(entry, body.config, paths)
        now = utcnow()
        row = ModelRow(
            name=body.name,
            template=entry.name,
            template_version=_spec(entry).version,
            task=_spec(entry).task,
            description=body.description,
            data_paths=paths,
            fixed_data_paths=paths,
            config=dict(body.config),
            created_by=user,
            created_at=now,
            updated_by=user,
            updated_at=now,
        )
        try:
            with self.store.session() as session:
                if session.get(ModelRow, body.name) is not None:
                    raise _exists(body.name)
                session.add(row)
        except IntegrityError:
            raise _exists(body.name) from None
        if body.train:
            try:
                self.start_training(body.name, StartTraining(env=body.env), user)
            except PlatformError:
                # No job to run it (no GPU, a quota): the model is not made, so the request can be sent again.
                with self.store.session() as session:
                    session.delete(lookups.model_row(session, body.name))
                raise
        return self.get_model(body.name)

    def update(self, name: str, body: UpdateModel, user: str) -> Model:
        with self.store.session() as session:
            row = lookups.model_row(session, name)
            template, fixed = row.template, list(row.fixed_data_paths)
        entry = self._template(template)
        paths = self._data_paths(body.data_paths) if body.data_paths is not None else None
        if paths is not None:
            _keep_fixed(fixed, paths)
        with self.store.session() as session:
            row = lookups.model_row(session, name)
            if body.config is not None:
                self._params(entry, body.config, paths or list(row.data_paths))
                row.config = dict(body.config)
            if paths is not None:
                row.data_paths = paths
            if body.description is not None:
                row.description = body.description
            row.updated_by, row.updated_at = user, utcnow()
        return self.get_model(name)

    def delete(self, name: str) -> None:
        with self.store.session() as session:
            row = lookups.model_row(session, name)
            trainings = session.execute(
                select(ModelTrainingRow.id, JobRow.status)
                .outerjoin(JobRow, JobRow.id == ModelTrainingRow.job_id)
                .where(ModelTrainingRow.model == name)
            ).all()
            if any(status in ACTIVE for _id, status in trainings):
                raise Conflict(
                    f"Model {name!r} has trainings waiting or training",
                    "Terminate them, then delete the model.",
                )
            session.delete(row)  # its trainings, versions, aliases and predictions go with it
        for training_id, _status in trainings:
            self.runner.forget(training_id)
        # A model made again under this name must not find these versions' files.
        for folder in self.versions_dir.glob(f"{name}@*"):
            shutil.rmtree(folder, ignore_errors=True)
        with self.store.session() as session:
            every_version = session.scalars(select(ModelVersionRow.files))
            recorded = [sha for files in every_version for sha in files.values()]
        self.blobs.sweep(recorded)

    def check_data_path(self, path: str) -> DataPathCheck:
        folder = self.paths.resolve(path)
        found = survey(folder)
        return DataPathCheck(
            path=path, valid=found.valid, images=found.images, classes=found.classes, reason=found.reason
        )

    # -- trainings -------------------------------------------------------------

    def trainings(self, name: str) -> TrainingList:
        with self.store.session() as session:
            lookups.model_row(session, name)
            found = lookups.training_rows(session, ModelTrainingRow.model == name)
        return self._training_list(found)

    def trainings_of_job(self, job_id: str) -> TrainingList:
        """The training a job ran: its current job, or one it had before a start again."""
        if not job_id.isalnum():
            return TrainingList(trainings=[], total=0)  # no job id; nor a pattern to match below
        earlier = cast(ModelTrainingRow.job_ids, Text).like(f'%"{job_id}"%')
        with self.store.session() as session:
            found = lookups.training_rows(session, or_(ModelTrainingRow.job_id == job_id, earlier))
        return self._training_list(found)

    def training(self, name: str, training_id: str) -> Training:
        with self.store.session() as session:
            lookups.training_row(session, name, training_id)
            found = lookups.training_rows(session, ModelTrainingRow.id == training_id)
        return self._training_model(*found[0])

    def start_training(self, name: str, body: StartTraining, user: str) -> Training:
        with self.store.session() as session:
            model = lookups.model_row(session, name)
            base_paths, base_config = list(model.data_paths), dict(model.config)
            if body.from_version is not None:
                version = lookups.version_row(session, name, body.from_version)
                base_paths, base_config = list(version.data_paths), dict(version.config)
            template, fixed = model.template, list(model.fixed_data_paths)
        entry = self._template(template)
        added = [p for p in self._data_paths(body.data_paths, field="data_paths") if p not in base_paths]
        paths = base_paths + added
        for kept in fixed:  # bound at creation: every training of the model uses them
            if kept not in paths:
                paths.insert(0, kept)
        self._data_paths(paths)
        config = {**base_config, **(body.config or {})}
        params = self._params(entry, config, paths)
        training_id = uuid.uuid4().hex[:12]
        job = self.runner.train(
            training_id,
            name,
            entry.name,
            {
                "data_paths": [str(self.paths.resolve(p)) for p in paths],
                "params": {key: params[key] for key in config},
                "env": body.env,
            },
        )
        now = utcnow()
        row = ModelTrainingRow(
            id=training_id,
            model=name,
            job_id=job.id,
            job_ids=[job.id],
            template_version=_spec(entry).version,
            data_paths=paths,
            config=config,
            env=body.env,
            from_version=body.from_version,
            created_by=user,
            created_at=now,
        )
        with self.store.session() as session:
            model = lookups.model_row(session, name)
            session.add(row)
            model.data_paths = list(dict.fromkeys([*model.data_paths, *added]))
            model.template_version = row.template_version
            model.updated_by, model.updated_at = user, now
        return self.training(name, training_id)

    def terminate_training(self, name: str, training_id: str) -> Training:
        with self.store.session() as session:
            job_id = lookups.training_row(session, name, training_id).job_id
        self.jobs.terminate(job_id)
        return self.training(name, training_id)

    def start_again(self, name: str, training_id: str, user: str) -> Training:
        """A terminated or failed training starts over (from progress 0) in a new job."""
        with self.store.session() as session:
            row = lookups.training_row(session, name, training_id)
            if row.version is not None:
                raise Conflict(
                    f"Training {training_id} is published as {name}@{row.version}",
                    "Retrain that version to train again.",
                )
            job_id = row.job_id
        job = self.jobs.restart(job_id)
        with self.store.session() as session:
            row = lookups.training_row(session, name, training_id)
            row.job_id, row.job_ids = job.id, [*row.job_ids, job.id]
            model = lookups.model_row(session, name)
            model.updated_by, model.updated_at = user, utcnow()
        return self.training(name, training_id)

    def delete_training(self, name: str, training_id: str) -> None:
        with self.store.session() as session:
            row = lookups.training_row(session, name, training_id)
            job = session.get(JobRow, row.job_id)
            if job is not None and job.status in ACTIVE:
                raise Conflict(f"Training {training_id} is still running", "Terminate it, then delete it.")
            session.delete(row)
        self.runner.forget(training_id)

    # -- versions --------------------------------------------------------------

    def publish(self, name: str, body: Publish, user: str) -> Version:
        """Make the completed training a new version; a training is published once."""
        version = self.version(name, self.publisher.publish(name, body, user))
        if self.settings.mlflow_uri:
            resolved = self.resolve(f"{name}@{version.version}")
            checkpoint = next(
                n for n, sha in self._files(name, version.version) if sha == version.checkpoint_sha256
            )
            mlflow_mirror.mirror_version(self.settings.mlflow_uri, version, resolved.run_dir / checkpoint)
        return version

    def versions(self, name: str) -> VersionList:
        with self.store.session() as session:
            lookups.model_row(session, name)
            rows = session.scalars(
                select(ModelVersionRow)
                .where(ModelVersionRow.model == name)
                .order_by(ModelVersionRow.major.desc(), ModelVersionRow.minor.desc())
            ).all()
            aliases = lookups.aliases_by_version(session, name)
        return VersionList(versions=[views.version_model(row, aliases.get(row.version, [])) for row in rows])

    def version(self, name: str, selector: str) -> Version:
        """A version by number (``1.02``) or alias (``production``)."""
        with self.store.session() as session:
            lookups.model_row(session, name)
            row = lookups.select_version(session, name, selector)
            aliases = lookups.aliases_by_version(session, name).get(row.version, [])
        return views.version_model(row, aliases)

    def resolve(self, ref: str) -> ResolvedVersion:
        """``name`` (latest), ``name@X.YY`` or ``name@alias`` as a run folder its template loads."""
        parsed = parse_ref(ref)
        with self.store.session() as session:
            lookups.model_row(session, parsed.name)
            row = lookups.select_version(session, parsed.name, parsed.selector)
        folder = self.run_folder(row.model, row.version)
        self.blobs.materialize(row.files, folder)
        return ResolvedVersion(
            name=row.model, version=row.version, template=row.template, run_dir=folder, commit=row.commit
        )

    def run_folder(self, name: str, version: str) -> Path:
        return self.versions_dir / f"{name}@{version}"

    # -- aliases ---------------------------------------------------------------

    def aliases(self, name: str) -> AliasList:
        return aliases.list_aliases(self.store, name)

    def set_alias(self, name: str, alias: str, version: str, user: str) -> Alias:
        """Point ``alias`` at ``version`` (create or move it); every move is kept."""
        moved = aliases.set_alias(self.store, name, alias, version, user)
        if self.settings.mlflow_uri:
            mlflow_mirror.mirror_alias(self.settings.mlflow_uri, name, alias, moved.version)
        return moved

    def delete_alias(self, name: str, alias: str, user: str) -> None:
        aliases.delete_alias(self.store, name, alias, user)
        if self.settings.mlflow_uri:
            mlflow_mirror.mirror_alias(self.settings.mlflow_uri, name, alias, None)

    # -- internals -------------------------------------------------------------

    def _training_list(self, found: Sequence[tuple[ModelTrainingRow, JobRow | None, str]]) -> TrainingList:
        trainings = [self._training_model(*item) for item in found]
        return TrainingList(trainings=trainings, total=len(trainings))

    def _training_model(self, row: ModelTrainingRow, job: JobRow | None, template: str) -> Training:
        state = views.training_state(row, job.status if job else None)
        progress = eta = None
        if state == "training":
            metrics = self.jobs.metrics(row.job_id)
            progress = metrics.progress.fraction if metrics.progress else None
            eta = metrics.eta_seconds
        result = self.runner.result(row.id, row.job_id) if state in ("completed", "published") else None
        if result is not None:
            progress = 1.0
        return Training(
            id=row.id,
            model=row.model,
            state=state,
            job_id=row.job_id,
            job_ids=list(row.job_ids),
            progress=progress,
            eta_seconds=eta,
            template=template,
            template_version=row.template_version,
            data_paths=list(row.data_paths),
            config=dict(row.config),
            env=views.environment(row.env),
            from_version=row.from_version,
            version=row.version,
            run_dir=self._shown(result.run_dir) if result else None,
            evaluation=result.evaluation if result else None,
            metrics=dict(result.metrics) if result else {},
            reason=job.reason if job else N_("Its job was deleted"),
            created_by=row.created_by,
            created_at=views.iso(row.created_at),
            started_at=views.iso(job.started_at) if job and job.started_at else None,
            finished_at=views.iso(job.finished_at) if job and job.finished_at else None,
        )

    def _files(self, name: str, version: str) -> list[tuple[str, str]]:
        with self.store.session() as session:
            return list(lookups.version_row(session, name, version).files.items())

    def _shown(self, path: Path) -> str:
        return self.paths.relative(path) if self.paths.contains(path) else str(path)

    def _template(self, template: str) -> ModuleEntry:
        with about_field("template"):
            entry = self.catalog.module(template)
        if not entry.valid or entry.spec is None or "train" not in entry.spec.actions:
            raise Conflict(
                f"Module {template!r} cannot train a model",
                "Fix the errors of its spec, or choose a module with a train action.",
            )
        return entry

    def _data_paths(self, paths: Sequence[str], field: str = "data_paths") -> list[str]:
        """The paths, each one resolved inside the root and holding images; duplicates dropped."""
        checked: list[str] = []
        for path in paths:
            with about_field(field):
                folder = self.paths.resolve(path, must_exist=True)
            found = survey(folder)
            if not found.valid:
                raise InvalidInput(
                    f"Data path {path!r} is invalid: {found.reason}",
                    "Every data path must be a folder holding images (class folders for a classifier).",
                    field=field,
                )
            shown = self.paths.relative(folder)
            if shown not in checked:
                checked.append(shown)
        return checked

    def _params(self, entry: ModuleEntry, config: dict[str, Any], paths: Sequence[str]) -> dict[str, Any]:
        """The template's train inputs for ``config`` (validated against its spec, paths made absolute)."""
        for key in _NOT_PARAMS:
            if key in config:
                raise InvalidInput(
                    f"config must not set {key!r}",
                    "The data paths are what the model trains on.",
                    field="config",
                )
        action = _spec(entry).actions["train"]

        def check_path(value: str, kind: str) -> str:
            return str(self.paths.resolve(value, must_exist=True))

        return validate_params(entry.name, action, {**config, "data_dir": paths[0]}, check_path)


def _spec(entry: ModuleEntry) -> Any:
    assert entry.spec is not None  # _template checked it
    return entry.spec


def _exists(name: str) -> Conflict:
    return Conflict(f"A model named {name!r} exists already", "Choose another name.", field="name")


def _keep_fixed(fixed: Sequence[str], paths: Sequence[str]) -> None:
    missing = [path for path in fixed if path not in paths]
    if missing:
        raise InvalidInput(
            f"Data paths bound at creation cannot be removed: {', '.join(missing)}",
            "Keep them in the list; new paths may be added.",
            field="data_paths",
        )
