"""``/deployments``: deploy, list, stop, start, roll back, keys, log and the export bundle."""

import asyncio
import time
from pathlib import Path
from typing import TypeVar

from ..deploy.models import (
    CreateDeployment,
    Deployment,
    DeploymentCreated,
    DeploymentHistory,
    DeploymentList,
    DeploymentPreview,
    IOField,
    NewKey,
    PreviewQuery,
    Rollback,
)
from ..deploy.service import DeploymentService
from ..i18n import translate
from ..jobs.logs import read_chunk
from ..jobs.models import LogChunk, LogQuery
from .base import ApiHandler, attachment
from .endpoint import endpoint

_DOWNLOAD_BLOCK = 1024 * 1024
Shown = TypeVar("Shown", Deployment, DeploymentPreview)
_NAME = r"(?P<name>[A-Za-z][A-Za-z0-9_-]{0,59})"


class DeployBase(ApiHandler):
    @property
    def deployments(self) -> DeploymentService:
        return self.platform.deployments

    def localized(self, shown: Shown) -> Shown:
        """``shown`` with the platform's own help of its inputs and outputs in the UI's language
        (a help written in a ``.deploy.yml`` is the user's text and stays as it is)."""
        locale = self.error_locale()

        def fields(items: list[IOField]) -> list[IOField]:
            return [item.model_copy(update={"help": translate(item.help, locale)}) for item in items]

        return shown.model_copy(update={"inputs": fields(shown.inputs), "outputs": fields(shown.outputs)})

    async def send_file(self, path: Path, filename: str, content_type: str) -> None:
        self.set_header("Content-Type", content_type)
        self.set_header("Content-Disposition", attachment(filename))
        try:
            with open(path, "rb") as source:
                while block := source.read(_DOWNLOAD_BLOCK):
                    self.write(block)
                    await self.flush()
        except FileNotFoundError:
            pass  # no log yet: an empty file
        self.finish()


class DeploymentsHandler(DeployBase):
    @endpoint("The deployment each name points to, newest first", response=DeploymentList)
    async def get(self) -> DeploymentList:
        listed = await asyncio.to_thread(self.deployments.list_deployments)
        return DeploymentList(deployments=[self.localized(shown) for shown in listed.deployments])

    @endpoint(
        "Deploy a module run, a .py file, a ModelArts folder or a model version as an HTTP service",
        body=CreateDeployment,
        response=DeploymentCreated,
        status=201,
        description="The answer holds the service's API key: the only time it is shown. The service "
        "starts in the background: poll GET /deployments/{name} until its status is ready.",
    )
    async def post(self, body: CreateDeployment) -> DeploymentCreated:
        return await asyncio.to_thread(self.deployments.create, body, self.actor)


class DeploymentPreviewHandler(DeployBase):
    @endpoint(
        "What deploying a source would give: kind, checkpoints, inputs and outputs, commit",
        query=PreviewQuery,
        response=DeploymentPreview,
    )
    async def get(self, query: PreviewQuery) -> DeploymentPreview:
        return self.localized(await asyncio.to_thread(self.deployments.preview, query.source))


class DeploymentHandler(DeployBase):
    @endpoint("The deployment a name points to", response=Deployment)
    async def get(self, name: str) -> Deployment:
        return self.localized(await asyncio.to_thread(self.deployments.get, name))

    @endpoint("Stop a name's service and delete its history, keys and snapshots", status=204)
    async def delete(self, name: str) -> None:
        await asyncio.to_thread(self.deployments.delete, name)


class DeploymentHistoryHandler(DeployBase):
    @endpoint("Every deployment of a name, newest first", response=DeploymentHistory)
    async def get(self, name: str) -> DeploymentHistory:
        history = await asyncio.to_thread(self.deployments.history, name)
        shown = [self.localized(deployment) for deployment in history.deployments]
        return DeploymentHistory(name=history.name, deployments=shown)


class DeploymentStopHandler(DeployBase):
    @endpoint("Stop the service (it finishes the requests it has)", response=Deployment)
    async def post(self, name: str) -> Deployment:
        return await asyncio.to_thread(self.deployments.stop, name)


class DeploymentStartHandler(DeployBase):
    @endpoint("Start a stopped or failed service again, from its own snapshot", response=Deployment)
    async def post(self, name: str) -> Deployment:
        return await asyncio.to_thread(self.deployments.start, name)


class DeploymentRollbackHandler(DeployBase):
    @endpoint(
        "Serve an earlier deployment of the name again (its commit and checkpoint)",
        body=Rollback,
        response=Deployment,
        status=201,
        description="Starts it as a new deployment on the same port, waits until it is ready, points "
        "the name at it and lets the old process finish its requests: no request fails.",
    )
    async def post(self, name: str, body: Rollback) -> Deployment:
        return await asyncio.to_thread(self.deployments.rollback, name, body.to)


class DeploymentKeysHandler(DeployBase):
    @endpoint("A new API key for the service (shown only in this answer)", response=NewKey, status=201)
    async def post(self, name: str) -> NewKey:
        return await asyncio.to_thread(self.deployments.new_key, name)


class DeploymentKeyHandler(DeployBase):
    @endpoint("Revoke an API key (the service refuses it at once)", status=204)
    async def delete(self, name: str, key_id: str) -> None:
        await asyncio.to_thread(self.deployments.revoke_key, name, key_id)


class DeploymentLogHandler(DeployBase):
    @endpoint(
        "A chunk of the service's log (or the whole log as a file with download=true)",
        query=LogQuery,
        response=LogChunk,
        description="With wait > 0 the answer waits until the log grows or the time is up.",
    )
    async def get(self, name: str, query: LogQuery) -> LogChunk | None:
        path = await asyncio.to_thread(self.deployments.log_path, name)
        if query.download:
            await self.send_file(path, f"deployment-{name}.log", "text/plain; charset=UTF-8")
            return None
        deadline = time.monotonic() + query.wait
        while True:
            chunk = await asyncio.to_thread(read_chunk, path, query.offset, query.max_bytes)
            if chunk.data or time.monotonic() >= deadline:
                return LogChunk(
                    data=chunk.data,
                    offset=chunk.offset,
                    next_offset=chunk.next_offset,
                    size=chunk.size,
                    complete=False,
                )
            await asyncio.sleep(0.2)


class DeploymentExportHandler(DeployBase):
    @endpoint(
        "The deployment as a zip to run anywhere ('本地一键部署'): deploy.sh, Dockerfile, code, checkpoint",
        raw="application/zip",
    )
    async def get(self, name: str) -> None:
        bundle = await asyncio.to_thread(self.deployments.export, name)
        try:
            await self.send_file(bundle, f"{name}.zip", "application/zip")
        finally:
            bundle.unlink(missing_ok=True)


DEPLOY_ROUTES: list[tuple[str, type[ApiHandler]]] = [
    ("deployments", DeploymentsHandler),
    ("deployments/preview", DeploymentPreviewHandler),
    (rf"deployments/{_NAME}", DeploymentHandler),
    (rf"deployments/{_NAME}/history", DeploymentHistoryHandler),
    (rf"deployments/{_NAME}/stop", DeploymentStopHandler),
    (rf"deployments/{_NAME}/start", DeploymentStartHandler),
    (rf"deployments/{_NAME}/rollback", DeploymentRollbackHandler),
    (rf"deployments/{_NAME}/keys", DeploymentKeysHandler),
    (rf"deployments/{_NAME}/keys/(?P<key_id>[^/]+)", DeploymentKeyHandler),
    (rf"deployments/{_NAME}/log", DeploymentLogHandler),
    (rf"deployments/{_NAME}/export", DeploymentExportHandler),
]
