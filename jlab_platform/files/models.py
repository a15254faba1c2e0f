"""The file actions' requests and answers (``/files``), and the task shape conversions share."""

from typing import Any

from pydantic import Field

from ..api.models import ApiModel, WorkspacePath
from .states import TaskStatus


class Task(ApiModel):
    """A background conversion or extraction, as its journal records it."""

    id: str
    kind: str
    source: str
    output: str
    options: dict[str, Any]
    status: TaskStatus
    stage: str
    progress: float
    message: str
    created_at: str
    started_at: str | None
    finished_at: str | None
    error: dict[str, Any] | None
    report: dict[str, Any] | None


class ExtractRequest(ApiModel):
    path: WorkspacePath = Field(description="The archive to extract beside itself.")
    name_encoding: str | None = Field(
        default=None,
        max_length=40,
        description="The names' encoding (e.g. gbk); default: detect.",
    )


class ExportScriptRequest(ApiModel):
    path: WorkspacePath = Field(description="The notebook to export.")
    overwrite: bool = False


class ExportedScript(ApiModel):
    path: str
    cells: int
    warnings: list[str]
