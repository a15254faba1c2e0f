"""How a job's command line and environment are built from its row and snapshot."""

import shlex
import sys
from pathlib import Path

from ..store.models import JobRow
from .records import LOG_FILE, LaunchSpec

RESULTS_LINK = "results"


def build_launch(
    job: JobRow,
    workspace: Path,
    run_dir: Path,
    job_dir: Path,
    results_dir: Path,
    db_url: str,
    grace_seconds: float,
    gpu: str | None,
    cpus: float = 1.0,
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
        argv = ["-m", "jlab_platform.jobs.notebook_runner", script.name, str(executed)]
    else:
        argv = ["-u", script.name, *job.args]
    job_env = {
        "PYTHONUNBUFFERED": "1",
        "JLAB_RESULTS_DIR": str(results_dir),
        "JLAB_JOB_ID": job.id,
        "JLAB_JOB_NAME": job.name,
        # The job runs in a snapshot of the workspace, which is swept after the job: what it
        # records for later (a training's data folder) names the workspace's own files instead.
        "JLAB_WORKSPACE_DIR": str(workspace),
        "JLAB_SNAPSHOT_DIR": str(run_dir),
    }
    # Only the job's own variables: the spec is kept on disk after the job, and the
    # server's environment (tokens, cloud keys) is added when the job is started.
    env = {
        **job_env,
        # CPU jobs see no GPU, so they never take memory on one another job was given.
        "CUDA_VISIBLE_DEVICES": gpu if gpu is not None else "",
    }
    spec = LaunchSpec(
        job_id=job.id,
        command=[sys.executable, *argv],
        cwd=str(cwd),
        env=env,
        log=str(job_dir / LOG_FILE),
        grace_seconds=grace_seconds,
        db_url=db_url,
        run_dir=str(run_dir),
        portable_command=_in_folder(cwd.relative_to(run_dir).as_posix(), ["python", *argv]),
        env_vars=job_env,
        cpus=cpus,
        gpus=1.0 if job.env == "gpu" else 0.0,
        name=job.name,
        args=list(job.args),
    )
    return spec, outputs


def _in_folder(folder: str, command: list[str]) -> list[str]:
    """A shell command line that runs ``command`` from ``folder`` (relative to the snapshot)."""
    if folder in ("", "."):
        return command
    return ["sh", "-c", f"cd {shlex.quote(folder)} && exec {shlex.join(command)}"]


def _link_results(folder: Path, results_dir: Path) -> None:
    """``results/`` in the run folder is the shared one, so what a job saves shows in the file browser."""
    link = folder / RESULTS_LINK
    if not link.exists() and not link.is_symlink():
        link.symlink_to(results_dir, target_is_directory=True)
