"""How a job's command line and environment are built from its row and snapshot."""

import os
import sys
from pathlib import Path

from ..store.models import JobRow
from .records import LOG_FILE, LaunchSpec

RESULTS_LINK = "results"


def build_launch(
    job: JobRow,
    run_dir: Path,
    job_dir: Path,
    results_dir: Path,
    db_url: str,
    grace_seconds: float,
    gpu: str | None,
) -> tuple[LaunchSpec, list[Path]]:
    """The supervisor's spec for ``job`` and the output files it will produce."""
    script = run_dir / job.script
    cwd = script.parent
    _link_results(run_dir, results_dir)
    _link_results(cwd, results_dir)
    outputs: list[Path] = []
    if script.suffix == ".ipynb":
        executed = results_dir / "jobs" / job.id / script.name
        outputs.append(executed)
        command = [sys.executable, "-m", "jlab_platform.jobs.notebook_runner", str(script), str(executed)]
    else:
        command = [sys.executable, "-u", str(script), *job.args]
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "JLAB_RESULTS_DIR": str(results_dir),
        "JLAB_JOB_ID": job.id,
        "JLAB_JOB_NAME": job.name,
        # CPU jobs see no GPU, so they never take memory on one another job was given.
        "CUDA_VISIBLE_DEVICES": gpu if gpu is not None else "",
    }
    spec = LaunchSpec(
        job_id=job.id,
        command=command,
        cwd=str(cwd),
        env=env,
        log=str(job_dir / LOG_FILE),
        grace_seconds=grace_seconds,
        db_url=db_url,
    )
    return spec, outputs


def _link_results(folder: Path, results_dir: Path) -> None:
    """``results/`` in the run folder is the shared one, so what a job saves shows in the file browser."""
    link = folder / RESULTS_LINK
    if not link.exists() and not link.is_symlink():
        link.symlink_to(results_dir, target_is_directory=True)
