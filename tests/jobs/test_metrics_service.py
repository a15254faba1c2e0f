"""The job service parses metrics without holding up submissions or the scheduler."""

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jlab_platform.jobs import metrics as job_metrics
from jlab_platform.jobs.service import JobService

from .conftest import Workspace, make_service, wait_for


@pytest.fixture
def sqlite_service(ws: Workspace, tmp_path: Path) -> Iterator[JobService]:
    service = make_service(ws, f"sqlite:///{tmp_path / 'platform.db'}")
    yield service
    service.store.dispose()


def test_a_submission_goes_through_while_a_large_log_is_parsed(
    sqlite_service: JobService, ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = sqlite_service
    ws.write("quick.py", "print('ok')\n")
    job = wait_for(service, service.submit("quick.py").id, "success")
    noise = ("epoch progress " * 60 + "\n") * 1000
    with open(service.log_path(job.id), "a") as log:
        for step in range(55):  # about 50 MB
            log.write(noise + json.dumps({"metric": "loss", "value": 1 / (step + 1), "step": step}) + "\n")

    seen: dict[str, Any] = {}
    parse = job_metrics.update

    def parse_while_submitting(state: job_metrics.MetricsState, path: Path) -> job_metrics.MetricsState:
        # A submission from another thread while this one parses: it must not wait for the parse.
        started = time.monotonic()
        other = threading.Thread(target=lambda: seen.update(job=service.submit("quick.py")))
        other.start()
        other.join(timeout=20)
        seen["blocked"], seen["submit_seconds"] = other.is_alive(), time.monotonic() - started
        return parse(state, path)

    monkeypatch.setattr(job_metrics, "update", parse_while_submitting)
    started = time.monotonic()
    result = service.metrics(job.id)
    parse_seconds = time.monotonic() - started - seen["submit_seconds"]
    assert not seen["blocked"], "the submission waited for the metrics parse"
    assert seen["job"].status in ("pending", "running", "success")
    assert len(result.series["loss"]) == 55
    print(f"parsed 50 MB in {parse_seconds:.2f}s, a submission meanwhile took {seen['submit_seconds']:.2f}s")
    wait_for(service, seen["job"].id, "success")
