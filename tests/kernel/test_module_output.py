"""What training shows in a notebook: a bar, a line per report, where the run was saved.

The JSON metric lines are for a job's log (the Jobs view parses them); a person in a
notebook reads a short summary instead, without TensorFlow's start-up lines as red boxes.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

from tests.helpers.jupyter import ServerProcess
from tests.modules.factory import write_module, write_stripes


def _streams(messages: list[dict[str, object]], name: str) -> str:
    return "".join(
        str(msg["content"]["text"])  # type: ignore[index]
        for msg in messages
        if msg["msg_type"] == "stream" and msg["content"]["name"] == name  # type: ignore[index]
    )


def test_a_notebook_shows_the_bar_a_line_per_report_and_where_the_run_went(server: ServerProcess) -> None:
    write_stripes(server.root / "data", per_class=6)
    messages = server.execute_in_new_kernel(
        "from jlab_platform.kernel import modules\n"
        "module = modules.load('keras-classifier')\n"
        "run = module.train(data_dir='data', epochs=2, image_size=16, batch_size=8)\n",
        timeout=300,
    )
    stdout, stderr = _streams(messages, "stdout"), _streams(messages, "stderr")
    assert not [msg for msg in messages if msg["msg_type"] == "error"], stdout + stderr
    assert '{"metric"' not in stdout, stdout
    # 10 training images in batches of 8: two iterations a pass, one report each pass.
    number = r"[-+.\de]+"
    line = rf"^iteration 2/4 · loss {number} · accuracy {number} · lr {number} · val_accuracy {number}$"
    assert re.search(line, stdout, re.M), stdout
    assert re.search(r"^iteration 4/4 · ", stdout, re.M), stdout
    assert re.search(r"^Saved to results/keras-classifier/run-\d{8}-\d{6}/$", stdout, re.M), stdout
    assert any("IntProgress" in str(msg["content"]) for msg in messages if msg["msg_type"] == "display_data")
    # TensorFlow's C++ start-up lines (oneDNN, CPU features, absl) never reach the notebook.
    assert "I0000" not in stderr and "oneDNN" not in stderr and "absl" not in stderr, stderr
    runs = list((server.root / "results" / "keras-classifier").iterdir())
    metrics = (runs[0] / "metrics.jsonl").read_text().splitlines()
    assert {json.loads(line)["metric"] for line in metrics} >= {"loss", "accuracy"}


def test_a_job_still_prints_the_metric_lines_and_marks_each_training(tmp_path: Path) -> None:
    write_module(tmp_path / "modules", "simple")
    script = (
        "from jlab_platform.kernel import modules\n"
        "modules.train('simple', steps=2)\n"
        "modules.train('simple', steps=1)\n"
    )
    env = {"JLAB_JOB_ID": "job1", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    run = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    records = [json.loads(line) for line in lines if line.startswith("{")]
    assert [sorted(record) for record in records[:2]] == [["run"], ["metric", "step", "total", "value"]]
    assert [record.get("run", record.get("step")) for record in records][1:] == [1, 2, records[3]["run"], 1]
    assert records[0]["run"] != records[3]["run"] and records[0]["run"].startswith("run-")
    assert [line for line in lines if line.startswith("Saved to")] == [
        f"Saved to results/simple/{records[0]['run']}/",
        f"Saved to results/simple/{records[3]['run']}/",
    ]
