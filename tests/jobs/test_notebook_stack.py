"""Jobs with the notebook environment (the ``notebook`` extra): plots saved to results/, and
its libraries imported beside both frameworks in one process."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from jlab_platform.jobs.service import JobService
from tests.jobs.conftest import Workspace, full_log, make_service, wait_for


@pytest.fixture
def jobs(ws: Workspace, tmp_path: Path) -> Iterator[JobService]:
    service = make_service(ws, f"sqlite:///{tmp_path / 'platform.db'}")
    yield service
    service.store.dispose()


def code_cell(source: str) -> dict[str, object]:
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}


def test_a_notebook_job_plots_a_loss_curve_into_results(jobs: JobService, ws: Workspace) -> None:
    notebook = {
        "cells": [
            code_cell(
                "import matplotlib.pyplot as plt\nimport pandas as pd\n"
                "history = pd.DataFrame({'epoch': range(1, 11), 'loss': [1 / e for e in range(1, 11)]})"
            ),
            code_cell(
                "history.plot(x='epoch', y='loss', title='loss')\nplt.savefig('results/loss.png')\nplt.show()"
            ),
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    ws.write("train/curve.ipynb", json.dumps(notebook))
    job = wait_for(jobs, jobs.submit("train/curve.ipynb").id, "success", "failed", timeout=180)
    assert job.status == "success", full_log(jobs, job.id)
    with Image.open(ws.results / "loss.png") as image:
        assert image.format == "PNG" and image.width > 100
    # The kernel's inline backend (Agg underneath) also showed the figure in the executed copy.
    executed = json.loads((ws.root / job.outputs[0]).read_text())
    assert any("image/png" in out.get("data", {}) for out in executed["cells"][1]["outputs"])


def test_a_script_job_imports_the_notebook_libraries_beside_both_frameworks(
    jobs: JobService, ws: Workspace
) -> None:
    ws.write(
        "stack.py",
        "import cv2, matplotlib, pandas, scipy, seaborn, sklearn, tensorflow, torch, tqdm\n"
        "import matplotlib.pyplot as plt\n"
        "plt.plot([3, 2, 1])\nplt.savefig('results/script.png')\n"
        "print('backend', matplotlib.get_backend())\n"
        "print('sum', float(tensorflow.reduce_sum(torch.ones(3).numpy())))\n",
    )
    job = wait_for(jobs, jobs.submit("stack.py").id, "success", "failed", timeout=180)
    log = full_log(jobs, job.id)
    assert job.status == "success", log
    assert "backend agg" in log.lower() and "sum 3.0" in log
    assert (ws.results / "script.png").read_bytes().startswith(b"\x89PNG")
