"""A real Jupyter server: services behind its login (no key), and found again after kill -9."""

import json
import signal
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import httpx

from tests.helpers.jupyter import ServerProcess, free_port, running_server, stop_server

from .manager_support import READY_SECONDS, platform, write_echo

SIZE = """
def predict(image):
    picture = getattr(image, "image", image)
    return {"size": list(picture.size)}
"""
KERNEL_CODE = """
from PIL import Image
from jlab_platform.kernel import deploy
Image.new("RGB", (3, 2)).save("tiny.png")
d = deploy.deploy("size.py", name="size", wait=True)
print(d.status, "size", d.predict(image="tiny.png")["size"])
deploy.delete("size")
"""


def _wait_ready(server: ServerProcess, name: str) -> dict[str, Any]:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        found: dict[str, Any] = server.request("GET", f"jlab-platform/api/deployments/{name}")
        if found["status"] != "starting":
            assert found["status"] == "ready", found
            return found
        time.sleep(0.2)
    raise AssertionError(f"{name} is not ready after {READY_SECONDS} s")


def _proxied(
    server: ServerProcess, path: str, body: Any, token: str | None, **headers: str
) -> tuple[int, Any]:
    request = urllib.request.Request(
        server.url + path, data=json.dumps(body).encode(), method="POST", headers=headers
    )
    if token:
        request.add_header("Authorization", f"token {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_the_proxy_needs_jupyters_login_and_services_outlive_a_killed_server(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    write_echo(root)
    (root / "size.py").write_text(SIZE)
    start = free_port()
    ports = (f"--JlabPlatform.deploy_port_min={start}", f"--JlabPlatform.deploy_port_max={start + 20}")
    proxy = "jlab-platform/deployments/echo/predict"
    with running_server(root, *ports) as server:
        created = server.request(
            "POST", "jlab-platform/api/deployments", {"source": "echo.py", "name": "echo"}
        )
        try:
            ready = _wait_ready(server, "echo")
            key = {"Authorization": f"Bearer {created['key']}"}
            assert httpx.post(ready["url"] + "predict", json={"text": "a"}, headers=key).status_code == 200

            # Through Jupyter: its login instead of the key; without it, nothing reaches the service.
            status, answer = _proxied(server, proxy, {"text": "ab"}, server.token)
            assert (status, answer["outputs"]["echo"]) == (200, "abab")
            assert _proxied(server, proxy, {"text": "ab"}, None)[0] == 403
            assert (
                _proxied(server, proxy, {"text": "ab"}, None, **{"X-Jlab-Platform-Proxy": "guess"})[0] == 403
            )
            assert _proxied(server, "jlab-platform/deployments/nobody/predict", {}, server.token)[0] == 404

            # The kernel library: deploy, wait, predict with an image file.
            printed = server.run_in_new_kernel(KERNEL_CODE)
            assert "size [3, 2]" in printed and "ready" in printed, printed

            stop_server(server, signal.SIGKILL)
            # The service did not notice.
            assert httpx.post(ready["url"] + "predict", json={"text": "a"}, headers=key).status_code == 200
            with running_server(root, *ports) as again:
                found = again.request("GET", f"jlab-platform/api/deployments/{created['name']}")
                assert (found["status"], found["id"], found["port"]) == (
                    "ready",
                    created["id"],
                    created["port"],
                )
                assert _proxied(again, proxy, {"text": "c"}, again.token)[1]["outputs"]["echo"] == "cc"
                log = again.request("GET", "jlab-platform/api/deployments/echo/log")
                assert "ready" in log["data"]
                again.request("DELETE", "jlab-platform/api/deployments/echo")
                try:
                    httpx.post(ready["url"] + "predict", json={"text": "a"}, headers=key)
                    raise AssertionError("the deleted service still answers")
                except httpx.ConnectError:
                    pass
        finally:
            with platform(root):  # whatever failed above, no service outlives the test
                pass
