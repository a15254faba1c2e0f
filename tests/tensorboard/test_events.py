"""Event files of jobs' metric lines: one run per job, its arguments as hparams, no TensorFlow."""

import json
import subprocess
import sys
from pathlib import Path

from tensorboard.plugins.hparams import metadata

from jlab_platform.tensorboard.events import args_hparams, hparam_values
from jlab_platform.tensorboard.job_events import JobEvents
from jlab_platform.tensorboard.runs import run_folder_name
from tests.tensorboard.events_reader import hparams_tags, read_events, scalars


def _metric(name: str, value: float, step: int) -> str:
    return json.dumps({"metric": name, "value": value, "step": step}) + "\n"


def test_args_become_typed_hparams() -> None:
    assert args_hparams(["data.csv", "--lr", "0.01", "--epochs=5", "--fast", "--name", "a b"]) == {
        "args": "data.csv --lr 0.01 --epochs=5 --fast --name a b",
        "lr": 0.01,
        "epochs": 5,
        "fast": True,
        "name": "a b",
    }
    assert hparam_values({"layers": [64, 32], "ok": True}) == {"layers": "[64, 32]", "ok": True}


def test_run_folder_names_are_single_safe_names() -> None:
    assert run_folder_name("train model/v2", "ab12") == "train_model_v2-ab12"
    assert run_folder_name("..", "ab12") == "_-ab12"


def test_job_log_becomes_one_run_with_hparams_and_its_end(tmp_path: Path) -> None:
    log = tmp_path / "output.log"
    log.write_text("starting\n" + _metric("loss", 0.9, 1))
    events = JobEvents(tmp_path / "runs", "train", "j1", args_hparams(["--lr", "0.1"]))
    events.poll(log)
    with open(log, "a") as out:
        out.write(_metric("loss", 0.5, 2) + _metric("accuracy", 0.8, 2) + '{"metric": "loss", "val')
    events.close(log, "success")
    run = tmp_path / "runs" / "train-j1"
    assert scalars(run) == {"loss": [(1, 0.9), (2, 0.5)], "accuracy": [(2, 0.8)]}
    assert hparams_tags(run) == [metadata.SESSION_START_INFO_TAG, metadata.SESSION_END_INFO_TAG]
    start = next(
        e
        for e in read_events(run)
        if e.summary.value and e.summary.value[0].tag == metadata.SESSION_START_INFO_TAG
    )
    info = metadata.parse_session_start_info_plugin_data(start.summary.value[0].metadata.plugin_data.content)
    assert info.hparams["lr"].number_value == 0.1
    assert info.hparams["job"].string_value == "train"


def test_a_second_training_in_a_job_is_a_run_inside_the_jobs(tmp_path: Path) -> None:
    log = tmp_path / "output.log"
    log.write_text(
        '{"run": "run-1"}\n'
        + _metric("loss", 1.0, 1)
        + _metric("loss", 0.5, 2)
        + '{"run": "run-2"}\n'
        + _metric("loss", 0.8, 1)
    )
    events = JobEvents(tmp_path / "runs", "two", "j2", {})
    events.close(log, "failed")
    assert scalars(tmp_path / "runs" / "two-j2") == {"loss": [(1, 1.0), (2, 0.5)]}
    assert scalars(tmp_path / "runs" / "two-j2" / "run-2") == {"loss": [(1, 0.8)]}


def test_a_job_without_metrics_writes_no_run(tmp_path: Path) -> None:
    log = tmp_path / "output.log"
    log.write_text("no metrics here\n")
    JobEvents(tmp_path / "runs", "quiet", "j3", {}).close(log, "success")
    assert not (tmp_path / "runs").exists()


def test_writing_events_never_imports_tensorflow() -> None:
    code = (
        "import sys; from jlab_platform.tensorboard import job_events, events; "
        "print('tensorflow' in sys.modules)"
    )
    printed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert printed.strip() == "False"
