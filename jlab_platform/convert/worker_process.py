"""The server's handle on the conversion worker process: start, talk JSON lines, stop."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

_LOG_KEEP_BYTES = 4 * 1024 * 1024
_TAIL_BYTES = 4096


class WorkerProcess:
    def __init__(self, log_path: Path, cwd: Path) -> None:
        self.log_path = log_path
        log_path.parent.mkdir(parents=True, exist_ok=True)
        if log_path.exists() and log_path.stat().st_size > _LOG_KEEP_BYTES:
            log_path.replace(log_path.with_suffix(".log.1"))
        env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            # Converting needs no GPU, and TensorFlow would reserve the memory of every GPU it sees.
            "CUDA_VISIBLE_DEVICES": "",
            "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "1"),
        }
        with open(log_path, "ab") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "jlab_platform.convert.worker", str(os.getpid())],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                cwd=cwd,
                env=env,
                close_fds=True,
                text=True,
                encoding="utf-8",
            )
        self.ready = False
        self.tensorflow: str | None = None  # its version, once the worker has imported it

    @property
    def pid(self) -> int:
        return self._process.pid

    def send(self, message: dict[str, Any]) -> bool:
        """False when the worker is gone."""
        assert self._process.stdin is not None
        try:
            self._process.stdin.write(json.dumps(message) + "\n")
            self._process.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            return False
        return True

    def read(self) -> dict[str, Any] | None:
        """The next event; None once the worker has exited."""
        assert self._process.stdout is not None
        while True:
            line = self._process.stdout.readline()
            if not line:
                return None
            try:
                message: dict[str, Any] = json.loads(line)
            except ValueError:
                continue
            if message.get("event") == "ready":
                self.ready = True
                self.tensorflow = message.get("tensorflow")
            return message

    def kill(self) -> None:
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGKILL)

    def stop(self, timeout: float = 5.0) -> None:
        """Close its stdin (it exits by itself), kill it if it does not."""
        try:
            if self._process.stdin is not None:
                self._process.stdin.close()
        except OSError:
            pass
        try:
            self._process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            self._process.wait()
        self._close_pipes()

    def reap(self) -> str:
        """Wait for an exited (or killed) worker; how it ended, in words."""
        code = self._process.wait()
        self._close_pipes()
        if code < 0:
            return f"killed by signal {signal.Signals(-code).name}"
        return f"exited with code {code}"

    def log_tail(self) -> str:
        try:
            with open(self.log_path, "rb") as log:
                log.seek(max(0, log.seek(0, os.SEEK_END) - _TAIL_BYTES))
                lines = log.read().decode("utf-8", "replace").splitlines()
        except OSError:
            return ""
        meaningful = [line for line in lines if line.strip() and not line.startswith(("I0000", "W0000"))]
        return "\n".join(meaningful[-8:])

    def _close_pipes(self) -> None:
        for pipe in (self._process.stdin, self._process.stdout):
            try:
                if pipe is not None:
                    pipe.close()
            except OSError:
                pass
