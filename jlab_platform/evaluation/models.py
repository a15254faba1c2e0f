"""The evaluation API's requests and answers (``/evaluations``)."""

from typing import Literal

from pydantic import Field

from ..api.models import ApiModel, Offset, WorkspacePath

EvaluationStatus = Literal["submitted", "running", "complete", "failed"]
SampleKind = Literal["correct", "misclassified", "noncompliant"]
MAX_DOWNLOAD = 1000


class StartEvaluation(ApiModel):
    run: WorkspacePath = Field(description="A training run folder, results/<module>/<run>.")
    data: str = Field(
        default="val",
        max_length=4096,
        description="'val' or 'train' (the run's own split), or a folder of class folders in the workspace.",
    )


class EvaluationStarted(ApiModel):
    id: str
    job_id: str


class EvaluationListQuery(ApiModel):
    run: WorkspacePath | None = Field(default=None, description="Only this run's evaluations.")


class Figures(ApiModel):
    precision: float
    recall: float
    f1: float
    iou: float


class Overall(Figures):
    """Macro means over the classes present; ``weighted`` by support."""

    accuracy: float
    weighted: dict[str, float] = Field(description="precision, recall, f1, iou weighted by support")
    samples: int
    evaluated: int = Field(description="Samples predicted (all but the non-compliant).")
    misclassified: int
    noncompliant: int
    units: Literal["samples", "pixels"] = Field(description="What support and the matrix count.")


class ClassFigures(Figures):
    name: str
    support: int
    predicted: int
    present: bool = Field(description="In the truth or the predictions; absent classes are out of the means.")
    samples: int
    misclassified: int
    noncompliant: int


class Analysis(ApiModel):
    """``model_analysis_results.json``."""

    id: str
    run: str
    data: str
    module: str
    task: Literal["classification", "segmentation"]
    classes: list[str]
    overall: Overall
    per_class: list[ClassFigures]
    confusion_matrix: list[list[int]] = Field(description="Rows: true class, columns: predicted class.")


class EvaluationSummary(ApiModel):
    id: str
    run: str = Field(description="The run folder, relative to the root.")
    module: str
    data: str = Field(description="'val', 'train', or the evaluated folder relative to the root.")
    status: EvaluationStatus
    job_id: str | None
    error: str | None
    created_at: str | None
    finished_at: str | None
    folder: str = Field(description="The report folder, relative to the root.")
    analysis: Analysis | None = Field(description="The report, once complete.")


class EvaluationList(ApiModel):
    evaluations: list[EvaluationSummary] = Field(description="Without their analysis, newest first.")


class RunListQuery(ApiModel):
    module: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,254}$",
        description="Only this module's runs (a module name: letters, digits, . _ -).",
    )
    job: str | None = Field(default=None, max_length=64, description="Only the runs this job trained.")


class TrainingRun(ApiModel):
    run: str = Field(description="The run folder, relative to the root.")
    module: str
    status: str = Field(description="As run.json says: running, complete, failed, interrupted.")
    started_at: str | None
    finished_at: str | None
    job_id: str | None
    has_split: bool = Field(description="Whether its val/train split can be evaluated (split.json).")
    evaluations: list[EvaluationSummary] = Field(description="Newest first, without their analysis.")


class TrainingRunList(ApiModel):
    runs: list[TrainingRun] = Field(description="Newest first.")


class SampleQuery(ApiModel):
    class_: int | None = Field(
        default=None, alias="class", ge=0, le=1_000_000, description="True class index."
    )
    predicted: int | None = Field(default=None, ge=0, le=1_000_000, description="Predicted class index.")
    kind: SampleKind | Literal["all"] = "all"
    offset: Offset = 0
    limit: int = Field(default=60, ge=1, le=500)


class SampleView(ApiModel):
    id: int
    name: str
    path: str = Field(description="Relative to the root when inside it.")
    true_label: str
    predicted_label: str | None
    confidence: float | None = Field(description="Top probability; a segmentation sample's mean IoU.")
    kind: SampleKind
    reason: str | None


class SamplePage(ApiModel):
    total: int
    offset: int
    limit: int
    samples: list[SampleView]


class ImageQuery(ApiModel):
    thumb: bool = Field(default=False, description="A thumbnail (made once, then cached).")


class DownloadQuery(ApiModel):
    samples: str = Field(
        pattern=r"^\d{1,12}(,\d{1,12})*$",
        max_length=13 * MAX_DOWNLOAD,
        description=f"Sample ids, comma-separated (at most {MAX_DOWNLOAD}): one is sent as is, "
        "more as a zip.",
    )
