"""A notebook job's log holds the notebook's output, not the kernel's transport warnings."""

import json
import subprocess
import sys
from pathlib import Path


def test_the_log_has_no_unencrypted_transport_warning(tmp_path: Path) -> None:
    cell: dict[str, object] = {
        "cell_type": "code",
        "metadata": {},
        "source": "print(6 * 7)",
        "outputs": [],
        "execution_count": None,
    }
    notebook = {
        "cells": [cell],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (tmp_path / "nb.ipynb").write_text(json.dumps(notebook))
    run = subprocess.run(
        [sys.executable, "-m", "jlab_platform.jobs.notebook_runner", "nb.ipynb", "out/nb.ipynb"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    log = run.stdout + run.stderr
    assert run.returncode == 0, log
    assert log.startswith("42\n"), log
    assert "without encryption" not in log and "WARNING" not in log, log
    executed = json.loads((tmp_path / "out" / "nb.ipynb").read_text())
    assert "".join(executed["cells"][0]["outputs"][0]["text"]) == "42\n"
