"""The seed's "包管理": what a cell installs with ``%pip`` or ``!pip`` a later job can import."""

import base64
import hashlib
import json
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.jupyter import ServerProcess, running_server

# One package per way of installing; names no index has, so nothing is fetched.
BY_MAGIC, BY_SHELL = "jlab_probe_pip_magic", "jlab_probe_pip_shell"


def build_wheel(folder: Path, name: str) -> Path:
    """A pure-Python wheel of package ``name``, built by hand: no build backend, no network."""
    files = {
        f"{name}/__init__.py": f"NAME = {name!r}\n",
        f"{name}-1.0.dist-info/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n",
        f"{name}-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    }
    record = [
        f"{path},sha256={base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b'=').decode()}"
        f",{len(text.encode())}"
        for path, text in files.items()
    ]
    files[f"{name}-1.0.dist-info/RECORD"] = "\n".join([*record, f"{name}-1.0.dist-info/RECORD,,"]) + "\n"
    wheel = folder / f"{name}-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return wheel


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server started as ``.venv/bin/jupyter lab`` without activating the environment:
    the ``pip`` on its PATH belongs to another Python (Debian's, which refuses to install)."""
    root = tmp_path_factory.mktemp("pip") / "root"
    root.mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", "/usr/bin:/bin")
        with running_server(root) as server:
            yield server


@pytest.fixture
def wheels(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    yield build_wheel(tmp_path, BY_MAGIC), build_wheel(tmp_path, BY_SHELL)
    subprocess.run(
        [sys.executable, "-m", "pip", "uninstall", "-y", "-q", BY_MAGIC, BY_SHELL],
        check=True,
        capture_output=True,
    )


def test_what_a_cell_installs_is_importable_by_a_later_job(
    server: ServerProcess, wheels: tuple[Path, Path]
) -> None:
    probe = (
        f"import sys, {BY_MAGIC}, {BY_SHELL}\n"
        f"print('imported', {BY_MAGIC}.NAME, {BY_SHELL}.NAME, 'with', sys.executable)\n"
    )
    (server.root / "uses_them.py").write_text(probe)
    cell = {"cell_type": "code", "metadata": {}, "source": probe, "outputs": [], "execution_count": None}
    (server.root / "uses_them.ipynb").write_text(
        json.dumps(
            {
                "cells": [cell],
                "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
                "nbformat": 4,
                "nbformat_minor": 5,
            }
        )
    )
    by_magic, by_shell = wheels
    output = server.run_in_new_kernel(
        "%load_ext jlab_platform.kernel\n"
        f"%pip install -q --no-index {by_magic}\n"
        f"!pip install -q --no-index {by_shell}\n"
        f"{probe}"
        "for script in ('uses_them.py', 'uses_them.ipynb'):\n"
        "    job = %job run {script}\n"
        "    %job wait {job['id']}\n"
        "    %job log {job['id']}\n",
        timeout=240,
    )
    ran = re.findall(rf"imported {BY_MAGIC} {BY_SHELL} with (\S+)", output)
    # The kernel itself, the script job and the notebook job: one interpreter, all three.
    assert len(ran) == 3 and len(set(ran)) == 1, output
    assert Path(ran[0]).parent == Path(sys.executable).parent, output
    assert ": success" in output and "failed" not in output, output
