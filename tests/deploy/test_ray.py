"""deploy_backend = "ray": the same service as a Ray Serve application on a real local Ray head."""

import time
from pathlib import Path

import httpx
import pytest

from jlab_platform.deploy.models import CreateDeployment
from tests.helpers.jupyter import free_port
from tests.helpers.ray_cluster import RayHead

from .manager_support import log_text, platform, wait_status, write_echo

pytestmark = pytest.mark.timeout(600)


def test_a_name_is_a_serve_application_with_keys_versions_and_rollback(
    tmp_path: Path, ray_head: RayHead
) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    source = write_echo(root, "v1")
    with open(root / source, "a") as code:
        code.write('print("echo", VERSION, "loaded", flush=True)\n')
    options = {
        "deploy_backend": "ray",
        "job_cluster_address": ray_head.address,
        "deploy_port_min": free_port(),
    }
    with platform(root, **options) as made:
        service = made.deployments
        created = service.create(CreateDeployment(source=source, name="echo", workers=2), None)
        assert created.key and created.backend == "ray"
        ready = wait_status(service, "echo", "ready", "failed", timeout=300)
        assert ready.status == "ready", ready.reason or log_text(service, "echo")
        assert ready.url == f"http://127.0.0.1:{options['deploy_port_min']}/echo/"
        key = {"Authorization": f"Bearer {created.key}"}
        answer = httpx.post(ready.url + "predict", json={"text": "ab"}, headers=key, timeout=60)
        assert answer.status_code == 200 and answer.json()["outputs"]["echo"] == "abab", answer.text
        assert httpx.post(ready.url + "predict", json={"text": "ab"}, timeout=60).status_code == 401
        # Two replicas answer.
        pids = {
            httpx.post(ready.url + "predict", json={"text": "x"}, headers=key).json()["outputs"]["pid"]
            for _ in range(30)
        }
        assert len(pids) == 2
        # What each replica printed, copied from the Ray node into the deployment's log.
        deadline = time.monotonic() + 60
        while (log := log_text(service, "echo")).count("echo v1 loaded") < 2:
            assert time.monotonic() < deadline, log
            time.sleep(0.5)
        assert all(line.startswith("[replica ") for line in log.splitlines()), log
        assert log_text(service, "echo").count("echo v1 loaded") == 2  # each line copied once

        write_echo(root, "v2")
        second = service.create(CreateDeployment(source=source, name="echo", replace=True), None)
        assert second.status == "ready"
        assert (
            httpx.post(ready.url + "predict", json={"text": "x"}, headers=key).json()["outputs"]["version"]
            == "v2"
        )
        back = service.rollback("echo", created.id)
        assert back.status == "ready" and back.rolled_back_from == created.id
        assert (
            httpx.post(ready.url + "predict", json={"text": "x"}, headers=key).json()["outputs"]["version"]
            == "v1"
        )

        service.delete("echo")
        # Serve removes the application asynchronously; its keys are revoked first (403 meanwhile).
        deadline = time.monotonic() + 60
        predict = ready.url + "predict"
        while (answer := httpx.post(predict, json={"text": "x"}, headers=key)).status_code != 404:
            assert answer.status_code == 403 and time.monotonic() < deadline, answer.status_code
            time.sleep(0.5)
