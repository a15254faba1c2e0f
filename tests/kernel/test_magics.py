from pathlib import Path

import pytest

from jlab_platform import __version__
from tests.helpers.jupyter import ServerProcess


def test_platform_info_magic_reaches_the_server_that_started_the_kernel(server: ServerProcess) -> None:
    output = server.run_in_new_kernel("%load_ext jlab_platform.kernel\n%platform_info")
    assert f"jlab_platform {__version__}" in output, output
    assert "PyTorch     2." in output
    assert "GPUs" in output


def test_info_function_returns_the_api_payload(server: ServerProcess) -> None:
    output = server.run_in_new_kernel(
        "from jlab_platform.kernel import info\nd = info()\nprint(d['version'], d['git']['available'])"
    )
    assert output.strip() == f"{__version__} True", output


def test_find_server_without_a_server_says_what_to_do(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from jlab_platform.kernel.client import ServerNotFound, find_server

    monkeypatch.delenv("JLAB_PLATFORM_URL", raising=False)
    monkeypatch.delenv("JLAB_PLATFORM_SERVER_PID", raising=False)
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path))
    with pytest.raises(ServerNotFound, match="JLAB_PLATFORM_URL"):
        find_server()
