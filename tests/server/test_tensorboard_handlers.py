"""TensorBoard through the platform, end to end: a real job's metrics read back through the proxy."""

import json
import os
import signal
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from tests.helpers.jupyter import ServerProcess, running_server, stop_server

TRAIN = """
import json, sys
for step in range(1, 6):
    print(json.dumps({"metric": "loss", "value": 1.0 / step, "step": step, "total": 5}), flush=True)
print("trained with", sys.argv[1:])
"""
SESSION_GROUPS = {
    "startIndex": 0,
    "sliceSize": 10,
    "allowedStatuses": ["STATUS_SUCCESS", "STATUS_FAILURE", "STATUS_RUNNING", "STATUS_UNKNOWN"],
    "colParams": [],
    "aggregationType": "AGGREGATION_AVG",
}


def fetch(
    server: ServerProcess,
    path: str,
    token: str | None = "",
    body: Any = None,
    headers: dict[str, str] | None = None,
    method: str | None = None,
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(
        server.url + path.lstrip("/"),
        data=None if body is None else json.dumps(body).encode(),
        method=method or ("POST" if body is not None else "GET"),
        headers=headers or {},
    )
    if token is not None:
        request.add_header("Authorization", f"token {token or server.token}")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def open_tensorboard(server: ServerProcess, logdir: str) -> dict[str, Any]:
    status, _, body = fetch(server, "jlab-platform/api/tensorboard", body={"logdir": logdir})
    assert status == 201, body
    instance: dict[str, Any] = json.loads(body)
    return instance


def instance_pid(root: Path, instance_id: str) -> int:
    records = json.loads((root / ".jlab_platform" / "tensorboard" / "instances.json").read_text())
    return int(next(record["pid"] for record in records if record["id"] == instance_id))


def run_job(server: ServerProcess) -> dict[str, Any]:
    job = server.request(
        "POST", "jlab-platform/api/jobs", {"script": "train.py", "args": ["--lr", "0.1"], "name": "train"}
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = server.request("GET", f"jlab-platform/api/jobs/{job['id']}")
        if job["status"] in ("success", "failed"):
            break
        time.sleep(0.2)
    assert job["status"] == "success", job
    return job


def gone(pid: int, timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
            return True
        time.sleep(0.1)
    return False


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tensorboard") / "root"
    root.mkdir()
    (root / "train.py").write_text(TRAIN)
    return root


@pytest.fixture(scope="module")
def server(workspace: Path) -> Iterator[ServerProcess]:
    with running_server(workspace) as server:
        yield server


@pytest.fixture(scope="module")
def job_and_instance(server: ServerProcess) -> tuple[dict[str, Any], dict[str, Any]]:
    job = run_job(server)
    return job, open_tensorboard(server, "results/tensorboard")


def test_a_jobs_metrics_are_read_through_the_proxy(
    job_and_instance: tuple[dict[str, Any], dict[str, Any]], server: ServerProcess, workspace: Path
) -> None:
    job, instance = job_and_instance
    assert instance["status"] == "running" and instance["logdir"] == "results/tensorboard"
    assert instance["url"] == f"/jlab-platform/tensorboard/{instance['id']}/"
    run = f"train-{job['id']}"
    status, headers, body = fetch(server, f"{instance['url']}data/plugin/scalars/scalars?run={run}&tag=loss")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert [(step, round(value, 6)) for _, step, value in json.loads(body)] == [
        (1, 1.0),
        (2, 0.5),
        (3, 0.333333),
        (4, 0.25),
        (5, 0.2),
    ]
    # The job's arguments and final metric, as hparams of the same run (a POST through the proxy).
    status, _, body = fetch(
        server,
        f"{instance['url']}data/plugin/hparams/session_groups",
        body=SESSION_GROUPS,
        headers={"Content-Type": "application/json", "X-XSRF-Protected": "1"},
    )
    assert status == 200, body
    (group,) = json.loads(body)["sessionGroups"]
    assert group["hparams"]["lr"] == 0.1 and group["hparams"]["job_id"] == job["id"]
    assert group["sessions"][0]["name"] == run and group["sessions"][0]["status"] == "STATUS_SUCCESS"
    assert [round(m["value"], 6) for m in group["metricValues"]] == [0.2]
    # The page itself, with TensorBoard's content type; no hop-by-hop or TensorBoard cookies.
    status, headers, body = fetch(server, instance["url"])
    assert status == 200 and headers["Content-Type"].startswith("text/html") and b"<html" in body.lower()
    assert (
        "Transfer-Encoding" not in headers and "frame-ancestors 'self'" in headers["Content-Security-Policy"]
    )


def test_tensorboard_uses_the_rust_data_server(
    job_and_instance: tuple[dict[str, Any], dict[str, Any]], server: ServerProcess, workspace: Path
) -> None:
    _, instance = job_and_instance
    process = psutil.Process(instance_pid(workspace, instance["id"]))
    assert "--load_fast=true" in process.cmdline() and "--host=127.0.0.1" in process.cmdline()
    assert any("tensorboard_data_server" in " ".join(child.cmdline()) for child in process.children())
    # A child of the server, in a session (and process group) of its own.
    assert process.ppid() == server.process.pid and os.getsid(process.pid) == process.pid


def test_no_or_wrong_token_is_403(
    job_and_instance: tuple[dict[str, Any], dict[str, Any]], server: ServerProcess
) -> None:
    _, instance = job_and_instance
    for token in (None, "wrong"):
        assert fetch(server, f"{instance['url']}data/environment", token=token)[0] == 403
        assert fetch(server, "jlab-platform/api/tensorboard", token=token)[0] == 403
        assert (
            fetch(server, "jlab-platform/api/tensorboard", token=token, body={"logdir": "results"})[0] == 403
        )
    assert fetch(server, "jlab-platform/tensorboard/port/1/", token=None)[0] == 403


def test_the_same_folder_reuses_its_instance(
    job_and_instance: tuple[dict[str, Any], dict[str, Any]], server: ServerProcess, workspace: Path
) -> None:
    _, instance = job_and_instance
    pid = instance_pid(workspace, instance["id"])
    again = open_tensorboard(server, "results/tensorboard/")
    assert again["id"] == instance["id"] and instance_pid(workspace, instance["id"]) == pid
    listed = server.request("GET", "jlab-platform/api/tensorboard")["instances"]
    assert [(i["id"], i["status"]) for i in listed] == [(instance["id"], "running")]
    assert listed[0]["last_used_at"] >= instance["last_used_at"]


def test_bad_folders_and_unknown_instances(server: ServerProcess) -> None:
    for logdir, expected in (("../outside", 400), ("/etc", 400), ("missing", 404), ("train.py", 404)):
        status, _, body = fetch(server, "jlab-platform/api/tensorboard", body={"logdir": logdir})
        assert status == expected, body
        assert set(json.loads(body)) >= {"error", "detail"}
    assert fetch(server, "jlab-platform/api/tensorboard", body={"logdir": "results", "port": 1})[0] == 400
    assert fetch(server, "jlab-platform/tensorboard/0123456789ab/")[0] == 404
    # Only TensorBoards that kernels started are reachable by port: not the Jupyter server's own.
    port = server.url.rsplit(":", 1)[1].strip("/")
    assert fetch(server, f"jlab-platform/tensorboard/port/{port}/api/contents")[0] == 404


def test_killed_tensorboard_is_running_again_on_the_next_request(
    job_and_instance: tuple[dict[str, Any], dict[str, Any]], server: ServerProcess, workspace: Path
) -> None:
    _, instance = job_and_instance
    pid = instance_pid(workspace, instance["id"])
    psutil.Process(pid).send_signal(signal.SIGKILL)
    assert gone(pid)
    status, _, body = fetch(server, f"{instance['url']}data/runs")
    assert status == 200 and json.loads(body)
    assert instance_pid(workspace, instance["id"]) not in (0, pid)


def test_stop_forgets_the_instance(server: ServerProcess, workspace: Path) -> None:
    (workspace / "other").mkdir()
    instance = open_tensorboard(server, "other")
    pid = instance_pid(workspace, instance["id"])
    assert fetch(server, f"jlab-platform/api/tensorboard/{instance['id']}", method="DELETE")[0] == 204
    assert gone(pid)
    assert fetch(server, f"{instance['url']}data/runs")[0] == 404
    assert instance["id"] not in [
        i["id"] for i in server.request("GET", "jlab-platform/api/tensorboard")["instances"]
    ]


def test_server_restart_leaves_no_orphan(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "logs").mkdir(parents=True)
    with running_server(root) as server:
        instance = open_tensorboard(server, "logs")
        pid = instance_pid(root, instance["id"])
        stop_server(server, signal.SIGKILL)  # died: its TensorBoard runs on
    assert not gone(pid, timeout=1)
    with running_server(root) as again:  # finds it again, by pid and command line
        listed = again.request("GET", "jlab-platform/api/tensorboard")["instances"]
        assert [(i["id"], i["status"]) for i in listed] == [(instance["id"], "running")]
        assert fetch(again, f"{instance['url']}data/environment")[0] == 200
        assert instance_pid(root, instance["id"]) == pid
    assert gone(pid)  # a server that stops stops its TensorBoards


def test_tensorboards_own_posts_need_our_origin_when_logged_in_by_cookie(
    job_and_instance: tuple[dict[str, Any], dict[str, Any]], server: ServerProcess
) -> None:
    """The hparams dashboard posts without Jupyter's XSRF token, as a browser on our origin."""
    _, instance = job_and_instance
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    browser.open(f"{server.url}lab?token={server.token}", timeout=60).read()  # the login cookie

    def post(headers: dict[str, str]) -> int:
        request = urllib.request.Request(
            f"{server.url}{instance['url'].lstrip('/')}data/plugin/hparams/session_groups",
            data=json.dumps(SESSION_GROUPS).encode(),
            headers={"Content-Type": "application/json", "X-XSRF-Protected": "1", **headers},
        )
        try:
            with browser.open(request, timeout=60) as response:
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return exc.code

    assert post({"Sec-Fetch-Site": "same-origin"}) == 200
    assert post({"Sec-Fetch-Site": "cross-site"}) == 403
    assert post({}) == 403
