"""Where runs go: folder names only, so the jobs API can name a job's run without TensorBoard's protos."""

import functools
import re
from pathlib import Path

_UNSAFE_NAME = re.compile(r"[^\w.-]+")


def run_folder_name(*parts: str) -> str:
    """``<job name>-<job id>`` as a folder name: no separators, spaces or dot-only names."""
    name = "-".join(_UNSAFE_NAME.sub("_", part).strip("._") or "_" for part in parts)
    return name[:200]


def job_run_folder(runs_dir: Path, job_name: str, job_id: str) -> Path:
    """The folder of a job's run (a job without a name is named by its id)."""
    return runs_dir / job_run_name(job_name, job_id)


@functools.lru_cache(maxsize=4096)  # every job list names each job's run again
def job_run_name(job_name: str, job_id: str) -> str:
    """The name of a job's run folder."""
    return run_folder_name(job_name or job_id, job_id)
