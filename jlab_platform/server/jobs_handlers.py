"""``/jobs``: submit, list, follow, stop and restart long-running jobs."""

import asyncio
import time

from ..i18n import translate
from ..jobs.models import (
    Cluster,
    FinishJob,
    Job,
    JobEnvironments,
    JobList,
    JobListQuery,
    JobMetrics,
    LogChunk,
    LogQuery,
    SubmitJob,
)
from ..jobs.service import JobService
from .base import ApiHandler, attachment
from .endpoint import endpoint

_DOWNLOAD_BLOCK = 1024 * 1024


class JobsBase(ApiHandler):
    @property
    def jobs(self) -> JobService:
        return self.platform.jobs


class JobsHandler(JobsBase):
    @endpoint("List jobs, newest first", query=JobListQuery, response=JobList)
    async def get(self, query: JobListQuery) -> JobList:
        page = await asyncio.to_thread(
            self.jobs.list_jobs,
            status=query.status,
            limit=query.limit,
            offset=query.offset,
            finished_after=query.finished_after,
        )
        usage = await asyncio.to_thread(self.jobs.snapshots.usage)
        return JobList(jobs=page.jobs, total=page.total, snapshots=usage)

    @endpoint("Submit a script or notebook as a job", body=SubmitJob, response=Job, status=201)
    async def post(self, body: SubmitJob) -> Job:
        return await asyncio.to_thread(
            self.jobs.submit,
            body.script,
            env=body.env,
            name=body.name,
            args=body.args,
            kernel_id=body.kernel_id,
        )


class JobEnvironmentsHandler(JobsBase):
    @endpoint(
        "Where jobs can run (console, cpu, gpu) and whether each is available", response=JobEnvironments
    )
    async def get(self) -> JobEnvironments:
        # Why an environment is unavailable is shown in the job dialog: in the UI's language.
        locale = self.error_locale()
        found = await asyncio.to_thread(self.jobs.environments)
        return JobEnvironments(
            environments=[
                env.model_copy(update={"reason": env.reason and translate(env.reason, locale)})
                for env in found.environments
            ]
        )


class JobClusterHandler(JobsBase):
    @endpoint("Where jobs run: this machine's job slots, or the cluster's nodes", response=Cluster)
    async def get(self) -> Cluster:
        return await asyncio.to_thread(self.jobs.cluster)


class JobHandler(JobsBase):
    @endpoint("One job", response=Job)
    async def get(self, job_id: str) -> Job:
        return await asyncio.to_thread(self.jobs.get, job_id)

    @endpoint("Delete an ended job, its log and its snapshot", status=204)
    async def delete(self, job_id: str) -> None:
        await asyncio.to_thread(self.jobs.delete, job_id)


class JobLogHandler(JobsBase):
    @endpoint(
        "A chunk of the job's log (or the whole log as a file with download=true)",
        query=LogQuery,
        response=LogChunk,
        description="With wait > 0 the answer waits until the log grows, the job ends or the time is up.",
    )
    async def get(self, job_id: str, query: LogQuery) -> LogChunk | None:
        if query.download:
            await self._download(job_id)
            return None
        deadline = time.monotonic() + query.wait
        while True:
            chunk = await asyncio.to_thread(self.jobs.log, job_id, query.offset, query.max_bytes)
            if chunk.data or chunk.complete or time.monotonic() >= deadline:
                return chunk
            # Follow mode: answer as soon as the log grows, or at the deadline.
            await asyncio.sleep(0.2)

    async def _download(self, job_id: str) -> None:
        path = await asyncio.to_thread(self.jobs.log_path, job_id)
        job = await asyncio.to_thread(self.jobs.get, job_id)
        self.set_header("Content-Type", "text/plain; charset=UTF-8")
        self.set_header("Content-Disposition", attachment(f"job-{job.name}-{job_id}.log"))
        if not path.exists():
            self.finish()
            return
        with open(path, "rb") as log:
            while block := log.read(_DOWNLOAD_BLOCK):
                self.write(block)
                await self.flush()
        self.finish()


class JobMetricsHandler(JobsBase):
    @endpoint("The metrics the job printed (JSON lines), as series per name", response=JobMetrics)
    async def get(self, job_id: str) -> JobMetrics:
        return await asyncio.to_thread(self.jobs.metrics, job_id)


class JobTerminateHandler(JobsBase):
    @endpoint("Terminate a job (SIGTERM, then SIGKILL after the grace time)", response=Job)
    async def post(self, job_id: str) -> Job:
        return await asyncio.to_thread(self.jobs.terminate, job_id)


class JobRestartHandler(JobsBase):
    @endpoint("Run an ended job again from its snapshot, as a new job", response=Job, status=201)
    async def post(self, job_id: str) -> Job:
        return await asyncio.to_thread(self.jobs.restart, job_id)


class JobFinishHandler(JobsBase):
    @endpoint("Record how a console job ended (its frontend reports it)", body=FinishJob, response=Job)
    async def post(self, job_id: str, body: FinishJob) -> Job:
        return await asyncio.to_thread(self.jobs.finish, job_id, body.status, body.reason)


JOB_ROUTES: list[tuple[str, type[ApiHandler]]] = [
    ("jobs", JobsHandler),
    ("jobs/environments", JobEnvironmentsHandler),
    ("jobs/cluster", JobClusterHandler),
    (r"jobs/(?P<job_id>[^/]+)", JobHandler),
    (r"jobs/(?P<job_id>[^/]+)/log", JobLogHandler),
    (r"jobs/(?P<job_id>[^/]+)/metrics", JobMetricsHandler),
    (r"jobs/(?P<job_id>[^/]+)/terminate", JobTerminateHandler),
    (r"jobs/(?P<job_id>[^/]+)/restart", JobRestartHandler),
    (r"jobs/(?P<job_id>[^/]+)/finish", JobFinishHandler),
]
