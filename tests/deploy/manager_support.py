"""A platform with deployments in a temporary workspace, for the manager's tests (real processes)."""

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from jlab_platform.deploy.models import Deployment
from jlab_platform.deploy.service import DeploymentService
from jlab_platform.jobs.executor import LocalExecutor
from jlab_platform.platform import Platform
from jlab_platform.settings import PlatformSettings
from tests.helpers.jupyter import free_port

READY_SECONDS = 120  # a loaded CI machine imports slowly

ECHO = """
import os

VERSION = {version!r}


def predict(text, times=2):
    return {{"echo": text * times, "version": VERSION, "pid": os.getpid()}}
"""
ECHO_CONFIG = "inputs:\n  text: {type: str}\n  times: {type: int, value: 2}\noutputs:\n  echo: {type: str}\n"


def write_echo(root: Path, version: str = "v1", name: str = "echo.py") -> str:
    (root / name).write_text(ECHO.format(version=version))
    (root / name.replace(".py", ".deploy.yml")).write_text(ECHO_CONFIG)
    return name


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t", *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def port_range(size: int = 20) -> dict[str, Any]:
    start = free_port()
    return {"deploy_port_min": start, "deploy_port_max": start + size}


@contextmanager
def platform(root: Path, **options: Any) -> Iterator[Platform]:
    """A platform on ``root``; every deployment it made is deleted (its processes stopped) at the end."""
    root.mkdir(parents=True, exist_ok=True)
    settings = PlatformSettings(
        root_dir=root.resolve(), **{**port_range(), "deploy_grace_seconds": 10.0, **options}
    )
    made = Platform(settings, LocalExecutor())
    try:
        yield made
    finally:
        for deployment in made.deployments.list_deployments().deployments:
            made.deployments.delete(deployment.name)
        made.close()


def wait_status(
    service: DeploymentService, name: str, *statuses: str, timeout: float = READY_SECONDS
) -> Deployment:
    deadline = time.monotonic() + timeout
    while True:
        found = service.get(name)
        if found.status in statuses:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"{name} is {found.status} ({found.reason}), not {statuses}")
        time.sleep(0.1)


def log_text(service: DeploymentService, name: str) -> str:
    path = service.log_path(name)
    return path.read_text(errors="replace") if path.exists() else ""
