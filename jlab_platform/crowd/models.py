"""The labeling APIs' requests and answers: the owner's ``/crowd`` and the labeler's ``/label/api``."""

from typing import Annotated, Any, Literal

from pydantic import Field, PlainValidator

from ..api.models import ApiModel, WorkspacePath
from .states import CrowdState

Strategy = Literal["least_confidence", "margin", "entropy", "random"]
ScoringEnvironment = Literal["cpu", "gpu"]
SampleId = str


def _prefetch(default: int) -> Any:
    return Field(default=default, ge=1, le=3, description="Samples to hold: the shown one and the next.")


def _plain(value: Any) -> str | int | float | bool:
    if isinstance(value, str | int | float | bool):
        return value
    raise ValueError("Use a plain value: text, a number, true or false")


# One message for a value that is none of them (a union would name each of its members).
PlainValue = Annotated[
    str | int | float | bool, PlainValidator(_plain, json_schema_input_type=str | int | float | bool)
]


# -- the owner's requests ----------------------------------------------------


class NewTaskRequest(ApiModel):
    name: str = Field(description="The task's name (up to 256 characters).")
    description: str = ""
    dataset: WorkspacePath = Field(description="The dataset's folder of images, e.g. datasets/shapes.")
    module: str = Field(min_length=1, max_length=4096, description="A module folder with main.py, or a name.")
    classes: list[str] = Field(default_factory=list, description="Default: the module's classes.")
    max_choose: int = Field(default=100, ge=1, le=100_000, description="Samples chosen per round.")
    overlap: int = Field(default=1, ge=1, le=3, description="Labels wanted per sample.")
    strategy: Strategy = "least_confidence"
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    max_rounds: int | None = Field(default=None, ge=1, description="Default and limit: crowd_max_rounds.")
    env: ScoringEnvironment = "cpu"
    train_options: dict[str, PlainValue] = Field(
        default_factory=dict, description="The module's train inputs."
    )
    labelers: list[str] = Field(default_factory=list, description="Names to invite now.")


class NextRoundRequest(ApiModel):
    force: bool = Field(default=False, description="Close the round although labels are missing.")


class FinishRequest(ApiModel):
    confirm: bool = Field(description="Must be true: finishing with unlabeled samples is final.")
    allow_unlabeled: bool = False


class InviteRequest(ApiModel):
    name: str = Field(description="The person's name, as results will show it.")
    expires_hours: float | None = Field(default=None, gt=0, le=24 * 365, description="Default: never.")


class LabelsQuery(ApiModel):
    download: bool = Field(default=False, description="As the JSON export file.")


class RemainingQuery(ApiModel):
    limit: int = Field(default=50, ge=1, le=500)


# -- the labeler's (and the owner's widget's) requests -------------------------


class NextRequest(ApiModel):
    prefetch: int = _prefetch(2)


class SkipRequest(ApiModel):
    sample_id: SampleId = Field(min_length=1, max_length=64)
    prefetch: int = _prefetch(2)


class Submission(ApiModel):
    sample_id: SampleId = Field(min_length=1, max_length=64)
    label: str = Field(min_length=1, max_length=256, description="The chosen class.")
    request_id: str | None = Field(default=None, max_length=128, description="A random id per new label.")
    prefetch: int = _prefetch(2)


# The owner's notebook widget shows one sample at a time.
class OwnerNextRequest(NextRequest):
    prefetch: int = _prefetch(1)


class OwnerSkipRequest(SkipRequest):
    prefetch: int = _prefetch(1)


class OwnerLabelRequest(Submission):
    prefetch: int = _prefetch(1)


class OwnerSubmission(ApiModel):
    sample_id: SampleId = Field(min_length=1, max_length=64)
    label: str = Field(min_length=1, max_length=256)
    request_id: str | None = Field(default=None, max_length=128)


# -- answers -------------------------------------------------------------------


class Progress(ApiModel):
    labels: int
    needed: int
    samples: int
    complete_samples: int


class Abilities(ApiModel):
    next_round: bool
    finish: bool
    reopen: bool
    invite: bool


class TaskSummary(ApiModel):
    id: str
    name: str
    description: str
    dataset: str
    module: str
    module_format: str
    classes: list[str]
    max_choose: int
    overlap: int
    strategy: str
    seed: int
    max_rounds: int
    env: str
    state: CrowdState
    mark: Literal["finished", "in_progress"]
    round: int
    round_complete: bool
    job_id: str | None
    error: str | None
    owner: str
    created_at: str | None
    finished_at: str | None
    finished_incomplete: bool
    progress: Progress
    can: Abilities


class DatasetStats(ApiModel):
    dataset: str
    tasks: int
    in_progress: int
    finished: int
    samples: int
    labels: int


class TaskList(ApiModel):
    tasks: list[TaskSummary]
    datasets: list[DatasetStats]


class Labeler(ApiModel):
    id: str
    name: str
    kind: str
    invited_at: str | None
    expires_at: str | None
    revoked_at: str | None
    active: bool
    labels: int


class Invite(ApiModel):
    labeler: Labeler
    token: str = Field(description="Shown once: the labeling link carries it.")
    link: str = Field(description="The labeling page with the token in its fragment.")


class PairAgreement(ApiModel):
    labelers: list[str] = Field(description="Two labelers, by name.")
    items: int = Field(description="The samples both labeled.")
    kappa: float | None = Field(description="Cohen's kappa; null when undefined (one class throughout).")


class Disagreement(ApiModel):
    sample: str
    labels: dict[str, str] = Field(description="Each labeler's label, by name.")


class Agreement(ApiModel):
    items: int = Field(description="The samples with 2 or more labels.")
    fleiss_kappa: float | None = Field(description="Over those samples; null when undefined.")
    cohen_kappa: list[PairAgreement]
    disagreements: list[Disagreement]


class RoundFile(ApiModel):
    kind: str
    path: str


class Round(ApiModel):
    number: int
    job_id: str | None
    created_at: str | None
    ready_at: str | None
    completed_at: str | None
    closed_at: str | None
    scored: int
    selected: int
    complete_samples: int
    labels: int
    needed: int
    notes: list[str]
    by_class: dict[str, int]
    majority_by_class: dict[str, int]
    by_labeler: dict[str, int]
    agreement: Agreement = Field(description="Fleiss' and Cohen's kappa and the disagreements.")
    files: list[RoundFile]


class ResultFiles(ApiModel):
    folder: str
    export: str


class Task(TaskSummary):
    rounds: list[Round]
    labelers: list[Labeler]
    results: ResultFiles


class NewTaskAnswer(Task):
    invites: list[Invite]


class LabelRecord(ApiModel):
    round: int
    sample: str
    sample_id: str
    label: str
    labeler: str
    labeler_id: str
    created_at: str | None
    path: str


class LabelList(ApiModel):
    labels: list[LabelRecord]


class ExportedTask(ApiModel):
    id: str
    name: str
    description: str
    dataset: str
    module: str
    classes: list[str]
    overlap: int


class LabelExport(ApiModel):
    """``labels.json`` in the task's results folder: every label with its labeler and time."""

    task: ExportedTask
    rounds: int
    labels: list[LabelRecord]


class LabelDownload(ApiModel):
    """The file ``GET .../labels?download=true`` answers."""

    task_id: str
    labels: list[LabelRecord]


class RoundRow(ApiModel):
    sample: str
    label: str


class RoundRows(ApiModel):
    rows: list[RoundRow]


class RemainingSample(ApiModel):
    id: str
    name: str
    labels: int
    wanted: int
    mine: bool
    held: bool
    skipped: int


class Remaining(ApiModel):
    round: int
    classes: list[str]
    total: int
    samples: list[RemainingSample]
    waiting: str | None


class SeedModule(ApiModel):
    path: str = Field(description="The module's folder, relative to the root.")
    classes: list[str] = Field(description="The classes of its config.json.")


class SeedModules(ApiModel):
    modules: list[SeedModule]


class LabelingTask(ApiModel):
    name: str
    description: str
    classes: list[str]
    state: CrowdState
    round: int
    max_rounds: int


class LabelingProgress(Progress):
    round: int
    round_complete: bool
    mine: int


class Session(ApiModel):
    task: LabelingTask
    labeler: str
    progress: LabelingProgress
    waiting: str | None


class OfferedSample(ApiModel):
    id: str
    name: str
    round: int


class Undone(ApiModel):
    sample_id: str
    label: str


class LabelingAnswer(ApiModel):
    samples: list[OfferedSample]
    state: CrowdState
    waiting: str | None
    progress: LabelingProgress
    duplicate: bool | None = Field(default=None, description="A label sent again (same request_id).")
    undone: Undone | None = None
