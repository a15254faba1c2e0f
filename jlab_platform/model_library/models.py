"""Requests and answers of the model library API (``/models``, prefix ``/jlab-platform/api``).

Routes (``server/model_library_handlers.py``):

- ``GET  /models?q=``                                   -> ModelList (search)
- ``POST /models`` NewModel                             -> 201 Model (+ a first training)
- ``GET  /models/trainings?job_id=``                    -> TrainingList (the trainings of a job)
- ``GET  /models/data-paths/check?path=``               -> DataPathCheck (the New-model dialog's path list)
- ``GET|PATCH|DELETE /models/{name}``                   -> Model / Model (UpdateModel) / 204
- ``GET  /models/{name}/trainings``                     -> TrainingList
- ``POST /models/{name}/trainings`` StartTraining       -> 201 Training (``from_version``: retrain a version)
- ``GET|DELETE /models/{name}/trainings/{training_id}`` -> Training / 204
- ``POST /models/{name}/trainings/{training_id}/terminate`` -> Training
- ``POST /models/{name}/trainings/{training_id}/start``     -> Training (start again: a new job)
- ``GET  /models/{name}/versions``                      -> VersionList
- ``POST /models/{name}/versions`` Publish              -> 201 Version (publish; twice: 409)
- ``GET  /models/{name}/versions/{version}``            -> Version (``version``: X.YY or an alias)
- ``GET  /models/{name}/run?version=``                   -> VersionRun (the run folder a version loads from)
- ``GET  /models/{name}/aliases``                       -> AliasList (aliases and their full history)
- ``PUT  /models/{name}/aliases/{alias}`` SetAlias      -> Alias (set or move)
- ``DELETE /models/{name}/aliases/{alias}``             -> 204
- ``GET  /models/{name}/versions/{version}/batch-predictions``  -> BatchPredictionList
- ``POST /models/{name}/versions/{version}/batch-predictions`` StartBatchPrediction -> 201 BatchPrediction
- ``GET  /models/{name}/versions/{version}/batch-predictions/{prediction_id}`` -> BatchPrediction
- ``GET  /models/{name}/versions/{version}/export?format=onnx|tflite|checkpoint`` -> the file (download)
"""

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

from ..api.models import ApiModel, WorkspacePath
from ..i18n import N_

NAME_RULE = re.compile(r"^[A-Za-z](?:[A-Za-z0-9_-]{0,58}[A-Za-z0-9])?$")
VERSION_RULE = re.compile(r"^\d+\.\d{2,}$")
ALIAS_RULE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,62}$")


# Route names beside /models/{name}: no model may be called so.
RESERVED_NAMES = ("trainings", "data-paths")


def check_model_name(value: str) -> str:
    if value in RESERVED_NAMES:
        raise ValueError(N_(f"{value!r} is reserved by the API; choose another name."))
    if not NAME_RULE.match(value):
        raise ValueError(
            N_(
                "A model name has at most 60 characters: a letter first, then letters, digits, '-' or '_', "
                "ending with a letter or digit."
            )
        )
    return value


def check_alias_name(value: str) -> str:
    if not ALIAS_RULE.match(value):
        raise ValueError(
            N_(
                "An alias has at most 63 characters: a letter first, then letters, digits, '-' or '_' "
                "(it must not look like a version such as 1.02)."
            )
        )
    return value


ModelName = Annotated[
    str,
    AfterValidator(check_model_name),
    Field(
        description="At most 60 characters: a letter first, a-z A-Z 0-9 - _, ending with a letter or digit."
    ),
]
AliasName = Annotated[
    str,
    AfterValidator(check_alias_name),
    Field(description="A letter first, then a-z A-Z 0-9 - _ (never a version number)."),
]


def check_version_number(value: str) -> str:
    if not VERSION_RULE.match(value):
        raise ValueError(N_("Give a version number X.YY, e.g. 1.02."))
    return value


VersionNumber = Annotated[
    str,
    AfterValidator(check_version_number),
    Field(max_length=16, description="X.YY: X the template's major version, YY counts publishes."),
]

TrainingState = Literal["waiting", "training", "terminated", "completed", "failed", "published"]
PredictionState = Literal["waiting", "running", "completed", "failed", "terminated"]
Environment = Literal["cpu", "gpu"]
ExportFormat = Literal["onnx", "tflite", "checkpoint"]
DataPaths = Annotated[list[WorkspacePath], Field(max_length=200)]
Config = Annotated[
    dict[str, Any],
    Field(
        description="Inputs of the template's train action (its module spec), e.g. max_iter, base_lr, split."
    ),
]


# -- models --------------------------------------------------------------------


class ModelListQuery(ApiModel):
    q: str | None = Field(default=None, max_length=200, description="Words that must all appear.")


class NewModel(ApiModel):
    name: ModelName
    template: str = Field(
        min_length=1, max_length=128, description="A module of the library, e.g. image-classifier."
    )
    description: str = Field(default="", max_length=10_000)
    data_paths: DataPaths = Field(min_length=1, description="Folders of training images (class folders).")
    config: Config = Field(default_factory=dict)
    env: Environment = "cpu"
    train: bool = Field(default=True, description="Start the first training task at once.")


class UpdateModel(ApiModel):
    description: str | None = Field(default=None, max_length=10_000)
    data_paths: DataPaths | None = Field(
        default=None,
        description="The new list: it must keep every path bound at creation (new ones may be added).",
    )
    config: Config | None = None


class ModelSummary(ApiModel):
    name: str
    template: str
    template_version: str = Field(
        description="The module's version when the model was created or last retrained."
    )
    task: str
    description: str
    latest_version: str | None
    aliases: dict[str, str] = Field(description="Alias -> version.")
    trainings_active: int = Field(description="Trainings waiting or training.")
    created_by: str
    created_at: str
    updated_by: str
    updated_at: str


class Model(ModelSummary):
    data_paths: list[str] = Field(description="Bound at creation (cannot be removed) and added since.")
    fixed_data_paths: list[str] = Field(description="The paths bound at creation.")
    config: dict[str, Any]
    versions: int


class ModelList(ApiModel):
    models: list[ModelSummary]
    total: int


class DataPathQuery(ApiModel):
    path: WorkspacePath


class DataPathCheck(ApiModel):
    path: str
    valid: bool = Field(description="True when the folder holds images.")
    images: int
    classes: list[str] = Field(description="Class folders holding images (empty for an unlabeled folder).")
    reason: str | None = Field(description="Why it is invalid (null when valid).")


# -- trainings -----------------------------------------------------------------


class StartTraining(ApiModel):
    from_version: VersionNumber | None = Field(
        default=None, description="Retrain this version: its config and data paths are the defaults."
    )
    data_paths: DataPaths = Field(
        default_factory=list, description="Added to the model's (or version's) paths."
    )
    config: Config | None = Field(default=None, description="Overrides of the model's (or version's) config.")
    env: Environment = "cpu"


class Training(ApiModel):
    id: str
    model: str
    state: TrainingState
    job_id: str = Field(description="The job running it now (start again makes a new job).")
    job_ids: list[str] = Field(description="Every job of this training, oldest first.")
    progress: float | None = Field(description="0..1 while training; 1 when completed.")
    eta_seconds: float | None
    template: str
    template_version: str
    data_paths: list[str]
    config: dict[str, Any]
    env: Environment
    from_version: str | None
    version: str | None = Field(description="The version it was published as.")
    run_dir: str | None = Field(description="Its run folder results/<template>/<run>/ once training began.")
    evaluation: str | None = Field(
        description="Id of its evaluation report (GET /evaluations/{id}), when made."
    )
    metrics: dict[str, float]
    reason: str | None
    created_by: str
    created_at: str
    started_at: str | None
    finished_at: str | None


class TrainingQuery(ApiModel):
    job_id: str = Field(max_length=64, description="The job whose training to list.")


class TrainingList(ApiModel):
    trainings: list[Training]
    total: int


# -- versions ------------------------------------------------------------------


class Publish(ApiModel):
    training_id: str | None = Field(default=None, max_length=64)
    job_id: str | None = Field(
        default=None, max_length=64, description="Or the training's job (the Jobs view)."
    )


class Version(ApiModel):
    model: str
    version: str
    template: str
    template_version: str
    task: str
    commit: str | None = Field(description="The git commit the training job ran.")
    training_id: str
    job_id: str
    data_paths: list[str]
    data_hash: str = Field(
        description="sha256 of the sorted list of (path, size, mtime) of the data's images."
    )
    images: int
    config: dict[str, Any]
    checkpoint_sha256: str
    checkpoint_bytes: int
    metrics: dict[str, float]
    evaluation: str | None = Field(
        description="Id of the training's evaluation report (GET /evaluations/{id})."
    )
    aliases: list[str]
    published_by: str
    published_at: str


class VersionList(ApiModel):
    versions: list[Version]


class RunQuery(ApiModel):
    version: str | None = Field(
        default=None, max_length=64, description="X.YY or an alias; default: the latest version."
    )


class VersionRun(ApiModel):
    name: str
    version: str
    template: str
    run_dir: str = Field(
        description="The version's run folder (relative to the root), as its template loads it."
    )
    commit: str | None


# -- aliases -------------------------------------------------------------------


class SetAlias(ApiModel):
    version: VersionNumber


class Alias(ApiModel):
    alias: str
    version: str
    set_by: str
    set_at: str


class AliasMove(ApiModel):
    alias: str
    from_version: str | None = Field(description="null: the alias was created.")
    to_version: str | None = Field(description="null: the alias was deleted.")
    by: str
    at: str


class AliasList(ApiModel):
    aliases: list[Alias]
    history: list[AliasMove] = Field(description="Every move, newest first.")


# -- batch predictions and export -----------------------------------------------


class StartBatchPrediction(ApiModel):
    data_path: WorkspacePath = Field(
        description="A folder of images (class folders: also an evaluation report)."
    )
    env: Environment = "cpu"


class BatchPrediction(ApiModel):
    id: str
    model: str
    version: str
    data_path: str
    job_id: str
    state: PredictionState
    output: str = Field(
        description="Folder of predictions.csv, predictions.json and the report (relative to the root)."
    )
    report: str | None = Field(
        description="The evaluation report's folder when the data is labeled and it is done."
    )
    images: int
    created_by: str
    created_at: str
    finished_at: str | None


class BatchPredictionList(ApiModel):
    predictions: list[BatchPrediction]


class ExportQuery(ApiModel):
    format: ExportFormat = "checkpoint"


@dataclass(frozen=True)
class ResolvedVersion:
    """What ``ModelLibrary.resolve("name[@X.YY|@alias]")`` gives deployment and the kernel library.

    ``run_dir`` is shaped like a complete module run folder (checkpoint, classes, train_config.json,
    run.json marked complete), so the template module's own ``predict`` loads it unchanged.
    """

    name: str
    version: str
    template: str
    run_dir: Path
    commit: str | None
