"""The shipped image classifier, trained here, deployed from its run folder, then exported as the
"本地一键部署" zip and served by its own deploy.sh from a temporary folder."""

import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx

from jlab_platform.deploy.models import CreateDeployment
from tests.helpers.jupyter import free_port

from .classifier_support import stripes, train_classifier
from .manager_support import READY_SECONDS, log_text, platform, wait_status
from .runtime_service import b64_image


def _aip(url: str, key: str | None, direction: str, fmt: str = "PNG") -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.post(
        url + "aip", json={"image": b64_image(stripes(direction), fmt)}, headers=headers, timeout=60
    )


def test_a_module_run_is_deployed_and_its_bundle_serves_aip_anywhere(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    run = train_classifier(root)
    with platform(root, deploy_ready_timeout_seconds=float(READY_SECONDS)) as made:
        service = made.deployments
        source = run.relative_to(root).as_posix()
        assert service.preview(source).checkpoints[0] == "model.pt"
        started = time.monotonic()
        created = service.create(CreateDeployment(source=source, name="stripes"), None)
        ready = wait_status(service, "stripes", "ready", "failed")
        assert ready.status == "ready", log_text(service, "stripes")
        answer = _aip(ready.url, created.key, "horizontal")
        print(f"\ndeploy -> first 200: {time.monotonic() - started:.1f} s")
        assert answer.json()["data"]["label"] == "horizontal"
        assert (ready.kind, ready.module, ready.checkpoint) == ("module", "image-classifier", "model.pt")

        bundle = service.export("stripes")
        try:
            unpacked = tmp_path / "elsewhere"
            with zipfile.ZipFile(bundle) as archive:
                archive.extractall(unpacked)
        finally:
            bundle.unlink()
    # The workspace and the platform's data are gone: the bundle stands on its own.
    folder = unpacked / "stripes"
    assert (folder / "code" / "run" / "model.pt").is_file() and (folder / "Dockerfile").is_file()
    assert "torch>=2.1" in (folder / "requirements.txt").read_text()
    os.rename(root, tmp_path / "moved-away")
    port, key = free_port(), "local-key"
    env = {**os.environ, "PYTHON": sys.executable, "JLAB_DEPLOY_KEY": key, "OMP_NUM_THREADS": "1"}
    env.pop("PYTHONPATH", None)
    log_path = tmp_path / "deploy.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            ["sh", "deploy.sh", "1.x", "--no-install", "--host", "127.0.0.1", "--port", str(port)],
            cwd=folder,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + READY_SECONDS
        while True:
            assert process.poll() is None, log_path.read_text()
            try:
                if httpx.get(url + "readyz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.2)
        answer = _aip(url, key, "vertical", "JPEG").json()
        assert (answer["code"], answer["data"]["label"]) == (200, "vertical")
        assert _aip(url, None, "vertical").status_code == 401
        meta = httpx.get(url + "v2/models/stripes", headers={"Authorization": f"Bearer {key}"}).json()
        assert meta["versions"] == ["1.x"]
        # The service runs on the bundle's own copy of the runtime, not the installed package.
        assert f"{folder}/runtime/jlab_platform" in log_path.read_text() or _imported_from_bundle(
            process.pid, folder
        )
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)


def _imported_from_bundle(pid: int, folder: Path) -> bool:
    """The service process has the bundle's runtime files open or mapped (it imported them)."""
    environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return f"PYTHONPATH={folder}/runtime".encode() in environ
