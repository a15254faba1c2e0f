"""``%tensorboard`` (TensorBoard's own magic) and ``%platform_tensorboard`` in a real kernel; a
module's training as a TensorBoard run."""

import json
import re
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from tensorboard.plugins.hparams import metadata

from jlab_platform.kernel.module_run import RunContext
from jlab_platform.tensorboard import RUNS_DIR_ENV
from tests.helpers.jupyter import ServerProcess
from tests.tensorboard.events_reader import hparams_tags, scalars


def _displays(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        m["content"]["data"]
        for m in messages
        if m["msg_type"] in ("display_data", "update_display_data", "execute_result")
    ]


def _status(server: ServerProcess, path: str) -> int:
    request = urllib.request.Request(server.url + path.lstrip("/"))
    request.add_header("Authorization", f"token {server.token}")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_tensorboard_magic_renders_an_iframe_through_the_proxy(server: ServerProcess) -> None:
    (server.root / "results" / "tensorboard").mkdir(parents=True, exist_ok=True)
    # The magic's TensorBoard lives in the kernel's process group: it stops with the kernel.
    with server.kernel() as kernel_id:
        messages = server.execute(
            kernel_id, "%load_ext tensorboard\n%tensorboard --logdir results/tensorboard", 180
        )
        html = next(d["text/html"] for d in _displays(messages) if "text/html" in d)
        proxied = re.search(
            r'const url = new URL\("(/jlab-platform/tensorboard/port/(\d+)/)", window.location\);', html
        )
        assert proxied is not None, html
        assert "const port = 0;" in html  # the page's own origin, not a port the browser cannot reach
        assert _status(server, f"{proxied.group(1)}data/environment") == 200
        assert _status(server, proxied.group(1)) == 200  # its page


def test_platform_tensorboard_shows_the_instance_for_the_tab(server: ServerProcess) -> None:
    (server.root / "runs").mkdir(exist_ok=True)
    messages = server.execute_in_new_kernel(
        "%load_ext jlab_platform.kernel\n%platform_tensorboard runs", timeout=180
    )
    (bundle,) = [d for d in _displays(messages) if "application/vnd.jlab-platform.tensorboard+json" in d]
    instance = bundle["application/vnd.jlab-platform.tensorboard+json"]
    assert instance["logdir"] == "runs" and instance["url"] == f"/jlab-platform/tensorboard/{instance['id']}/"
    assert f'src="{instance["url"]}"' in bundle["text/html"]
    assert _status(server, f"{instance['url']}data/environment") == 200
    listed = server.request("GET", "jlab-platform/api/tensorboard")["instances"]
    assert instance["id"] in [i["id"] for i in listed]
    printed = json.dumps(bundle)
    assert server.token not in printed


def test_a_module_training_outside_jobs_is_a_tensorboard_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(RUNS_DIR_ENV, str(tmp_path / "runs"))
    monkeypatch.delenv("JLAB_JOB_ID", raising=False)
    run_dir = tmp_path / "results" / "classifier" / "run-1"
    run_dir.mkdir(parents=True)
    context = RunContext("classifier", "train", run_dir, {"epochs": 2, "layers": [8, 4]})
    context.log(1, total=2, loss=0.7)
    context.log(2, total=2, loss=0.4, accuracy=0.9)
    context.close()
    run = tmp_path / "runs" / "classifier-run-1"
    assert scalars(run) == {"loss": [(1, 0.7), (2, 0.4)], "accuracy": [(2, 0.9)]}
    assert hparams_tags(run) == [metadata.SESSION_START_INFO_TAG, metadata.SESSION_END_INFO_TAG]


def test_a_module_training_in_a_job_leaves_the_run_to_the_job(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(RUNS_DIR_ENV, str(tmp_path / "runs"))
    monkeypatch.setenv("JLAB_JOB_ID", "j1")
    run_dir = tmp_path / "run-1"
    run_dir.mkdir()
    context = RunContext("classifier", "train", run_dir, {})
    context.log(1, loss=0.7)
    context.close()
    assert not (tmp_path / "runs").exists()
