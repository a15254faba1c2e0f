"""Store rows as the API's answers, and the seed's training states from job statuses."""

from ..jobs.states import FAILED, PENDING, RUNNING, SUCCESS, TERMINATED
from ..store.models import (
    ModelAliasMoveRow,
    ModelAliasRow,
    ModelRow,
    ModelTrainingRow,
    ModelVersionRow,
)
from ..timeutil import to_iso
from .models import (
    Alias,
    AliasMove,
    Environment,
    Model,
    ModelSummary,
    PredictionState,
    TrainingState,
    Version,
)

# A training's job status as the seed's words; "published" comes from the training itself.
_TRAINING_STATES: dict[str, TrainingState] = {
    PENDING: "waiting",
    RUNNING: "training",
    SUCCESS: "completed",
    FAILED: "failed",
    TERMINATED: "terminated",
}
_PREDICTION_STATES: dict[str, PredictionState] = {
    PENDING: "waiting",
    RUNNING: "running",
    SUCCESS: "completed",
    FAILED: "failed",
    TERMINATED: "terminated",
}


def training_state(row: ModelTrainingRow, job_status: str | None) -> TrainingState:
    if row.version is not None:
        return "published"
    return _TRAINING_STATES.get(job_status or FAILED, "failed")  # a deleted job: nothing to publish


def prediction_state(job_status: str | None) -> PredictionState:
    return _PREDICTION_STATES.get(job_status or FAILED, "failed")


def iso(value: object) -> str:
    return to_iso(value) or ""  # type: ignore[arg-type]


def model_summary(row: ModelRow, latest: str | None, aliases: dict[str, str], active: int) -> ModelSummary:
    return ModelSummary(
        name=row.name,
        template=row.template,
        template_version=row.template_version,
        task=row.task,
        description=row.description,
        latest_version=latest,
        aliases=aliases,
        trainings_active=active,
        created_by=row.created_by,
        created_at=iso(row.created_at),
        updated_by=row.updated_by,
        updated_at=iso(row.updated_at),
    )


def model_detail(summary: ModelSummary, row: ModelRow, versions: int) -> Model:
    return Model(
        **summary.model_dump(),
        data_paths=list(row.data_paths),
        fixed_data_paths=list(row.fixed_data_paths),
        config=dict(row.config),
        versions=versions,
    )


def version_model(row: ModelVersionRow, aliases: list[str]) -> Version:
    return Version(
        model=row.model,
        version=row.version,
        template=row.template,
        template_version=row.template_version,
        task=row.task,
        commit=row.commit,
        training_id=row.training_id,
        job_id=row.job_id,
        data_paths=list(row.data_paths),
        data_hash=row.data_hash,
        images=row.images,
        config=dict(row.config),
        checkpoint_sha256=row.checkpoint_sha256,
        checkpoint_bytes=row.checkpoint_bytes,
        metrics=dict(row.metrics),
        evaluation=row.evaluation,
        aliases=sorted(aliases),
        published_by=row.published_by,
        published_at=iso(row.published_at),
    )


def alias_model(row: ModelAliasRow) -> Alias:
    return Alias(alias=row.alias, version=row.version, set_by=row.set_by, set_at=iso(row.set_at))


def move_model(row: ModelAliasMoveRow) -> AliasMove:
    return AliasMove(
        alias=row.alias,
        from_version=row.from_version,
        to_version=row.to_version,
        by=row.moved_by,
        at=iso(row.moved_at),
    )


def environment(value: str) -> Environment:
    return "gpu" if value == "gpu" else "cpu"
