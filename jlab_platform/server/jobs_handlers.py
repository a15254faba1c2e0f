"""``/jobs``: submit, list, follow, stop and restart long-running jobs."""

import asyncio
import time
from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..errors import InvalidInput
from ..jobs.service import JobService
from .base import ApiHandler, attachment

_LOG_CHUNK = 1024 * 1024
_DOWNLOAD_BLOCK = 1024 * 1024


class JobsBase(ApiHandler):
    @property
    def jobs(self) -> JobService:
        return self.platform.jobs


class JobsHandler(JobsBase):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        jobs, total = await asyncio.to_thread(
            self.jobs.list_jobs,
            status=self.get_query_argument("status", None) or None,
            limit=self.query_int("limit", 100),
            offset=self.query_int("offset", 0),
            finished_after=self.get_query_argument("finished_after", None) or None,
        )
        usage = await asyncio.to_thread(self.jobs.snapshots.usage)
        self.send_json({"jobs": jobs, "total": total, "snapshots": usage})

    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.json_body()
        script = body.get("script")
        if not isinstance(script, str) or not script:
            raise InvalidInput(
                "Missing 'script'", "Give the path of a .py or .ipynb file relative to the root."
            )
        env = body.get("env", "cpu")
        name = body.get("name")
        kernel_id = body.get("kernel_id")
        for key, value in (("env", env), ("name", name), ("kernel_id", kernel_id)):
            if value is not None and not isinstance(value, str):
                raise InvalidInput(f"'{key}' must be a string", f"Got {type(value).__name__}.")
        job = await asyncio.to_thread(
            self.jobs.submit, script, env=env, name=name, args=body.get("args"), kernel_id=kernel_id
        )
        self.send_json(job, 201)


class JobEnvironmentsHandler(JobsBase):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.send_json({"environments": await asyncio.to_thread(self.jobs.environments)})


class JobClusterHandler(JobsBase):
    """Where jobs run: this machine's job slots, or the cluster's nodes and CPUs/GPUs in use."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.send_json(await asyncio.to_thread(self.jobs.cluster))


class JobHandler(JobsBase):
    @web.authenticated
    @authorized
    async def get(self, job_id: str) -> None:
        self.send_json(await asyncio.to_thread(self.jobs.get, job_id))

    @web.authenticated
    @authorized
    async def delete(self, job_id: str) -> None:
        await asyncio.to_thread(self.jobs.delete, job_id)
        self.set_status(204)
        self.finish()


class JobLogHandler(JobsBase):
    @web.authenticated
    @authorized
    async def get(self, job_id: str) -> None:
        if self.get_query_argument("download", "") in ("1", "true"):
            await self._download(job_id)
            return
        offset = self.query_int("offset", 0)
        max_bytes = self.query_int("max_bytes", _LOG_CHUNK, 1, 16 * 1024 * 1024)
        wait = self.query_float("wait", 0, 0, 30)
        deadline = time.monotonic() + wait
        while True:
            chunk = await asyncio.to_thread(self.jobs.log, job_id, offset, max_bytes)
            if chunk["data"] or chunk["complete"] or time.monotonic() >= deadline:
                break
            # Follow mode: answer as soon as the log grows, or at the deadline.
            await asyncio.sleep(0.2)
        self.send_json(chunk)

    async def _download(self, job_id: str) -> None:
        path = await asyncio.to_thread(self.jobs.log_path, job_id)
        job = await asyncio.to_thread(self.jobs.get, job_id)
        self.set_header("Content-Type", "text/plain; charset=UTF-8")
        self.set_header("Content-Disposition", attachment(f"job-{job['name']}-{job_id}.log"))
        if not path.exists():
            self.finish()
            return
        with open(path, "rb") as log:
            while block := log.read(_DOWNLOAD_BLOCK):
                self.write(block)
                await self.flush()
        self.finish()


class JobMetricsHandler(JobsBase):
    @web.authenticated
    @authorized
    async def get(self, job_id: str) -> None:
        self.send_json(await asyncio.to_thread(self.jobs.metrics, job_id))


class JobTerminateHandler(JobsBase):
    @web.authenticated
    @authorized
    async def post(self, job_id: str) -> None:
        self.send_json(await asyncio.to_thread(self.jobs.terminate, job_id))


class JobRestartHandler(JobsBase):
    @web.authenticated
    @authorized
    async def post(self, job_id: str) -> None:
        self.send_json(await asyncio.to_thread(self.jobs.restart, job_id), 201)


class JobFinishHandler(JobsBase):
    @web.authenticated
    @authorized
    async def post(self, job_id: str) -> None:
        body: dict[str, Any] = self.json_body()
        status, reason = body.get("status"), body.get("reason")
        if not isinstance(status, str) or (reason is not None and not isinstance(reason, str)):
            raise InvalidInput(
                "'status' must be a string, 'reason' a string or null", 'e.g. {"status": "success"}'
            )
        self.send_json(await asyncio.to_thread(self.jobs.finish, job_id, status, reason))


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
