"""Submit and follow jobs from a notebook: ``jobs.submit("train.py", env="gpu", args="--lr 0.1")``."""

import time
import urllib.parse
from typing import Any

from ..jobs.states import ENDED
from .client import find_server


def submit(
    script: str, env: str = "cpu", name: str | None = None, args: list[str] | str | None = None
) -> dict[str, Any]:
    """Submit ``script`` (a path as seen from this kernel, or relative to the server's root)."""
    server = find_server()
    body: dict[str, Any] = {"script": server.root_relative(script), "env": env}
    if name is not None:
        body["name"] = name
    if args is not None:
        body["args"] = args
    job: dict[str, Any] = server.request("POST", "jobs", body)
    return job


def get(job_id: str) -> dict[str, Any]:
    job: dict[str, Any] = find_server().request("GET", f"jobs/{_quote(job_id)}")
    return job


def list_jobs(status: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
    query = urllib.parse.urlencode({k: v for k, v in (("status", status), ("limit", limit)) if v is not None})
    jobs: list[dict[str, Any]] = find_server().request("GET", f"jobs?{query}")["jobs"]
    return jobs


def log(job_id: str, offset: int = 0) -> str:
    chunk = find_server().request("GET", f"jobs/{_quote(job_id)}/log?offset={int(offset)}")
    return str(chunk["data"])


def terminate(job_id: str) -> dict[str, Any]:
    job: dict[str, Any] = find_server().request("POST", f"jobs/{_quote(job_id)}/terminate", {}, timeout=120)
    return job


def wait(job_id: str, timeout: float | None = None, poll_seconds: float = 1.0) -> dict[str, Any]:
    """Block until the job ends (or ``timeout`` seconds pass); return it."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        job = get(job_id)
        if job["status"] in ENDED or (deadline is not None and time.monotonic() >= deadline):
            return job
        time.sleep(poll_seconds)


def _quote(job_id: str) -> str:
    return urllib.parse.quote(job_id, safe="")
