"""Files a job leaves in its folder, written atomically so a crash never leaves half a record,
and private to the server's user (0600)."""

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..files.atomic import write_atomic, write_json_atomic
from .states import EndedStatus

SPEC_FILE = "spec.json"
EXIT_FILE = "exit.json"
STARTED_FILE = "started.json"
LOG_FILE = "output.log"
# In the jobs folder once the specs written by earlier versions (with the server's whole
# environment in them) have been cut down to the jobs' own variables.
SCRUBBED_MARKER = ".specs-scrubbed"


@dataclass(frozen=True)
class LaunchSpec:
    """What the supervisor needs to run a job, without the database."""

    job_id: str
    command: list[str]
    cwd: str
    # The job's own variables only: the spec outlives the job on disk, so the server's
    # environment (tokens, keys) is never written here but added at start (launch_env).
    env: dict[str, str]
    log: str
    grace_seconds: float
    db_url: str
    # The same run described relative to the snapshot, for executors that ship
    # the snapshot elsewhere (a cluster): run ``portable_command`` in ``run_dir``.
    run_dir: str = ""
    portable_command: list[str] = field(default_factory=list)
    env_vars: dict[str, str] = field(default_factory=dict)
    cpus: float = 1.0
    gpus: float = 0.0
    # The job's name and arguments, as its TensorBoard run records them (hparams).
    name: str = ""
    args: list[str] = field(default_factory=list)

    def launch_env(self) -> dict[str, str]:
        """The environment to start the job in: the current process's, then the job's own."""
        return {**os.environ, **self.env}


@dataclass(frozen=True)
class ExitRecord:
    status: EndedStatus
    exit_code: int | None
    reason: str | None
    finished_at: str  # ISO 8601, UTC
    # When it started, for an executor that may see a job only once it ended (Ray, between polls).
    started_at: str | None = None


def write_spec(job_dir: Path, spec: LaunchSpec) -> None:
    write_json_atomic(job_dir / SPEC_FILE, asdict(spec), private=True)


def read_spec(job_dir: Path) -> LaunchSpec:
    return LaunchSpec(**json.loads((job_dir / SPEC_FILE).read_text(encoding="utf-8")))


def scrub_old_specs(jobs_dir: Path) -> None:
    """Once per data folder: keep only each job's own variables in specs written before
    they were (earlier versions stored the server's environment: tokens, cloud keys)."""
    marker = jobs_dir / SCRUBBED_MARKER
    if marker.exists():
        return
    for spec_path in jobs_dir.glob(f"*/{SPEC_FILE}"):
        try:
            spec = json.loads(spec_path.read_text(encoding="utf-8"))
            env, own = spec["env"], dict(spec.get("env_vars", {}))
            own["CUDA_VISIBLE_DEVICES"] = env.get("CUDA_VISIBLE_DEVICES", "")
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue  # not a spec any version wrote: leave it
        if env != own:
            write_json_atomic(spec_path, {**spec, "env": own}, private=True)
    write_atomic(marker, b"", private=True)


def write_started(job_dir: Path, pgid: int) -> None:
    """The supervisor is ready: its SIGTERM handler is in place and the job runs in group ``pgid``."""
    write_json_atomic(job_dir / STARTED_FILE, {"pgid": pgid}, private=True)


def read_started_pgid(job_dir: Path) -> int | None:
    try:
        return int(json.loads((job_dir / STARTED_FILE).read_text(encoding="utf-8"))["pgid"])
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return None


def write_exit(job_dir: Path, record: ExitRecord) -> None:
    write_json_atomic(job_dir / EXIT_FILE, asdict(record), private=True)


def read_exit(job_dir: Path) -> ExitRecord | None:
    try:
        return ExitRecord(**json.loads((job_dir / EXIT_FILE).read_text(encoding="utf-8")))
    except (FileNotFoundError, ValueError, TypeError):
        return None
