"""A job's JSON-line metrics, also as a TensorBoard run: ``<runs dir>/<job name>-<job id>/``.

The job supervisor feeds the job's log through the same parser the Jobs view uses
(jobs/metrics.py) as the log grows, so any job that prints metric lines gets a run without
a code change. The job's arguments are the run's hparams; the end status closes it. A job
that trains more than once (a run line, or a step going back) writes each later training
to a run inside the job's: ``<job name>-<job id>/<run label>``.
"""

import sys
import time
from pathlib import Path

from ..jobs.metrics import MetricsState, update
from .events import HParamValue, RunWriter
from .runs import job_run_folder, run_folder_name

_POLL_SECONDS = 1.0


class JobEvents:
    def __init__(self, runs_dir: Path, job_name: str, job_id: str, hparams: dict[str, HParamValue]) -> None:
        self._folder = job_run_folder(runs_dir, job_name, job_id)
        self._job_id = job_id
        self._hparams = {"job": job_name, "job_id": job_id, **hparams}
        self._state = MetricsState(listener=self._point)
        self._writers: dict[int, RunWriter] = {}
        self._next_poll = 0.0
        self._broken = False

    def poll(self, log_path: Path, force: bool = False) -> None:
        """Write what the log gained since the last call (at most once a second unless ``force``)."""
        now = time.monotonic()
        if self._broken or (not force and now < self._next_poll):
            return
        self._next_poll = now + _POLL_SECONDS
        try:
            update(self._state, log_path)
            for writer in self._writers.values():
                writer.flush()
        except Exception as exc:  # the job runs on whatever happens to its TensorBoard run
            self._broken = True
            print(
                f"jlab_platform: TensorBoard events of job {self._job_id} stopped: {exc!r}", file=sys.stderr
            )

    def close(self, log_path: Path, status: str) -> None:
        self.poll(log_path, force=True)
        if self._broken:
            return
        for writer in self._writers.values():
            writer.close(status)
        self._writers.clear()

    def _point(self, name: str, step: float, value: float, run: int) -> None:
        writer = self._writers.get(run)
        if writer is None:
            folder = self._folder
            if run > 0:
                folder = folder / run_folder_name(self._state.runs[run] or f"run-{run + 1}")
            writer = RunWriter(folder, self._hparams, trial=f"{self._job_id}-{run}")
            self._writers[run] = writer
        writer.scalar(name, value, step)
