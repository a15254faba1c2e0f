"""A real local Ray head node for the tests: free ports, its own temp dir, stopped by the PIDs it started.

Never ``ray stop``: that ends every Ray process on the machine by name.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil

from tests.helpers.jupyter import free_port


@dataclass(frozen=True)
class RayHead:
    address: str  # the dashboard / Jobs API URL
    process: "subprocess.Popen[bytes]"


@contextmanager
def running_ray_head(num_cpus: int = 2) -> Iterator[RayHead]:
    # Short path: Ray's unix socket paths must stay under ~107 characters.
    temp_dir = Path(tempfile.mkdtemp(prefix="ray-", dir="/tmp"))
    # The dashboard agent's HTTP port is fixed (52365) unless given: a second head on the machine
    # (a benchmark, another checkout's tests) would have none, and no replica logs.
    gcs_port, dashboard_port, agent_port = free_port(), free_port(), free_port()
    # The cluster's Python is this environment's (a team installs its libraries on its nodes):
    # a job's `python` is the one Ray itself runs on.
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "PATH": path}
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("ray")),
            "start",
            "--head",
            "--block",
            "--node-ip-address=127.0.0.1",
            f"--port={gcs_port}",
            "--dashboard-host=127.0.0.1",
            f"--dashboard-port={dashboard_port}",
            f"--dashboard-agent-listen-port={agent_port}",
            f"--num-cpus={num_cpus}",
            "--num-gpus=0",
            "--object-store-memory=100000000",
            f"--temp-dir={temp_dir}",
            "--include-dashboard=true",
            "--disable-usage-stats",
        ],
        env=env,
        stdout=open(temp_dir / "head.log", "wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    head = RayHead(f"http://127.0.0.1:{dashboard_port}", process)
    started: list[psutil.Process] = []
    try:
        _wait_ready(head, temp_dir)
        yield head
    finally:
        # Collect every process the head started before stopping any: some
        # workers start sessions of their own and would outlive a group kill.
        try:
            started = [psutil.Process(process.pid), *psutil.Process(process.pid).children(recursive=True)]
        except psutil.NoSuchProcess:
            started = []
        for proc in started:
            _signal(proc, signal.SIGTERM)
        _, alive = psutil.wait_procs(started, timeout=10)
        for proc in alive:
            _signal(proc, signal.SIGKILL)
        psutil.wait_procs(alive, timeout=10)
        process.wait(timeout=10)
        shutil.rmtree(temp_dir, ignore_errors=True)


def _signal(proc: psutil.Process, sig: int) -> None:
    try:
        proc.send_signal(sig)
    except psutil.NoSuchProcess:
        pass


def _wait_ready(head: RayHead, temp_dir: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if head.process.poll() is not None:
            raise RuntimeError(f"ray start exited:\n{(temp_dir / 'head.log').read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{head.address}/api/version", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"the Ray head did not start:\n{(temp_dir / 'head.log').read_text(errors='replace')}")
