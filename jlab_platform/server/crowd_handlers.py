"""``/crowd``: labeling tasks for their owner (Jupyter login): rounds, invites, results, labeling."""

import asyncio
import json
from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..crowd import CrowdService
from ..crowd.identity import Identity
from ..crowd.taskmodule import seed_folders
from ..errors import InvalidInput
from .base import ApiHandler, attachment
from .labeler_handlers import LABEL_PREFIX, prefetch_field, sample_field, stream_sample, submission


class CrowdBase(ApiHandler):
    @property
    def crowd(self) -> CrowdService:
        return self.platform.crowd

    def username(self) -> str:
        user = self.current_user
        return str(getattr(user, "username", "") or "owner")

    def flag(self, body: dict[str, Any], key: str) -> bool:
        value = body.get(key, False)
        if not isinstance(value, bool):
            raise InvalidInput(f"'{key}' must be true or false", f"Got {value!r}.")
        return value


class TasksHandler(CrowdBase):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.send_json(await asyncio.to_thread(self.crowd.list_tasks))

    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.json_body()
        task = await asyncio.to_thread(self.crowd.create_task, body, self.username())
        task["invites"] = [self._with_link(invite) for invite in task["invites"]]
        self.send_json(task, 201)

    def _with_link(self, invite: dict[str, Any]) -> dict[str, Any]:
        return {**invite, "link": invite_link(self, invite["token"])}


class TaskHandler(CrowdBase):
    @web.authenticated
    @authorized
    async def get(self, task_id: str) -> None:
        self.send_json(await asyncio.to_thread(self.crowd.get_task, task_id))


class NextRoundHandler(CrowdBase):
    @web.authenticated
    @authorized
    async def post(self, task_id: str) -> None:
        force = self.flag(self.json_body(), "force")
        self.send_json(await asyncio.to_thread(self.crowd.next_round, task_id, force))


class FinishHandler(CrowdBase):
    @web.authenticated
    @authorized
    async def post(self, task_id: str) -> None:
        body = self.json_body()
        if not self.flag(body, "confirm"):
            raise InvalidInput(
                "Finishing a task needs confirmation",
                'Send {"confirm": true}. A task finished with unlabeled samples cannot be reopened.',
            )
        finished = await asyncio.to_thread(self.crowd.finish, task_id, self.flag(body, "allow_unlabeled"))
        self.send_json(finished)


class ReopenHandler(CrowdBase):
    @web.authenticated
    @authorized
    async def post(self, task_id: str) -> None:
        self.send_json(await asyncio.to_thread(self.crowd.reopen, task_id))


class InvitesHandler(CrowdBase):
    @web.authenticated
    @authorized
    async def post(self, task_id: str) -> None:
        body = self.json_body()
        name, hours = body.get("name"), body.get("expires_hours")
        if not isinstance(name, str):
            raise InvalidInput("Missing 'name'", "Give the name of the person to invite.")
        if hours is not None and (isinstance(hours, bool) or not isinstance(hours, int | float)):
            raise InvalidInput(
                "'expires_hours' must be a number", "Leave it out for a link that does not expire."
            )
        invite = await asyncio.to_thread(self.crowd.invite, task_id, name, hours)
        self.send_json({**invite, "link": invite_link(self, invite["token"])}, 201)


class InviteHandler(CrowdBase):
    @web.authenticated
    @authorized
    async def delete(self, task_id: str, labeler_id: str) -> None:
        self.send_json(await asyncio.to_thread(self.crowd.revoke, task_id, labeler_id))


class LabelsHandler(CrowdBase):
    """Every individual label; ``download=1`` sends it as the JSON export file."""

    @web.authenticated
    @authorized
    async def get(self, task_id: str) -> None:
        labels = await asyncio.to_thread(self.crowd.labels, task_id)
        if self.get_query_argument("download", "") in ("1", "true"):
            self.set_header("Content-Type", "application/json; charset=UTF-8")
            self.set_header("Content-Disposition", attachment(f"labels-{task_id}.json"))
            self.finish(json.dumps({"task_id": task_id, "labels": labels}, indent=1, ensure_ascii=False))
            return
        self.send_json({"labels": labels})


class RoundRowsHandler(CrowdBase):
    """The rows of the round files (majority labels), as the seed's ``read_csv()`` reads them."""

    @web.authenticated
    @authorized
    async def get(self, task_id: str) -> None:
        self.send_json({"rows": await asyncio.to_thread(self.crowd.round_rows, task_id)})


class OwnerLabelingHandler(CrowdBase):
    """The owner labels too (the notebook widget): the same calls as the labeling page."""

    @web.authenticated
    @authorized
    async def get(self, task_id: str) -> None:
        who = Identity.task_owner(task_id)
        self.send_json(await asyncio.wrap_future(self.crowd.labeling.overview(who)))


class OwnerLabelingActionHandler(CrowdBase):
    @web.authenticated
    @authorized
    async def post(self, task_id: str, action: str) -> None:
        body = self.json_body()
        who, engine = Identity.task_owner(task_id), self.crowd.labeling
        prefetch = prefetch_field(body, default=1)  # the widget shows one sample at a time
        if action == "next":
            call = engine.next(who, prefetch)
        elif action == "labels":
            sample_id, label, request_id = submission(body)
            call = engine.submit(who, sample_id, label, request_id, prefetch)
        elif action == "skip":
            call = engine.skip(who, sample_field(body), prefetch)
        else:
            call = engine.undo(who, prefetch)
        self.send_json(await asyncio.wrap_future(call))


class OwnerImageHandler(CrowdBase):
    @web.authenticated
    @authorized
    async def get(self, task_id: str, sample_id: str) -> None:
        who = Identity.task_owner(task_id)
        dataset, sample = await asyncio.wrap_future(self.crowd.labeling.image(who, sample_id))
        await stream_sample(self, dataset, sample)


class RemainingHandler(CrowdBase):
    """The round's samples still wanting labels; the owner labels any of them (one a labeler skipped)."""

    @web.authenticated
    @authorized
    async def get(self, task_id: str) -> None:
        limit = self.query_int("limit", 50, 1, 500)
        self.send_json(await asyncio.to_thread(self.crowd.remaining, task_id, limit))

    @web.authenticated
    @authorized
    async def post(self, task_id: str) -> None:
        sample_id, label, request_id = submission(self.json_body())
        call = self.crowd.label_as_owner(task_id, sample_id, label, request_id)
        self.send_json(await asyncio.wrap_future(call))


class SeedModulesHandler(CrowdBase):
    """The workspace's folders in the seed's module format, for the new-task dialog."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        found = await asyncio.to_thread(seed_folders, self.platform.paths)
        self.send_json({"modules": found})


def invite_link(handler: ApiHandler, token: str) -> str:
    """The labeling page's path with the token in the fragment (browsers never send fragments)."""
    base_url = handler.settings.get("base_url", "/")
    return f"{base_url}{LABEL_PREFIX}#{token}"


_TASK = r"crowd/tasks/(?P<task_id>[A-Za-z0-9]{1,32})"
CROWD_ROUTES: list[tuple[str, Any]] = [
    ("crowd/tasks", TasksHandler),
    ("crowd/seed-modules", SeedModulesHandler),
    (_TASK, TaskHandler),
    (f"{_TASK}/next-round", NextRoundHandler),
    (f"{_TASK}/finish", FinishHandler),
    (f"{_TASK}/reopen", ReopenHandler),
    (f"{_TASK}/invites", InvitesHandler),
    (rf"{_TASK}/invites/(?P<labeler_id>[A-Za-z0-9]{{1,32}})", InviteHandler),
    (f"{_TASK}/labels", LabelsHandler),
    (f"{_TASK}/rows", RoundRowsHandler),
    (f"{_TASK}/remaining", RemainingHandler),
    (f"{_TASK}/labeling", OwnerLabelingHandler),
    (f"{_TASK}/labeling/(?P<action>next|labels|skip|undo)", OwnerLabelingActionHandler),
    (rf"{_TASK}/samples/(?P<sample_id>[A-Za-z0-9]{{1,32}})/image", OwnerImageHandler),
]
