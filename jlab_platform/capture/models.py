"""The captured-output API's requests and answers (``/outputs``)."""

from typing import Any

from pydantic import Field

from ..api.models import ApiModel, Offset, WorkspacePath
from .states import CaptureState


class CaptureListQuery(ApiModel):
    notebook: WorkspacePath | None = Field(default=None, description="Only this notebook's captures.")
    limit: int = Field(default=100, ge=0, le=1000)
    offset: Offset = 0


class CaptureSummary(ApiModel):
    name: str
    notebook: str | None
    cell_id: str | None
    kernel_id: str | None
    source: str
    state: CaptureState = Field(description="incomplete: the kernel died or was restarted mid-cell.")
    reason: str | None
    started_at: str
    finished_at: str | None
    updated_at: str | None
    size: int


class CaptureList(ApiModel):
    directory: str = Field(description="Where kernels write their captures.")
    captures: list[CaptureSummary]
    total: int


class Capture(CaptureSummary):
    outputs: list[dict[str, Any]] = Field(description="nbformat outputs, as the cell would show them.")
    notes: list[str] = Field(description="What could not be restored (widgets, lost images).")
