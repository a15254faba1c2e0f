import json
import os
import time
from pathlib import Path

import pytest

from jlab_platform.kernel.client import ServerNotFound, find_server


@pytest.fixture
def runtime_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """This process posing as the server: its pid exported, its runtime file in a fresh folder."""
    monkeypatch.delenv("JLAB_PLATFORM_URL", raising=False)
    monkeypatch.setenv("JLAB_PLATFORM_SERVER_PID", str(os.getpid()))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path))
    path = tmp_path / f"jpserver-{os.getpid()}.json"
    path.write_text(json.dumps({"url": "http://127.0.0.1:8123/", "token": "t", "root_dir": "/srv"}))
    return path


def test_the_servers_runtime_file_gives_its_url_and_token(runtime_file: Path) -> None:
    server = find_server()
    assert (server.url, server.token, server.root_dir) == ("http://127.0.0.1:8123/", "t", "/srv")


def test_a_runtime_file_older_than_the_process_with_its_pid_is_a_dead_servers(runtime_file: Path) -> None:
    # A server that died without removing its file, its pid since reused by this process.
    an_hour_ago = time.time() - 3600
    os.utime(runtime_file, (an_hour_ago, an_hour_ago))
    with pytest.raises(ServerNotFound):
        find_server()
