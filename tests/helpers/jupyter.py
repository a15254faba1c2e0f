"""A real ``jupyter server`` in a subprocess, and code run in kernels it started."""

import asyncio
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tornado.websocket import websocket_connect

# Execution states that say the kernel running the code is gone: the server's restarting or
# dead, or a new kernel process starting.
KERNEL_GONE = ("starting", "restarting", "autorestarting", "dead")


@dataclass
class ServerProcess:
    url: str
    token: str
    root: Path
    process: subprocess.Popen[bytes]
    runtime_dir: Path
    log_path: Path

    def p50_ms(self, path: str, n: int) -> float:
        """Median wall time in ms of ``n`` sequential GETs of ``path`` (benchmarks)."""
        return statistics.median(self.times_ms(path, n))

    def times_ms(self, path: str, n: int) -> list[float]:
        """The wall time in ms of each of ``n`` sequential GETs of ``path`` (benchmarks)."""
        times = []
        for _ in range(n):
            start = time.perf_counter()
            self.request("GET", path)
            times.append((time.perf_counter() - start) * 1000)
        return times

    def request(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Authorization", f"token {self.token}")
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read() or b"null")

    def run_in_new_kernel(self, code: str, timeout: float = 120) -> str:
        """Start a kernel through the REST API, run ``code``, return everything it printed."""
        return printed_text(self.execute_in_new_kernel(code, timeout))

    def execute_in_new_kernel(
        self, code: str, timeout: float = 120, notebook: str | None = None
    ) -> list[dict[str, Any]]:
        """Run ``code`` in a new kernel; the IOPub messages it caused, as the browser gets them.

        Ends when the kernel has replied and is idle again, or when it died or was restarted
        while running ``code`` (the last message is then a ``status`` message in ``KERNEL_GONE``).
        """
        with self.kernel(notebook) as kernel_id:
            return self.execute(kernel_id, code, timeout)

    @contextmanager
    def kernel(self, notebook: str | None = None) -> Iterator[str]:
        """A kernel started as JupyterLab starts one: in a session for ``notebook``, or in the root."""
        if notebook is None:
            # path "" starts the kernel in the root directory, as JupyterLab does for a notebook there.
            kernel_id = self.request("POST", "api/kernels", {"name": "python3", "path": ""})["id"]
            resource = f"api/kernels/{kernel_id}"
        else:
            body = {"path": notebook, "name": notebook.rsplit("/", 1)[-1], "type": "notebook"}
            session = self.request("POST", "api/sessions", {**body, "kernel": {"name": "python3"}})
            kernel_id, resource = session["kernel"]["id"], f"api/sessions/{session['id']}"
        try:
            yield kernel_id
        finally:
            self._delete(resource)

    def execute(self, kernel_id: str, code: str, timeout: float = 120) -> list[dict[str, Any]]:
        """Run ``code`` in a running kernel; see ``execute_in_new_kernel``."""
        return asyncio.run(self._execute(kernel_id, code, timeout))

    def _delete(self, resource: str, timeout: float = 30) -> None:
        # A kernel that just died is being restarted; the server refuses (500) until it is up.
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.request("DELETE", resource)
                return
            except urllib.error.HTTPError as exc:
                if exc.code != 500 or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    async def _execute(self, kernel_id: str, code: str, timeout: float) -> list[dict[str, Any]]:
        ws_url = self.url.replace("http", "ws", 1) + f"api/kernels/{kernel_id}/channels?token={self.token}"
        conn = await websocket_connect(ws_url)
        msg_id = uuid.uuid4().hex
        conn.write_message(
            json.dumps(
                {
                    "header": {
                        "msg_id": msg_id,
                        "msg_type": "execute_request",
                        "username": "test",
                        "session": uuid.uuid4().hex,
                        "version": "5.3",
                        "date": "",
                    },
                    "parent_header": {},
                    "metadata": {},
                    "content": {"code": code, "silent": False, "store_history": False},
                    "channel": "shell",
                    "buffers": [],
                }
            )
        )
        messages: list[dict[str, Any]] = []
        replied = idle = False
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            raw = await asyncio.wait_for(conn.read_message(), deadline - time.monotonic())
            if raw is None or isinstance(raw, bytes):
                break
            msg = json.loads(raw)
            kind, content = msg["msg_type"], msg["content"]
            if messages and kind == "status" and content["execution_state"] in KERNEL_GONE:
                messages.append(msg)  # the kernel died or restarted under the code (unparented)
                break
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            messages.append(msg)
            replied = replied or kind == "execute_reply"
            idle = idle or (kind == "status" and content["execution_state"] == "idle")
            if replied and idle:  # the reply (shell) and idle (IOPub) come in either order
                break
        conn.close()
        return messages


def printed_text(messages: list[dict[str, Any]]) -> str:
    """The text a cell showed: streams, the plain-text form of results and displays, tracebacks."""
    output: list[str] = []
    for msg in messages:
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            output.append(content["text"])
        elif kind in ("execute_result", "display_data"):
            output.append(content["data"].get("text/plain", ""))
        elif kind == "error":
            output.append("\n".join(content["traceback"]))
    return "".join(output)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def running_server(
    root: Path, *extra_args: str, env: Mapping[str, str] | None = None
) -> Iterator[ServerProcess]:
    """A server for ``root``; ``env``: variables added to this process's environment for it."""
    port = free_port()
    token = secrets.token_hex(16)
    runtime_dir = root.parent / f"runtime-{port}"
    log_path = root.parent / f"server-{port}.log"
    process_env = {**os.environ, **(env or {}), "JUPYTER_RUNTIME_DIR": str(runtime_dir)}
    process_env.pop("JLAB_PLATFORM_URL", None)
    process_env.pop("JLAB_PLATFORM_SERVER_PID", None)
    # ipykernel stops forwarding what subprocesses write to fds 1 and 2 when it sees pytest's
    # variable; kernels under test should behave as they do for users.
    process_env.pop("PYTEST_CURRENT_TEST", None)
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyter_server",
                f"--ServerApp.root_dir={root}",
                f"--ServerApp.port={port}",
                "--ServerApp.port_retries=0",
                "--ServerApp.ip=127.0.0.1",
                f"--IdentityProvider.token={token}",
                "--ServerApp.open_browser=False",
                "--ServerApp.allow_root=True",
                *extra_args,
            ],
            env=process_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = ServerProcess(f"http://127.0.0.1:{port}/", token, root, process, runtime_dir, log_path)
    try:
        _wait_until_up(server)
        yield server
    finally:
        stop_server(server)


def stop_server(server: ServerProcess, sig: int = signal.SIGTERM) -> None:
    if server.process.poll() is None:
        os.killpg(server.process.pid, sig)
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait()


def _wait_until_up(server: ServerProcess, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"jupyter server exited:\n{server.log_path.read_text()}")
        try:
            server.request("GET", "jlab-platform/api/info")
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"jupyter server did not start:\n{server.log_path.read_text()}")
