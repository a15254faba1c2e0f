"""How jobs look from outside: the API's model of a job, and parsing what a user typed."""

import datetime as dt
import re
import shlex
from pathlib import Path
from typing import cast

from ..errors import InvalidInput
from ..i18n import N_
from ..store.models import JobRow
from ..timeutil import to_iso
from .models import Environment, Job
from .states import JobStatus


def job_model(row: JobRow, now: dt.datetime, retention_days: float, tensorboard_run: str | None) -> Job:
    """A job as the API shows it (times in ISO 8601 UTC, runtime so far for running jobs)."""
    runtime = None
    if row.started_at is not None:
        runtime = ((row.finished_at or now) - row.started_at).total_seconds()
    snapshot_available = row.snapshot_id is not None and row.snapshot_deleted_at is None
    expires = None
    if snapshot_available and row.finished_at is not None:
        expires = row.finished_at + dt.timedelta(days=retention_days)
    return Job(
        id=row.id,
        name=row.name,
        env=cast(Environment, row.env),  # the store keeps plain strings; Job validates them
        script=row.script,
        args=list(row.args),
        status=cast(JobStatus, row.status),
        created_at=to_iso(row.created_at),
        started_at=to_iso(row.started_at),
        finished_at=to_iso(row.finished_at),
        runtime_seconds=runtime,
        exit_code=row.exit_code,
        reason=row.reason,
        gpu=row.gpu,
        restarted_from=row.restarted_from,
        commit=row.commit,
        kernel_id=row.kernel_id,
        snapshot_available=snapshot_available,
        snapshot_expires_at=to_iso(expires),
        outputs=list(row.outputs),
        tensorboard_run=tensorboard_run,
    )


# Shown as why gpu is unavailable (translated by the environments route, hence N_).
NO_CLUSTER_GPU = N_("The Ray cluster has no GPU node. Run on cpu, or add a node with GPUs to the cluster.")
NO_GPU = N_(
    "No GPU was detected on this server (nvidia-smi found none). Run on cpu, or set "
    "c.JlabPlatform.gpu_count if the machine has GPUs that were not detected."
)


def human_bytes(size: int) -> str:
    """``512 B``, ``1.2 GiB``, ``340 MiB``: sizes as the Jobs section shows them (formatBytes)."""
    if size < 1024:
        return f"{size} B"
    value = float(size)
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        value /= 1024
        if value < 1024 or unit == "TiB":
            break
    return f"{round(value)} {unit}" if value >= 10 else f"{round(value, 1):g} {unit}"


def clean_name(name: str | None, script: Path) -> str:
    if name is None or not name.strip():
        return script.stem
    cleaned = "".join(ch for ch in name.strip() if ch.isprintable())
    if not cleaned or len(cleaned) > 256:
        raise InvalidInput(
            "Job name must be 1 to 256 printable characters", f"Got {len(cleaned)} characters."
        )
    return cleaned


_COPY_SUFFIX = re.compile(r" \((\d+)\)$")


def restart_name(name: str, taken: list[str]) -> str:
    """``train (2)``, ``train (3)``, …: the number after the highest one ``taken`` by earlier copies."""
    base = _COPY_SUFFIX.sub("", name)
    numbers = [1]
    for other in taken:
        match = _COPY_SUFFIX.search(other)
        if other == base or (match and other[: match.start()] == base):
            numbers.append(int(match.group(1)) if match else 1)
    return f"{base} ({max(numbers) + 1})"


def parse_args(args: list[str] | str | None) -> list[str]:
    if args is None:
        return []
    if isinstance(args, str):
        try:
            return shlex.split(args)
        except ValueError as exc:
            raise InvalidInput(
                f"Cannot split arguments: {exc}", "Check the quotes in the arguments."
            ) from exc
    if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
        raise InvalidInput(
            "args must be a list of strings or one string", 'e.g. ["--lr", "0.1"] or "--lr 0.1".'
        )
    return list(args)
