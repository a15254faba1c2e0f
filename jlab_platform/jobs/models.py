"""The jobs API's requests and answers (``/jobs``)."""

from typing import Literal

from pydantic import Field

from ..api.models import ApiModel, Int64, Offset, WorkspacePath
from .states import EndedStatus, JobStatus

Environment = Literal["console", "cpu", "gpu"]


class SubmitJob(ApiModel):
    script: WorkspacePath = Field(description="The .py or .ipynb file to run, relative to the root.")
    env: Environment = "cpu"
    name: str | None = Field(default=None, max_length=200, description="Default: the script's name.")
    args: list[str] | str | None = Field(
        default=None, description="Command-line arguments: a list, or one string split like a shell."
    )
    kernel_id: str | None = Field(default=None, description="The console's kernel (console jobs only).")


class JobListQuery(ApiModel):
    status: JobStatus | None = None
    limit: int = Field(default=100, ge=1, le=1000)
    offset: Offset = 0
    finished_after: str | None = Field(default=None, description="ISO 8601: jobs that ended after it.")


class Job(ApiModel):
    id: str
    name: str
    env: Environment
    script: str
    args: list[str]
    status: JobStatus
    created_at: str | None
    started_at: str | None
    finished_at: str | None
    runtime_seconds: float | None
    exit_code: int | None
    reason: str | None
    gpu: str | None
    restarted_from: str | None
    commit: str | None
    kernel_id: str | None
    snapshot_available: bool
    snapshot_expires_at: str | None
    outputs: list[str]
    tensorboard_run: str | None = Field(
        description="The folder (relative to the root) of the job's TensorBoard run; null for console jobs, "
        "which get none, and when runs are configured outside the root."
    )


class SnapshotUsage(ApiModel):
    used_bytes: int
    limit_bytes: int | None


class JobList(ApiModel):
    jobs: list[Job]
    total: int
    snapshots: SnapshotUsage


class JobEnvironment(ApiModel):
    name: Environment
    available: bool
    reason: str | None
    slots: float | None


class JobEnvironments(ApiModel):
    environments: list[JobEnvironment]


class ClusterNode(ApiModel):
    name: str
    head: bool
    cpus: float
    gpus: float | None


class Cluster(ApiModel):
    executor: str
    address: str | None
    nodes: list[ClusterNode]
    cpus: float
    cpus_used: float
    gpus: float | None
    gpus_used: float


class LogQuery(ApiModel):
    offset: Int64 = Field(default=0, description="Where to start; a negative offset counts from the end.")
    max_bytes: int = Field(default=1024 * 1024, ge=1, le=16 * 1024 * 1024)
    wait: float = Field(default=0, ge=0, le=30, description="Seconds to wait for the log to grow.")
    download: bool = Field(default=False, description="The whole log as a file.")


class LogChunk(ApiModel):
    data: str
    offset: Int64
    next_offset: Int64
    size: Int64
    complete: bool


class MetricPoint(ApiModel):
    step: float
    value: float
    run: int


class MetricRun(ApiModel):
    index: int
    label: str | None


class Progress(ApiModel):
    step: float
    total: float
    fraction: float


class JobMetrics(ApiModel):
    series: dict[str, list[MetricPoint]]
    runs: list[MetricRun]
    progress: Progress | None
    eta_seconds: float | None


class FinishJob(ApiModel):
    status: EndedStatus
    reason: str | None = Field(default=None, max_length=10_000)
