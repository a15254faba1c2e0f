"""Deploy from a notebook: ``from jlab_platform.kernel import deploy``.

>>> d = deploy.deploy("results/image-classifier/run-1", name="shapes")   # or a .py file, a ModelArts
>>> d.wait_ready()                                                        # folder, "model:cats@production"
>>> d.predict(image="datasets/shapes/circle/1.png")                      # {"label": ..., "top": [...]}
>>> d.url, d.key                                                          # for callers outside JupyterLab
>>> deploy.rollback("shapes", to=earlier_id); deploy.stop("shapes")

Every call goes through the platform server's REST API (``/deployments``), so the Platform
panel shows the same deployments. ``predict`` calls the service itself with the key.
"""

import base64
import io
import json
import os
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..deploy.sources import suggested_name
from .client import ServerConnection, find_server

READY_TIMEOUT = 300.0


class DeploymentError(RuntimeError):
    """The deployment cannot do what was asked; the message says what to change."""


@dataclass
class Deployment:
    """A deployed service. ``key`` is known only to the call that created it (or a new key)."""

    name: str
    url: str
    key: str | None
    info: dict[str, Any] = field(repr=False)
    _server: ServerConnection = field(repr=False)

    @property
    def status(self) -> str:
        return str(self.refresh()["status"])

    def refresh(self) -> dict[str, Any]:
        self.info = self._server.request("GET", f"deployments/{self.name}")
        return self.info

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> "Deployment":
        """Wait until the service has loaded its model; raise with the reason when it failed."""
        deadline = time.monotonic() + timeout
        while (status := self.status) == "starting":
            if time.monotonic() > deadline:
                raise DeploymentError(
                    f"{self.name!r} is not ready after {timeout:g} s: see deploy.log({self.name!r})"
                )
            time.sleep(0.2)
        if status != "ready":
            raise DeploymentError(f"{self.name!r} is {status}: {self.info.get('reason') or 'see its log'}")
        return self

    def predict(self, **inputs: Any) -> Any:
        """Call ``POST /predict`` with ``inputs``; an image input may be a file path, bytes or a PIL image."""
        if self.key is None:
            raise DeploymentError(f"No API key for {self.name!r} in this kernel: d.new_key() makes one")
        body = {
            name: _encoded(value) if _is_image(name, value, self.info) else value
            for name, value in inputs.items()
        }
        request = urllib.request.Request(
            self.url + "predict",
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Authorization": f"Bearer {self.key}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as answer:
                return json.loads(answer.read())["outputs"]
        except urllib.error.HTTPError as exc:
            raise DeploymentError(
                f"{self.name!r} answered {exc.code}: {exc.read().decode(errors='replace')}"
            ) from None

    def new_key(self) -> str:
        """A new API key for the service (the old ones stay valid); kept on this object."""
        self.key = str(self._server.request("POST", f"deployments/{self.name}/keys", {})["key"])
        return self.key


def deploy(
    source: str,
    name: str | None = None,
    *,
    description: str = "",
    replace: bool = False,
    wait: bool = False,
    **options: Any,
) -> Deployment:
    """Deploy ``source`` (a run folder, a .py file, a ModelArts folder or ``model:<ref>``) as ``name``.

    ``options``: ``checkpoint``, ``workers``, ``batch={"max_size": 8, "window_ms": 5}``, ``inputs``,
    ``outputs`` as POST /deployments takes them. ``replace=True`` serves a new version under an
    existing name; ``wait=True`` returns once it is ready.
    """
    server = find_server()
    if not source.startswith("model:"):
        source = server.root_relative(source)
    chosen = name or suggested_name(source)
    body = {"source": source, "name": chosen, "description": description, "replace": replace, **options}
    created = server.request("POST", "deployments", body, timeout=READY_TIMEOUT + 30)
    deployment = Deployment(created["name"], created["url"], created.get("key"), created, server)
    return deployment.wait_ready() if wait else deployment


def get(name: str) -> Deployment:
    """A deployment by name (without its key: ``d.new_key()`` makes one for this kernel)."""
    server = find_server()
    info = server.request("GET", f"deployments/{name}")
    return Deployment(info["name"], info["url"], None, info, server)


def list_deployments() -> list[dict[str, Any]]:
    return list(find_server().request("GET", "deployments")["deployments"])


def history(name: str) -> list[dict[str, Any]]:
    return list(find_server().request("GET", f"deployments/{name}/history")["deployments"])


def rollback(name: str, to: str) -> dict[str, Any]:
    """Serve an earlier deployment of ``name`` again (an id from ``history(name)``)."""
    result: dict[str, Any] = find_server().request(
        "POST", f"deployments/{name}/rollback", {"to": to}, READY_TIMEOUT
    )
    return result


def stop(name: str) -> dict[str, Any]:
    result: dict[str, Any] = find_server().request("POST", f"deployments/{name}/stop", {}, 60)
    return result


def start(name: str) -> dict[str, Any]:
    result: dict[str, Any] = find_server().request("POST", f"deployments/{name}/start", {})
    return result


def delete(name: str) -> None:
    find_server().request("DELETE", f"deployments/{name}", timeout=60)


def log(name: str, tail_bytes: int = 65536) -> str:
    return str(find_server().request("GET", f"deployments/{name}/log?offset=-{int(tail_bytes)}")["data"])


def _is_image(name: str, value: Any, info: dict[str, Any]) -> bool:
    types = {field["name"]: field["type"] for field in info.get("inputs", [])}
    return types.get(name) == "image" or (name == "image" and name not in types)


def _encoded(value: Any) -> str:
    """An image as base64: from a file path, bytes, or a PIL image (saved as PNG)."""
    if isinstance(value, bytes | bytearray):
        data = bytes(value)
    elif isinstance(value, str | os.PathLike):
        data = Path(value).read_bytes()
    elif hasattr(value, "save"):
        buffer = io.BytesIO()
        value.save(buffer, format="PNG")
        data = buffer.getvalue()
    else:
        raise DeploymentError(f"An image is a file path, bytes or a PIL image, not {type(value).__name__}")
    return base64.b64encode(data).decode("ascii")
