"""The deployment manager with real service processes: keys, commit binding, snapshot, stop/start."""

import json
import os
import socket
import time
from pathlib import Path

import httpx
import psutil
import pytest

from jlab_platform.deploy.models import CreateDeployment
from jlab_platform.errors import Conflict, InvalidInput, NotFound

from .manager_support import git, log_text, platform, wait_status, write_echo
from .test_runtime_python import CUSTOMIZE_SERVICE, MODELARTS_CONFIG, gray


def _predict(url: str, key: str | None, text: str = "ab") -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.post(url + "predict", json={"text": text}, headers=headers, timeout=30)


def test_a_script_is_served_from_its_own_copy_bound_to_the_commit(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    source = write_echo(root, "v1")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "echo v1")
    head = git(root, "rev-parse", "HEAD")
    with platform(root) as made:
        service = made.deployments
        preview = service.preview(source)
        assert (preview.kind, preview.commit, preview.uncommitted) == ("python", head, False)
        assert [f.name for f in preview.inputs] == ["text", "times"] and preview.config == "echo.deploy.yml"

        created = service.create(CreateDeployment(source=source, name="echo", description="first"), "alice")
        assert created.key and created.status == "starting" and created.commit == head
        assert not created.uncommitted and created.created_by == "alice" and created.active
        assert created.proxy_url == "/jlab-platform/deployments/echo/"
        ready = wait_status(service, "echo", "ready", "failed")
        assert ready.status == "ready", log_text(service, "echo")

        outputs = _predict(ready.url, created.key).json()["outputs"]
        assert (outputs["echo"], outputs["version"]) == ("abab", "v1")
        assert _predict(ready.url, None).status_code == 401
        assert _predict(ready.url, "not-a-key").status_code == 403
        # Only the key's hash is kept, in the store and in the service's keys file.
        keys_file = made.settings.data_dir / "deployments" / "keys" / "echo.json"
        assert json.loads(keys_file.read_text()) != [created.key] and created.key not in keys_file.read_text()

        # Later edits change neither the running service nor its record; they show as uncommitted.
        write_echo(root, "v2")
        assert _predict(ready.url, created.key).json()["outputs"]["version"] == "v1"
        assert service.preview(source).uncommitted

        second = service.new_key("echo")
        assert _predict(ready.url, second.key).status_code == 200
        assert {k.id for k in service.get("echo").keys} == {created_key.id for created_key in ready.keys} | {
            second.id
        }
        service.revoke_key("echo", second.id)
        deadline = time.monotonic() + 10  # the service re-reads its keys file when it changes
        while _predict(ready.url, second.key).status_code != 403 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _predict(ready.url, second.key).status_code == 403
        assert _predict(ready.url, created.key).status_code == 200
        with pytest.raises(NotFound):
            service.revoke_key("echo", second.id)

        stopped = service.stop("echo")
        assert stopped.status == "stopped" and stopped.reason == "stopped on request"
        with pytest.raises(httpx.ConnectError):
            _predict(ready.url, created.key)
        restarted = service.start("echo")
        assert restarted.status == "starting" and restarted.port == ready.port
        wait_status(service, "echo", "ready")
        assert _predict(ready.url, created.key).json()["outputs"]["version"] == "v1"
        with pytest.raises(Conflict):
            service.start("echo")

        pid = service.get("echo")
        service.delete("echo")
        with pytest.raises(NotFound):
            service.get("echo")
        assert not (made.settings.data_dir / "deployments" / pid.id).exists()
        assert not keys_file.exists()


def test_bad_sources_names_and_checkpoints_say_what_to_fix(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    source = write_echo(root)
    run = root / "results" / "image-classifier" / "run1"
    run.mkdir(parents=True)
    (run / "run.json").write_text(json.dumps({"status": "running"}))
    with platform(root) as made:
        service = made.deployments

        def refused(kind: type[Exception], field: str | None, **body: object) -> None:
            with pytest.raises(kind) as caught:
                service.create(CreateDeployment(**{"name": "x", **body}), None)  # type: ignore[arg-type]
            assert getattr(caught.value, "field", None) == field, caught.value

        refused(InvalidInput, None, source="missing.py")
        refused(InvalidInput, None, source="../outside.py")
        refused(InvalidInput, "source", source="echo.deploy.yml")
        refused(InvalidInput, "source", source="results/image-classifier/run1")  # not complete
        (run / "run.json").write_text(json.dumps({"status": "complete"}))
        refused(InvalidInput, "source", source="results/image-classifier/run1")  # no checkpoint
        (run / "model.pt").write_bytes(b"weights")
        refused(InvalidInput, "checkpoint", source="results/image-classifier/run1", checkpoint="other.pt")
        refused(InvalidInput, "checkpoint", source=source, checkpoint="model.pt")
        refused(InvalidInput, "inputs", source=source, inputs=["nope"])
        refused(InvalidInput, "name", source=source, name="preview")
        refused(NotFound, "name", source=source, replace=True)
        refused(NotFound, None, source="model:cats@production")  # the library has no such model
        assert service.preview("results/image-classifier/run1").checkpoints == ["model.pt"]

        service.create(CreateDeployment(source=source, name="taken"), None)
        refused(Conflict, "name", source=source, name="taken")
        with pytest.raises(NotFound):
            service.rollback("taken", "0" * 32)
        with pytest.raises(NotFound):
            service.get("nobody")


def test_a_service_that_cannot_load_fails_with_the_reason_and_a_dead_one_is_failed(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "broken.py").write_text("raise RuntimeError('no weights here')\n")
    write_echo(root)
    with platform(root) as made:
        service = made.deployments
        service.create(CreateDeployment(source="broken.py", name="broken"), None)
        failed = wait_status(service, "broken", "failed", "ready")
        assert failed.status == "failed" and "no weights here" in (failed.reason or "")
        assert "no weights here" in log_text(service, "broken")

        service.create(CreateDeployment(source="echo.py", name="echo"), None)
        ready = wait_status(service, "echo", "ready")
        state = json.loads((made.settings.data_dir / "deployments" / ready.id / "state.json").read_text())
        os.kill(state["pid"], 9)
        died = wait_status(service, "echo", "failed", timeout=30)
        assert "SIGKILL" in (died.reason or ""), died.reason
        assert not psutil.pid_exists(state["pid"]) or psutil.Process(state["pid"]).status() == "zombie"


def test_workers_share_the_port_and_stop_together(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    write_echo(root)
    with platform(root) as made:
        service = made.deployments
        created = service.create(CreateDeployment(source="echo.py", name="two", workers=2), None)
        ready = wait_status(service, "two", "ready", "failed")
        assert ready.status == "ready" and ready.workers == 2, log_text(service, "two")
        pids = {_predict(ready.url, created.key).json()["outputs"]["pid"] for _ in range(40)}
        assert len(pids) == 2  # fresh connections are spread over both processes
        service.stop("two")
        assert not any(psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie" for pid in pids)


def test_a_modelarts_folder_is_served_and_a_taken_port_is_a_conflict(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    model = root / "resnet" / "model"
    model.mkdir(parents=True)
    (model / "customize_service.py").write_text(CUSTOMIZE_SERVICE)
    (model / "config.json").write_text(json.dumps(MODELARTS_CONFIG))
    (model / "weights.pth").write_text("127")
    with platform(root) as made:
        service = made.deployments
        preview = service.preview("resnet/model")
        assert (preview.kind, [f.name for f in preview.inputs], [f.type for f in preview.inputs]) == (
            "modelarts",
            ["images"],
            ["image"],
        )
        created = service.create(CreateDeployment(source="resnet/model", name="brightness"), None)
        ready = wait_status(service, "brightness", "ready", "failed")
        assert ready.status == "ready", log_text(service, "brightness")
        answer = httpx.post(
            ready.url + "aip",
            json={"image": gray(10, 230)},
            headers={"Authorization": f"Bearer {created.key}"},
        ).json()
        assert (answer["code"], answer["data"]["predicted_label"]) == (200, "bright")

        service.stop("brightness")
        with socket.socket() as squatter:
            squatter.bind(("127.0.0.1", ready.port))
            squatter.listen()
            with pytest.raises(Conflict) as taken:
                service.start("brightness")
            assert str(ready.port) in taken.value.message
        service.start("brightness")
        assert wait_status(service, "brightness", "ready", "failed").status == "ready"
