"""A new version and a rollback switch the name under a steady stream of requests: none fails."""

import threading
import time
from collections import Counter
from pathlib import Path

import httpx

from jlab_platform.deploy.models import CreateDeployment

from .manager_support import log_text, platform, wait_status, write_echo


class RequestLoop:
    """Requests one after another on fresh connections (each one meets whichever process the kernel
    picks), from a few threads, until stopped; counts answers by version and every failure."""

    def __init__(self, url: str, key: str, threads: int = 3) -> None:
        self.url, self.key = url, key
        self.versions: Counter[str] = Counter()
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def __enter__(self) -> "RequestLoop":
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(30)

    def _run(self) -> None:
        headers = {"Authorization": f"Bearer {self.key}"}
        while not self._stop.is_set():
            try:
                answer = httpx.post(self.url + "predict", json={"text": "x"}, headers=headers, timeout=30)
                outcome = answer.json()["outputs"]["version"] if answer.status_code == 200 else None
                problem = None if outcome else f"HTTP {answer.status_code}: {answer.text[:200]}"
            except (httpx.HTTPError, ValueError, KeyError) as exc:
                outcome, problem = None, f"{type(exc).__name__}: {exc}"
            with self._lock:
                if outcome:
                    self.versions[outcome] += 1
                else:
                    self.failures.append(problem or "?")

    def count(self) -> int:
        with self._lock:
            return sum(self.versions.values()) + len(self.failures)


def test_new_version_and_rollback_under_load_fail_no_request(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    source = write_echo(root, "v1")
    with platform(root) as made:
        service = made.deployments
        first = service.create(CreateDeployment(source=source, name="echo"), None)
        assert first.key
        ready = wait_status(service, "echo", "ready", "failed")
        assert ready.status == "ready", log_text(service, "echo")

        write_echo(root, "v2")
        with RequestLoop(ready.url, first.key) as loop:
            while loop.count() < 20:
                time.sleep(0.05)
            started = time.monotonic()
            second = service.create(CreateDeployment(source=source, name="echo", replace=True), None)
            replaced_in = time.monotonic() - started
            assert second.key is None and second.status == "ready" and second.port == ready.port
            before = loop.count()
            while loop.count() < before + 20:
                time.sleep(0.05)
            started = time.monotonic()
            back = service.rollback("echo", first.id)
            rolled_back_in = time.monotonic() - started
            before = loop.count()
            while loop.count() < before + 20:
                time.sleep(0.05)
        print(
            f"\nreplace {replaced_in:.1f} s, rollback {rolled_back_in:.1f} s, "
            f"{loop.count()} requests, {len(loop.failures)} failed, by version {dict(loop.versions)}"
        )
        assert loop.failures == []
        assert loop.versions["v1"] > 0 and loop.versions["v2"] > 0
        assert back.status == "ready" and back.rolled_back_from == first.id and back.active
        answer = httpx.post(
            ready.url + "predict", json={"text": "x"}, headers={"Authorization": f"Bearer {first.key}"}
        )
        assert answer.json()["outputs"]["version"] == "v1"

        history = service.history("echo").deployments
        assert [d.id for d in history] == [back.id, second.id, first.id]
        assert [d.active for d in history] == [True, False, False]
        assert history[1].status == "stopped" and history[1].reason == f"replaced by deployment {back.id}"
        assert history[1].commit is None and history[0].source == history[2].source
