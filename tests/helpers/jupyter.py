"""A real ``jupyter server`` in a subprocess, and code run in kernels it started."""

import asyncio
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tornado.websocket import websocket_connect


@dataclass
class ServerProcess:
    url: str
    token: str
    root: Path
    process: subprocess.Popen[bytes]
    runtime_dir: Path
    log_path: Path

    def request(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Authorization", f"token {self.token}")
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read() or b"null")

    def run_in_new_kernel(self, code: str, timeout: float = 120) -> str:
        """Start a kernel through the REST API, run ``code``, return everything it printed."""
        # path "" starts the kernel in the root directory, as JupyterLab does for a notebook there.
        kernel = self.request("POST", "api/kernels", {"name": "python3", "path": ""})
        try:
            return asyncio.run(self._execute(kernel["id"], code, timeout))
        finally:
            self.request("DELETE", f"api/kernels/{kernel['id']}")

    async def _execute(self, kernel_id: str, code: str, timeout: float) -> str:
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
        output: list[str] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            raw = await asyncio.wait_for(conn.read_message(), deadline - time.monotonic())
            if raw is None:
                break
            msg = json.loads(raw)
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                output.append(content["text"])
            elif kind in ("execute_result", "display_data"):
                output.append(content["data"].get("text/plain", ""))
            elif kind == "error":
                output.append("\n".join(content["traceback"]))
            elif kind == "status" and content["execution_state"] == "idle":
                break
        conn.close()
        return "".join(output)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def running_server(root: Path, *extra_args: str) -> Iterator[ServerProcess]:
    port = free_port()
    token = secrets.token_hex(16)
    runtime_dir = root.parent / f"runtime-{port}"
    log_path = root.parent / f"server-{port}.log"
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime_dir)}
    env.pop("JLAB_PLATFORM_URL", None)
    env.pop("JLAB_PLATFORM_SERVER_PID", None)
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
            env=env,
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
