"""Requests and answers of the TensorBoard API."""

from typing import Literal

from pydantic import Field

from ..api.models import ApiModel, WorkspacePath

InstanceStatus = Literal["starting", "running", "stopped"]


class StartTensorBoard(ApiModel):
    logdir: WorkspacePath = Field(
        description="The folder to show, relative to the root (its runs are subfolders)."
    )


class TensorBoardInstance(ApiModel):
    id: str = Field(description="Stable per folder: opening the same folder again gives the same id.")
    logdir: str = Field(description="The folder shown, relative to the root ('' for the root itself).")
    url: str = Field(
        description="Where it is served, relative to the server's base URL (under Jupyter's login)."
    )
    status: InstanceStatus = Field(
        description="'stopped': idle-stopped or exited; the next request to its url starts it again."
    )
    started_at: str | None = Field(description="When its process started (ISO 8601, UTC).")
    last_used_at: str | None = Field(description="The last request through its url (ISO 8601, UTC).")


class TensorBoardList(ApiModel):
    instances: list[TensorBoardInstance]
