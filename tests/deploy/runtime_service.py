"""Service processes for tests: write a service.json, start the runtime, wait until it is ready."""

import base64
import hashlib
import io
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

READY_SECONDS = 120  # a loaded CI machine imports torch slowly


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def add_key(keys_file: Path) -> str:
    """A new random API key; its sha256 is appended to the keys file (as the manager does)."""
    key = secrets.token_urlsafe(24)
    listed = json.loads(keys_file.read_text()) if keys_file.exists() else []
    listed.append(hashlib.sha256(key.encode()).hexdigest())
    keys_file.write_text(json.dumps(listed))
    return key


def write_config(folder: Path, **fields: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    fields.setdefault("keys_file", str(folder / "keys.json"))
    path = folder / "service.json"
    path.write_text(json.dumps({key: str(v) if isinstance(v, Path) else v for key, v in fields.items()}))
    return path


def b64_image(image: Image.Image, fmt: str = "PNG") -> str:
    out = io.BytesIO()
    image.save(out, format=fmt)
    return base64.b64encode(out.getvalue()).decode("ascii")


class Service:
    """One runtime process; ``key`` is a valid API key, ``client`` sends it."""

    def __init__(self, config: Path, port: int | None = None, env: dict[str, str] | None = None) -> None:
        self.config = config
        self.port = port or free_port()
        self.state_file = config.parent / f"state-{self.port}-{time.monotonic_ns()}.json"
        self.log = config.parent / f"service-{self.port}-{time.monotonic_ns()}.log"
        settings = json.loads(config.read_text())
        self.keys_file = Path(settings["keys_file"])
        self.key = add_key(self.keys_file)
        self.url = f"http://127.0.0.1:{self.port}"
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "jlab_platform.deploy.runtime", "--config", str(config),
                 "--host", "127.0.0.1", "--port", str(self.port), "--state-file", str(self.state_file)],
                stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
            )  # fmt: skip
        self.client = httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {self.key}"}, timeout=60
        )

    def state(self) -> dict[str, Any]:
        try:
            state: dict[str, Any] = json.loads(self.state_file.read_text())
            return state
        except (OSError, ValueError):
            return {}

    def wait_ready(self) -> "Service":
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the service exited with {self.process.returncode}:\n{self.output()}")
            if self.state().get("state") == "ready":
                return self
            time.sleep(0.1)
        raise AssertionError(f"not ready in {READY_SECONDS} s:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, timeout: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.client.close()
        return self.process.returncode


@contextmanager
def serving(config: Path, port: int | None = None, env: dict[str, str] | None = None) -> Iterator[Service]:
    service = Service(config, port, env)
    try:
        yield service.wait_ready()
    finally:
        service.stop()
