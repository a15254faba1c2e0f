"""``/evaluations``: evaluate a training run as a job, read its report, page and fetch its samples."""

import asyncio

from ..evaluation.models import (
    DownloadQuery,
    EvaluationList,
    EvaluationListQuery,
    EvaluationStarted,
    EvaluationSummary,
    ImageQuery,
    RunListQuery,
    SamplePage,
    SampleQuery,
    StartEvaluation,
    TrainingRunList,
)
from ..evaluation.service import Download, EvaluationService
from .base import ApiHandler, attachment
from .endpoint import endpoint

_BLOCK = 1024 * 1024


class EvaluationBase(ApiHandler):
    @property
    def evaluations(self) -> EvaluationService:
        return self.platform.evaluations

    async def send_download(self, download: Download, inline: bool) -> None:
        self.set_header("Content-Type", download.content_type)
        if inline:
            # Thumbnails and images never change for a sample id: the browser may keep them.
            self.set_header("Cache-Control", "private, max-age=86400")
        else:
            self.set_header("Content-Disposition", attachment(download.filename))
        source = download.open()
        try:
            while block := await asyncio.to_thread(source.read, _BLOCK):
                self.write(block)
                await self.flush()
        finally:
            source.close()
        self.finish()


class EvaluationsHandler(EvaluationBase):
    @endpoint("List evaluations, newest first", query=EvaluationListQuery, response=EvaluationList)
    async def get(self, query: EvaluationListQuery) -> EvaluationList:
        return await asyncio.to_thread(self.evaluations.evaluations, query.run)

    @endpoint(
        "Evaluate a training run as a job",
        body=StartEvaluation,
        response=EvaluationStarted,
        status=202,
        description="The job writes the report to <run>/evaluation/<id>/; GET /evaluations/{id} follows it.",
    )
    async def post(self, body: StartEvaluation) -> EvaluationStarted:
        return await asyncio.to_thread(self.evaluations.start, body)


class TrainingRunsHandler(EvaluationBase):
    @endpoint(
        "Training runs with their evaluations, of a module or of a job",
        query=RunListQuery,
        response=TrainingRunList,
    )
    async def get(self, query: RunListQuery) -> TrainingRunList:
        return await asyncio.to_thread(self.evaluations.runs, query.module, query.job)


class EvaluationHandler(EvaluationBase):
    @endpoint("An evaluation's status and, once complete, its report", response=EvaluationSummary)
    async def get(self, evaluation_id: str) -> EvaluationSummary:
        return await asyncio.to_thread(self.evaluations.get, evaluation_id)


class SamplesHandler(EvaluationBase):
    @endpoint(
        "A page of an evaluation's samples, by true class, predicted class and kind",
        query=SampleQuery,
        response=SamplePage,
    )
    async def get(self, evaluation_id: str, query: SampleQuery) -> SamplePage:
        return await asyncio.to_thread(self.evaluations.samples, evaluation_id, query)


class SampleImageHandler(EvaluationBase):
    @endpoint("A sample's image, or its thumbnail (JPEG, made once)", query=ImageQuery, raw="image/*")
    async def get(self, evaluation_id: str, sample: str, query: ImageQuery) -> None:
        download = await asyncio.to_thread(self.evaluations.image, evaluation_id, sample, query.thumb)
        await self.send_download(download, inline=True)


class DownloadHandler(EvaluationBase):
    @endpoint(
        "Download samples: one image as it is, several as a zip", query=DownloadQuery, raw="application/zip"
    )
    async def get(self, evaluation_id: str, query: DownloadQuery) -> None:
        download = await asyncio.to_thread(self.evaluations.download, evaluation_id, query.samples)
        await self.send_download(download, inline=False)


EVALUATION_ROUTES = [
    ("evaluations", EvaluationsHandler),
    ("evaluations/runs", TrainingRunsHandler),  # before the id route: "runs" is no evaluation id
    (r"evaluations/(?P<evaluation_id>[^/]+)", EvaluationHandler),
    (r"evaluations/(?P<evaluation_id>[^/]+)/samples", SamplesHandler),
    (r"evaluations/(?P<evaluation_id>[^/]+)/samples/(?P<sample>[^/]+)/image", SampleImageHandler),
    (r"evaluations/(?P<evaluation_id>[^/]+)/download", DownloadHandler),
]
