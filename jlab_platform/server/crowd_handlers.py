"""``/crowd``: labeling tasks for their owner (Jupyter login): rounds, invites, results, labeling."""

import asyncio
from typing import Any

from ..crowd import CrowdService
from ..crowd.identity import Identity
from ..crowd.models import (
    FinishRequest,
    Invite,
    InviteRequest,
    LabelDownload,
    Labeler,
    LabelingAnswer,
    LabelList,
    LabelsQuery,
    NewTaskAnswer,
    NewTaskRequest,
    NextRoundRequest,
    OwnerLabelRequest,
    OwnerNextRequest,
    OwnerSkipRequest,
    OwnerSubmission,
    Remaining,
    RemainingQuery,
    RoundRows,
    SeedModules,
    Session,
    Task,
    TaskList,
)
from ..crowd.results import export_text
from ..crowd.service import LabelerLink
from ..crowd.taskmodule import seed_folders
from ..errors import InvalidInput
from .base import ApiHandler, attachment
from .endpoint import endpoint
from .labeler_handlers import LABEL_PREFIX, stream_sample


class CrowdBase(ApiHandler):
    @property
    def crowd(self) -> CrowdService:
        return self.platform.crowd

    def username(self) -> str:
        user = self.current_user
        return str(getattr(user, "username", "") or "owner")

    def _with_link(self, invite: LabelerLink) -> Invite:
        return Invite(labeler=invite.labeler, token=invite.token, link=invite_link(self, invite.token))


class TasksHandler(CrowdBase):
    @endpoint("Labeling tasks and per-dataset totals", response=TaskList)
    async def get(self) -> TaskList:
        return await asyncio.to_thread(self.crowd.list_tasks)

    @endpoint(
        "Create a labeling task (its first round is scored at once)",
        body=NewTaskRequest,
        response=NewTaskAnswer,
        status=201,
    )
    async def post(self, body: NewTaskRequest) -> NewTaskAnswer:
        task, links = await asyncio.to_thread(self.crowd.create_task, body, self.username())
        return NewTaskAnswer(**dict(task), invites=[self._with_link(link) for link in links])


class TaskHandler(CrowdBase):
    @endpoint("One task with its rounds, labelers and result files", response=Task)
    async def get(self, task_id: str) -> Task:
        return await asyncio.to_thread(self.crowd.get_task, task_id)


class NextRoundHandler(CrowdBase):
    @endpoint(
        "Close the round and score the next (or run a failed round again)",
        body=NextRoundRequest,
        response=Task,
    )
    async def post(self, task_id: str, body: NextRoundRequest) -> Task:
        return await asyncio.to_thread(self.crowd.next_round, task_id, body.force)


class FinishHandler(CrowdBase):
    @endpoint("Finish the task and write its results", body=FinishRequest, response=Task)
    async def post(self, task_id: str, body: FinishRequest) -> Task:
        if not body.confirm:
            raise InvalidInput(
                "Finishing a task needs confirmation",
                'Send {"confirm": true}. A task finished with unlabeled samples cannot be reopened.',
                "confirm",
            )
        return await asyncio.to_thread(self.crowd.finish, task_id, body.allow_unlabeled)


class ReopenHandler(CrowdBase):
    @endpoint("Reopen a finished task (when nothing was left unlabeled)", response=Task)
    async def post(self, task_id: str) -> Task:
        return await asyncio.to_thread(self.crowd.reopen, task_id)


class InvitesHandler(CrowdBase):
    @endpoint("Invite a person: a new labeling link", body=InviteRequest, response=Invite, status=201)
    async def post(self, task_id: str, body: InviteRequest) -> Invite:
        invite = await asyncio.to_thread(self.crowd.invite, task_id, body.name, body.expires_hours)
        return self._with_link(invite)


class InviteHandler(CrowdBase):
    @endpoint("Revoke a labeler's link", response=Labeler)
    async def delete(self, task_id: str, labeler_id: str) -> Labeler:
        return await asyncio.to_thread(self.crowd.revoke, task_id, labeler_id)


class LabelsHandler(CrowdBase):
    @endpoint(
        "Every individual label (download=true: as the JSON export file)",
        query=LabelsQuery,
        response=LabelList,
    )
    async def get(self, task_id: str, query: LabelsQuery) -> LabelList | None:
        labels = await asyncio.to_thread(self.crowd.labels, task_id)
        if query.download:
            self.set_header("Content-Type", "application/json; charset=UTF-8")
            self.set_header("Content-Disposition", attachment(f"labels-{task_id}.json"))
            self.finish(export_text(LabelDownload(task_id=task_id, labels=labels.labels)))
            return None
        return labels


class RoundRowsHandler(CrowdBase):
    @endpoint(
        "The round files' rows (majority labels), as the seed's read_csv() reads them", response=RoundRows
    )
    async def get(self, task_id: str) -> RoundRows:
        return RoundRows(rows=await asyncio.to_thread(self.crowd.round_rows, task_id))


class OwnerLabelingHandler(CrowdBase):
    @endpoint("The owner labels too (the notebook widget): the task and progress", response=Session)
    async def get(self, task_id: str) -> Session:
        return await asyncio.wrap_future(self.crowd.labeling.overview(Identity.task_owner(task_id)))


class OwnerNextHandler(CrowdBase):
    @endpoint("The owner's next sample", body=OwnerNextRequest, response=LabelingAnswer)
    async def post(self, task_id: str, body: OwnerNextRequest) -> LabelingAnswer:
        who = Identity.task_owner(task_id)
        return await asyncio.wrap_future(self.crowd.labeling.next(who, body.prefetch))


class OwnerSubmitHandler(CrowdBase):
    @endpoint("The owner labels a sample", body=OwnerLabelRequest, response=LabelingAnswer)
    async def post(self, task_id: str, body: OwnerLabelRequest) -> LabelingAnswer:
        who, engine = Identity.task_owner(task_id), self.crowd.labeling
        call = engine.submit(who, body.sample_id, body.label, body.request_id, body.prefetch)
        return await asyncio.wrap_future(call)


class OwnerSkipHandler(CrowdBase):
    @endpoint("The owner skips a sample", body=OwnerSkipRequest, response=LabelingAnswer)
    async def post(self, task_id: str, body: OwnerSkipRequest) -> LabelingAnswer:
        who = Identity.task_owner(task_id)
        return await asyncio.wrap_future(self.crowd.labeling.skip(who, body.sample_id, body.prefetch))


class OwnerUndoHandler(CrowdBase):
    @endpoint("The owner takes back their last label", body=OwnerNextRequest, response=LabelingAnswer)
    async def post(self, task_id: str, body: OwnerNextRequest) -> LabelingAnswer:
        who = Identity.task_owner(task_id)
        return await asyncio.wrap_future(self.crowd.labeling.undo(who, body.prefetch))


class OwnerImageHandler(CrowdBase):
    @endpoint("A selected sample's image", raw="image/*")
    async def get(self, task_id: str, sample_id: str) -> None:
        who = Identity.task_owner(task_id)
        dataset, sample = await asyncio.wrap_future(self.crowd.labeling.image(who, sample_id))
        await stream_sample(self, dataset, sample)


class RemainingHandler(CrowdBase):
    @endpoint(
        "The round's samples still wanting labels (the owner labels any of them)",
        query=RemainingQuery,
        response=Remaining,
    )
    async def get(self, task_id: str, query: RemainingQuery) -> Remaining:
        return await asyncio.to_thread(self.crowd.remaining, task_id, query.limit)

    @endpoint("The owner labels one of the remaining samples", body=OwnerSubmission, response=LabelingAnswer)
    async def post(self, task_id: str, body: OwnerSubmission) -> LabelingAnswer:
        call = self.crowd.label_as_owner(task_id, body.sample_id, body.label, body.request_id)
        return await asyncio.wrap_future(call)


class SeedModulesHandler(CrowdBase):
    @endpoint(
        "The workspace's folders in the seed's module format (for the new-task dialog)", response=SeedModules
    )
    async def get(self) -> SeedModules:
        return SeedModules(modules=await asyncio.to_thread(seed_folders, self.platform.paths))


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
    (f"{_TASK}/labeling/next", OwnerNextHandler),
    (f"{_TASK}/labeling/labels", OwnerSubmitHandler),
    (f"{_TASK}/labeling/skip", OwnerSkipHandler),
    (f"{_TASK}/labeling/undo", OwnerUndoHandler),
    (rf"{_TASK}/samples/(?P<sample_id>[A-Za-z0-9]{{1,32}})/image", OwnerImageHandler),
]
