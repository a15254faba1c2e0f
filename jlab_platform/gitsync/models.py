"""The git API's requests and answers (``/git``)."""

from typing import Literal

from pydantic import Field

from ..api.models import ApiModel, Offset, WorkspacePath

Operation = Literal["rebase", "merge"]
SyncState = Literal["synced", "conflicts", "aborted"]


class StatusQuery(ApiModel):
    fetch: bool = Field(default=False, description="Fetch from the remotes first (ahead/behind are fresh).")


class ChangedFile(ApiModel):
    path: str
    staged: str | None = Field(description="The index's letter (M, A, D, R, C, T), if staged.")
    unstaged: str | None = Field(description="The working tree's letter, if changed there.")
    untracked: bool
    conflicted: bool
    source: str | None = Field(
        serialization_alias="from", description="Where a renamed or copied file came from."
    )


class GitStatus(ApiModel):
    repository: bool = Field(description="False: the workspace is no git repository (the rest is absent).")
    branch: str | None = None
    head: str | None = None
    upstream: str | None = None
    remote: str | None = None
    remote_url: str | None = Field(default=None, description="Without any token or password it carries.")
    ahead: int = 0
    behind: int = 0
    operation: Operation | None = None
    conflicts: list[str] = Field(default_factory=list)
    changed: int = 0
    files: list[ChangedFile] = Field(default_factory=list)
    files_truncated: bool = False
    max_file_mb: float = Field(description="Sync refuses to commit files larger than this (git_max_file_mb).")


class CloneRequest(ApiModel):
    url: str = Field(min_length=1, max_length=2000, description="e.g. https://github.com/org/project.git")


class SyncRequest(ApiModel):
    message: str = Field(default="", max_length=10_000, description="The commit message for local changes.")


class SyncResult(ApiModel):
    state: SyncState
    commit: str | None
    committed: bool
    pulled: bool
    pushed: bool
    remote: str | None
    conflicts: list[str]
    operation: Operation | None


class ResolveRequest(ApiModel):
    path: WorkspacePath
    choice: Literal["mine", "theirs"]


class LogQuery(ApiModel):
    limit: int = Field(default=20, ge=1, le=500)
    skip: Offset = 0
    path: WorkspacePath | None = Field(default=None, description="Only commits that touched this path.")


class CommitFile(ApiModel):
    status: str
    path: str
    source: str | None = Field(serialization_alias="from")


class Commit(ApiModel):
    id: str
    short_id: str
    parents: list[str]
    author: str
    email: str
    time: str
    message: str
    files: list[CommitFile]
    files_total: int


class GitLog(ApiModel):
    repository: bool
    head: str | None
    commits: list[Commit]


class DiffQuery(ApiModel):
    path: WorkspacePath = Field(description="The file, relative to the root.")
    commit: str | None = Field(
        default=None, max_length=200, description="That commit's change; default: uncommitted."
    )


class Diff(ApiModel):
    path: str
    commit: str | None
    diff: str
    truncated: bool
    binary: bool


class RollbackRequest(ApiModel):
    commit: str = Field(min_length=1, max_length=200)
    path: WorkspacePath | None = Field(default=None, description="Only this file or folder; default: all.")
    message: str | None = Field(default=None, max_length=10_000)


class RollbackResult(ApiModel):
    state: Literal["rolled_back"]
    commit: str | None
    target: str
    path: str | None
