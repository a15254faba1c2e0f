"""``/git``: status, init, clone, one-click sync, conflicts, history, diffs and rollback."""

import asyncio

from ..gitsync import GitService
from ..gitsync.models import (
    CloneRequest,
    Diff,
    DiffQuery,
    GitLog,
    GitStatus,
    LogQuery,
    ResolveRequest,
    RollbackRequest,
    RollbackResult,
    StatusQuery,
    SyncRequest,
    SyncResult,
)
from .base import ApiHandler
from .endpoint import endpoint


class GitBase(ApiHandler):
    @property
    def git(self) -> GitService:
        return self.platform.git


class GitStatusHandler(GitBase):
    @endpoint(
        "The workspace's branch, remote, ahead/behind and changed files",
        query=StatusQuery,
        response=GitStatus,
    )
    async def get(self, query: StatusQuery) -> GitStatus:
        return await asyncio.to_thread(self.git.status, query.fetch)


class GitInitHandler(GitBase):
    @endpoint("Make the workspace a git repository", response=GitStatus, status=201)
    async def post(self) -> GitStatus:
        return await asyncio.to_thread(self.git.init)


class GitCloneHandler(GitBase):
    @endpoint(
        "Clone a repository into the (empty) workspace", body=CloneRequest, response=GitStatus, status=201
    )
    async def post(self, body: CloneRequest) -> GitStatus:
        return await asyncio.to_thread(self.git.clone, body.url)


class GitSyncHandler(GitBase):
    @endpoint(
        "One-click sync: commit local changes, pull (rebase) and push", body=SyncRequest, response=SyncResult
    )
    async def post(self, body: SyncRequest) -> SyncResult:
        return await asyncio.to_thread(self.git.sync, body.message)


class GitResolveHandler(GitBase):
    @endpoint("Resolve a conflicted file with my side or theirs", body=ResolveRequest, response=SyncResult)
    async def post(self, body: ResolveRequest) -> SyncResult:
        return await asyncio.to_thread(self.git.resolve, body.path, body.choice)


class GitAbortHandler(GitBase):
    @endpoint("Abort the rebase or merge that waits for conflicts", response=SyncResult)
    async def post(self) -> SyncResult:
        return await asyncio.to_thread(self.git.abort)


class GitLogHandler(GitBase):
    @endpoint("History, newest first (of one path when given)", query=LogQuery, response=GitLog)
    async def get(self, query: LogQuery) -> GitLog:
        return await asyncio.to_thread(self.git.log, query.limit, query.path, query.skip)


class GitDiffHandler(GitBase):
    @endpoint("A file's uncommitted change, or its change in a commit", query=DiffQuery, response=Diff)
    async def get(self, query: DiffQuery) -> Diff:
        return await asyncio.to_thread(self.git.diff, query.path, query.commit)


class GitRollbackHandler(GitBase):
    @endpoint(
        "Roll the workspace (or one path) back to a commit, as a new commit",
        body=RollbackRequest,
        response=RollbackResult,
        status=201,
    )
    async def post(self, body: RollbackRequest) -> RollbackResult:
        return await asyncio.to_thread(self.git.rollback, body.commit, body.path, body.message)


GIT_ROUTES: list[tuple[str, type[ApiHandler]]] = [
    ("git/status", GitStatusHandler),
    ("git/init", GitInitHandler),
    ("git/clone", GitCloneHandler),
    ("git/sync", GitSyncHandler),
    ("git/resolve", GitResolveHandler),
    ("git/abort", GitAbortHandler),
    ("git/log", GitLogHandler),
    ("git/diff", GitDiffHandler),
    ("git/rollback", GitRollbackHandler),
]
