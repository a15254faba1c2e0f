"""``/git``: status, init, clone, one-click sync, conflicts, history, diffs and rollback."""

import asyncio
from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..errors import InvalidInput
from ..gitsync import GitService
from .base import ApiHandler


class GitBase(ApiHandler):
    @property
    def git(self) -> GitService:
        return self.platform.git

    def body_string(self, body: dict[str, Any], key: str, hint: str, required: bool = True) -> str | None:
        value = body.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str) or (required and not value.strip()):
            raise InvalidInput(f"'{key}' must be a non-empty string", hint)
        return value


class GitStatusHandler(GitBase):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        fetch = self.get_query_argument("fetch", "") in ("1", "true")
        self.send_json(await asyncio.to_thread(self.git.status, fetch))


class GitInitHandler(GitBase):
    @web.authenticated
    @authorized
    async def post(self) -> None:
        self.send_json(await asyncio.to_thread(self.git.init), 201)


class GitCloneHandler(GitBase):
    @web.authenticated
    @authorized
    async def post(self) -> None:
        url = self.body_string(self.json_body(), "url", 'e.g. {"url": "https://github.com/org/project.git"}')
        self.send_json(await asyncio.to_thread(self.git.clone, str(url)), 201)


class GitSyncHandler(GitBase):
    @web.authenticated
    @authorized
    async def post(self) -> None:
        message = self.json_body().get("message", "")
        if not isinstance(message, str):
            raise InvalidInput("'message' must be a string", 'e.g. {"message": "Tune the learning rate"}')
        self.send_json(await asyncio.to_thread(self.git.sync, message))


class GitResolveHandler(GitBase):
    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.json_body()
        hint = 'e.g. {"path": "train.py", "choice": "mine"} (or "theirs")'
        path, choice = self.body_string(body, "path", hint), self.body_string(body, "choice", hint)
        self.send_json(await asyncio.to_thread(self.git.resolve, str(path), str(choice)))


class GitAbortHandler(GitBase):
    @web.authenticated
    @authorized
    async def post(self) -> None:
        self.send_json(await asyncio.to_thread(self.git.abort))


class GitLogHandler(GitBase):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        limit = self.query_int("limit", 20, 1, 500)
        skip = self.query_int("skip", 0, 0)
        path = self.get_query_argument("path", None) or None
        self.send_json(await asyncio.to_thread(self.git.log, limit, path, skip))


class GitDiffHandler(GitBase):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        path = self.get_query_argument("path", "")
        if not path:
            raise InvalidInput(
                "Missing 'path'", "Give the file as ?path=folder/file.py (relative to the root)."
            )
        commit = self.get_query_argument("commit", None) or None
        self.send_json(await asyncio.to_thread(self.git.diff, path, commit))


class GitRollbackHandler(GitBase):
    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.json_body()
        hint = 'e.g. {"commit": "1a2b3c4d"}, optionally with "path" and "message"'
        commit = self.body_string(body, "commit", hint)
        path = self.body_string(body, "path", hint, required=False) or None
        message = self.body_string(body, "message", hint, required=False)
        result = await asyncio.to_thread(self.git.rollback, str(commit), path, message)
        self.send_json(result, 201)


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
