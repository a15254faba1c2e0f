"""Jobs on a Ray cluster through Ray's Jobs API (``pip install 'jlab_platform[ray]'``).

The job's snapshot becomes the ``working_dir`` of its runtime environment, the
script its entrypoint, and cpu/gpu become resource requests, so Ray queues and
places jobs across nodes. Ray's log is mirrored into the job's own log file, so
the log API, metrics and notifications work as for local jobs.
"""

import datetime as dt
import json
import os
import shlex
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from ..errors import Conflict, InvalidInput, Unavailable
from ..store.models import JobRow
from .executor import JobExecutor, JobUpdate, Started
from .models import Cluster, ClusterNode
from .records import LOG_FILE, ExitRecord, LaunchSpec
from .snapshot import folder_bytes
from .states import FAILED, PENDING, RUNNING, SUCCESS, TERMINATED, EndedStatus

DEFAULT_ADDRESS = "http://127.0.0.1:8265"
# Ray refuses working_dir packages over 500 MiB (its GCS package limit).
MAX_WORKING_DIR_BYTES = 500 * 1024 * 1024
# Shipped with every job (Ray caches the upload by content): the job imports the server's own
# version of this package (the kernel library's helpers, the labeling module runner) on any
# node, installed there or not. Only the cluster's Python and the job's own libraries are needed.
PACKAGE_DIR = str(Path(__file__).resolve().parent.parent)
# How long a submission waits for a starting node's job agent.
AGENT_WAIT_SECONDS = 60.0
# A cluster unreachable this long while a job runs makes the job "lost".
LOST_AFTER_SECONDS = 30.0
_FINAL: dict[str, EndedStatus] = {"SUCCEEDED": SUCCESS, "FAILED": FAILED, "STOPPED": TERMINATED}


class RayExecutor(JobExecutor):
    name = "ray"
    queues_itself = True

    def __init__(self, cluster_address: str = "") -> None:
        super().__init__(cluster_address or os.environ.get("RAY_ADDRESS", DEFAULT_ADDRESS))
        self._client: Any = None
        self._lock = threading.Lock()
        self._unreachable_since: dict[str, float] = {}
        self._mirrored_chars: dict[str, int] = {}

    def start(self, job_dir: Path, spec: LaunchSpec) -> Started:
        size = folder_bytes(Path(spec.run_dir))
        if size > MAX_WORKING_DIR_BYTES:
            raise InvalidInput(
                f"The job's snapshot is {size / 2**20:.0f} MiB, over Ray's "
                f"{MAX_WORKING_DIR_BYTES / 2**20:.0f} MiB limit for a working_dir",
                "List large data folders in .jobignore and read them from storage every node "
                "mounts (e.g. under JLAB_RESULTS_DIR).",
            )
        # results/ is shared storage, not part of the upload: link it where the job runs.
        entrypoint = (
            f'ln -sfn "$JLAB_RESULTS_DIR" results 2>/dev/null; exec {shlex.join(spec.portable_command)}'
        )
        deadline = time.monotonic() + AGENT_WAIT_SECONDS
        while True:
            try:
                with self._lock:
                    self._connect().submit_job(
                        entrypoint=entrypoint,
                        submission_id=spec.job_id,
                        runtime_env={
                            "working_dir": spec.run_dir,
                            "py_modules": [PACKAGE_DIR],
                            "env_vars": spec.env_vars,
                            "excludes": ["results"],
                        },
                        entrypoint_num_cpus=spec.cpus,
                        entrypoint_num_gpus=spec.gpus or None,
                        metadata={"jlab_platform_job": spec.job_id},
                    )
                break
            except (ConnectionError, OSError) as exc:
                self._client = None
                raise self._unreachable(exc) from exc
            except RuntimeError as exc:  # Ray answers HTTP errors with RuntimeError
                # A node that just started has no job agent yet: Ray says to try again.
                if "try again" not in str(exc) or time.monotonic() > deadline:
                    raise Conflict("Ray refused the job", str(exc)) from exc
                time.sleep(1.0)
        Path(spec.log).touch()
        return Started(supervisor_pid=None, supervisor_started=None)

    def poll(self, job: JobRow, job_dir: Path) -> JobUpdate:
        try:
            with self._lock:
                client = self._connect()
                info = client.get_job_info(job.id)
                self._mirror_log(client, job.id, job_dir)
        except (Unavailable, ConnectionError, OSError):
            self._client = None
            since = self._unreachable_since.setdefault(job.id, time.monotonic())
            if time.monotonic() - since < LOST_AFTER_SECONDS:
                return None
            return ExitRecord(
                FAILED, None, f"lost: the Ray cluster at {self.cluster_address} stopped answering", _now()
            )
        except RuntimeError as exc:
            return ExitRecord(FAILED, None, f"lost: Ray no longer knows this job ({exc})", _now())
        self._unreachable_since.pop(job.id, None)
        status = str(getattr(info.status, "value", info.status))
        if status in _FINAL:
            reason = None if status == "SUCCEEDED" else (info.message or None)
            if status == "STOPPED":
                reason = "terminated on request"
            code = (
                info.driver_exit_code
                if info.driver_exit_code is not None
                else (0 if status == "SUCCEEDED" else None)
            )
            # Ray's own times: a short job may have started and ended between two polls.
            started, ended = _from_ms(info.start_time), _from_ms(info.end_time)
            return ExitRecord(_FINAL[status], code, reason, ended or _now(), started)
        return RUNNING if status == "RUNNING" else PENDING

    def terminate(self, job: JobRow, job_dir: Path) -> None:
        with self._lock:
            try:
                self._connect().stop_job(job.id)
            except (ConnectionError, OSError) as exc:
                self._client = None
                raise self._unreachable(exc) from exc

    def cluster(self) -> Cluster:
        try:
            from ray.util.state import list_nodes
        except ImportError as exc:
            raise _not_installed() from exc
        try:
            nodes = list_nodes(address=self.cluster_address, raise_on_missing_output=False)
            with urllib.request.urlopen(f"{self.cluster_address}/api/cluster_status", timeout=10) as answer:
                status = json.loads(answer.read())
        except Exception as exc:  # the state API raises several kinds for an unreachable cluster
            raise self._unreachable(exc) from exc
        usage = status.get("data", {}).get("clusterStatus", {}).get("loadMetricsReport", {}).get("usage", {})
        alive = [node for node in nodes if node.state == "ALIVE"]
        return Cluster(
            executor=self.name,
            address=self.cluster_address,
            nodes=[
                ClusterNode(
                    name=node.node_name or node.node_ip,
                    head=bool(node.is_head_node),
                    cpus=(node.resources_total or {}).get("CPU", 0.0),
                    gpus=(node.resources_total or {}).get("GPU", 0.0),
                )
                for node in alive
            ],
            cpus=usage.get("CPU", [0.0, 0.0])[1],
            cpus_used=usage.get("CPU", [0.0, 0.0])[0],
            gpus=usage.get("GPU", [0.0, 0.0])[1],
            gpus_used=usage.get("GPU", [0.0, 0.0])[0],
        )

    # -- internals ---------------------------------------------------------

    def _connect(self) -> Any:
        if self._client is None:
            try:
                from ray.job_submission import JobSubmissionClient
            except ImportError as exc:
                raise _not_installed() from exc
            try:
                self._client = JobSubmissionClient(self.cluster_address)
            except Exception as exc:  # ConnectionError, or RuntimeError for a non-Ray answer
                raise self._unreachable(exc) from exc
        return self._client

    def _mirror_log(self, client: Any, job_id: str, job_dir: Path) -> None:
        """Append what Ray has logged since the last look to the job's own log file."""
        log_path = job_dir / LOG_FILE
        text: str = client.get_job_logs(job_id)
        done = self._mirrored_chars.get(job_id)
        if done is None:  # first look since the server started: count what is there
            done = len(log_path.read_text(encoding="utf-8", errors="replace")) if log_path.exists() else 0
        if len(text) > done:
            with open(log_path, "a", encoding="utf-8") as log:
                log.write(text[done:])
        self._mirrored_chars[job_id] = max(done, len(text))

    def _unreachable(self, exc: BaseException) -> Unavailable:
        return Unavailable(
            f"The Ray cluster at {self.cluster_address} cannot be reached",
            f"Start it (ray start --head) or fix c.JlabPlatform.job_cluster_address. ({exc})",
        )


def _not_installed() -> Unavailable:
    return Unavailable("Ray is not installed in the server's environment", "pip install 'jlab_platform[ray]'")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def _from_ms(stamp: int | None) -> str | None:
    """A Ray job time (milliseconds since the epoch, or none) as ISO 8601."""
    return dt.datetime.fromtimestamp(stamp / 1000, dt.UTC).isoformat() if stamp else None
