import io
import json
import re

from jlab_platform.kernel.metrics import log_metric, log_metrics
from tests.helpers.jupyter import ServerProcess


def test_job_magic_runs_waits_and_shows_the_log(server: ServerProcess) -> None:
    script = server.root / "magic_job.py"
    script.write_text(
        "import sys\nfrom jlab_platform.kernel.metrics import log_metric\n"
        "log_metric('loss', 0.5, step=1, total=1)\nprint('args', sys.argv[1:])\n"
    )
    output = server.run_in_new_kernel(
        "%load_ext jlab_platform.kernel\n"
        "job = %job run magic_job.py --name from-magic -- --lr 0.1\n"
        "%job wait {job['id']}\n"
        "%job log {job['id']}\n"
        "%job list\n"
    )
    assert re.search(r"Submitted job from-magic \(\w+\) on cpu", output), output
    assert "from-magic" in output and ": success" in output
    assert "args ['--lr', '0.1']" in output
    assert '{"metric": "loss", "value": 0.5, "step": 1, "total": 1}' in output


def test_job_magic_explains_bad_input(server: ServerProcess) -> None:
    output = server.run_in_new_kernel(
        "%load_ext jlab_platform.kernel\n%job run missing.py\n%job run x.py --env tpu\n%job frobnicate\n"
    )
    assert "The platform refused: 400" in output and "does not exist" in output
    assert "invalid choice: 'tpu'" in output
    assert "Unknown %job command: frobnicate" in output and "Usage:" in output


def test_submit_from_python_with_a_path_relative_to_the_kernel(server: ServerProcess) -> None:
    folder = server.root / "sub"
    folder.mkdir(exist_ok=True)
    (folder / "inner.py").write_text("print('inner ran')\n")
    output = server.run_in_new_kernel(
        "import os\nos.chdir('sub')\nfrom jlab_platform.kernel import jobs\n"
        "job = jobs.submit('inner.py')\nprint(job['script'])\nprint(jobs.wait(job['id'])['status'])\n"
        "print(jobs.log(job['id']))"
    )
    assert output.split() == ["sub/inner.py", "success", "inner", "ran"], output


def test_metric_helpers_print_parseable_lines() -> None:
    out = io.StringIO()
    log_metric("loss", 0.25, step=3, total=10, stream=out)
    log_metrics(4, total=10, stream=out, loss=0.2, accuracy=0.9)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines == [
        {"metric": "loss", "value": 0.25, "step": 3, "total": 10},
        {"metric": "loss", "value": 0.2, "step": 4, "total": 10},
        {"metric": "accuracy", "value": 0.9, "step": 4, "total": 10},
    ]
