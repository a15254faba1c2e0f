"""The service process's life: draining on SIGTERM, two processes on one port, a port taken."""

import signal
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest

from .runtime_service import Service, free_port, serving, write_config

SLOW_SERVICE = """
import os
import time


def predict(seconds=0.0):
    time.sleep(seconds)
    return {"pid": os.getpid()}
"""


def config_for(tmp_path: Path) -> Path:
    (tmp_path / "slow.py").write_text(SLOW_SERVICE)
    return write_config(
        tmp_path / ".deploy",
        name="slow",
        kind="python",
        code_dir=tmp_path,
        entry="slow.py",
        inputs={"seconds": {"type": "float", "default": 0.0, "required": False}},
    )


def test_sigterm_finishes_the_requests_in_flight_then_exits(tmp_path: Path) -> None:
    service = Service(config_for(tmp_path)).wait_ready()
    answers: list[httpx.Response] = []
    call = threading.Thread(
        target=lambda: answers.append(service.client.post("/predict", json={"seconds": 1.5}))
    )
    try:
        call.start()
        time.sleep(0.5)  # the request is in the model now
        service.process.send_signal(signal.SIGTERM)
        call.join(30)
        assert answers and answers[0].status_code == 200, service.output()
        assert answers[0].json()["outputs"]["pid"] == service.process.pid
        assert service.process.wait(30) == 0
        assert service.state()["state"] == "stopped"
        refused = httpx.post(f"{service.url}/predict", json={})
        raise AssertionError(f"still answering after SIGTERM: {refused.status_code}")
    except httpx.ConnectError:
        pass  # the port is closed once it drained
    finally:
        service.stop()


def test_a_second_process_serves_the_same_port_while_the_first_drains(tmp_path: Path) -> None:
    config = config_for(tmp_path)
    port = free_port()
    failures: list[str] = []
    served_by: list[int] = []
    stop = threading.Event()
    with serving(config, port) as old, serving(config, port) as new:
        assert old.process.pid != new.process.pid  # both bound the port

        def steady_requests(keep_alive: bool) -> None:
            kept = httpx.Client(headers=old.client.headers, timeout=30)
            while not stop.is_set():
                try:  # the kernel picks a process per new connection; a kept one is told to close
                    if keep_alive:
                        answer = kept.post(f"http://127.0.0.1:{port}/predict", json={"seconds": 0.02})
                    else:
                        with httpx.Client(headers=old.client.headers, timeout=30) as client:
                            answer = client.post(f"http://127.0.0.1:{port}/predict", json={"seconds": 0.02})
                    if answer.status_code != 200:
                        failures.append(f"{answer.status_code} {answer.text}")
                    else:
                        served_by.append(answer.json()["outputs"]["pid"])
                except httpx.HTTPError as exc:
                    failures.append(repr(exc))
            kept.close()

        loops = [threading.Thread(target=steady_requests, args=(kept,)) for kept in (False, True)]
        for loop in loops:
            loop.start()
        try:
            time.sleep(1.5)
            assert old.stop() == 0  # SIGTERM: drains while the new one keeps the port
            count = len(served_by)
            time.sleep(1.0)
        finally:
            stop.set()
            for loop in loops:
                loop.join(30)
        assert set(served_by[count:]) == {new.process.pid}
        assert old.process.pid in served_by
    assert failures == [], failures


def test_a_port_another_program_holds_is_exit_code_4(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        service = Service(config_for(tmp_path), port=holder.getsockname()[1])
        try:
            assert service.process.wait(60) == 4
            assert "cannot listen" in service.output()
        finally:
            service.stop()


def test_nothing_listens_while_the_model_loads_and_sigterm_ends_the_load(tmp_path: Path) -> None:
    """While a new process loads, connections to the port still go to the process it replaces."""
    (tmp_path / "heavy.py").write_text(
        "import time\n\n\nclass Heavy:\n    def load(self):\n        time.sleep(120)\n\n"
        "    def inference(self, data):\n        return data\n"
    )
    config = write_config(
        tmp_path / ".deploy", name="heavy", kind="python", code_dir=tmp_path, entry="heavy.py"
    )
    service = Service(config)
    try:
        deadline = time.monotonic() + 60
        while service.state().get("state") != "starting":
            assert time.monotonic() < deadline, service.output()
            time.sleep(0.2)
        time.sleep(1.0)  # in load() now
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{service.url}/healthz", timeout=10)
        service.process.send_signal(signal.SIGTERM)
        assert service.process.wait(20) == 0
        assert service.state()["state"] == "stopped"
    finally:
        service.stop()
