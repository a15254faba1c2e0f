"""The kernel library runs modules: validation, run folders, metrics, progress, checkpoints."""

import io
import json
import re
from pathlib import Path
from typing import NoReturn

import pytest

from jlab_platform.kernel import modules
from jlab_platform.kernel.client import ServerNotFound
from jlab_platform.kernel.module_run import TextProgress
from jlab_platform.modules import InvalidParams
from tests.helpers.jupyter import ServerProcess
from tests.modules.factory import write_module, write_stripes


def test_the_inserted_snippet_trains_the_shipped_classifier_in_a_kernel(server: ServerProcess) -> None:
    write_stripes(server.root / "datasets" / "stripes")
    snippet = server.request(
        "POST",
        "jlab-platform/api/modules/image-classifier/snippet",
        {
            "action": "train",
            "params": {"data_dir": "datasets/stripes", "max_iter": 30, "batch_size": 8, "image_size": 16},
        },
    )["code"]
    output = server.run_in_new_kernel(
        "from pathlib import Path\n" + snippet + "print(run)\n"
        "predictions = module.predict(images='datasets/stripes')\n"
        "print('predicted', len(predictions), sorted(predictions[0]))\n"
        "print('sums', {round(sum(p['probability']), 4) for p in predictions})\n"
        "print('right', sum(p['label'] == Path(p['sample']).parent.name for p in predictions))\n",
        timeout=240,
    )
    # A notebook shows a line per report (in iterations); the JSON metric lines are for jobs.
    assert (
        re.search(r"^iteration 30/30 · loss [-+.\de]+ · accuracy", output, re.M) and '{"metric"' not in output
    ), output
    assert "IntProgress" in output  # the ipywidgets progress bar was displayed
    assert "predicted 24 ['label', 'probability', 'sample']" in output and "sums {1.0}" in output
    right = re.search(r"right (\d+)", output)
    assert right is not None and int(right.group(1)) >= 18, output
    runs = sorted((server.root / "results" / "image-classifier").iterdir())
    assert len(runs) == 1 and (runs[0] / "model.pt").is_file() and (runs[0] / "classes.json").is_file()
    record = json.loads((runs[0] / "run.json").read_text())
    assert record["status"] == "complete" and record["params"]["max_iter"] == 30
    assert set(record["metrics"]) == {"loss", "accuracy", "lr", "val_accuracy"}
    assert f"run_dir='{runs[0]}'" in output


# -- in this process, without a server ------------------------------------------


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    def no_server() -> NoReturn:
        raise ServerNotFound("no server in this test")

    monkeypatch.setattr("jlab_platform.kernel.modules.find_server", no_server)
    monkeypatch.delenv("JLAB_RESULTS_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    write_module(tmp_path / "modules", "simple")
    return tmp_path


def test_train_writes_a_run_folder_and_predict_loads_the_latest(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    module = modules.load("simple")
    first = module.train(steps=2)
    second = modules.train("simple", steps=5, label="b")
    assert first.run_dir.parent == second.run_dir.parent == workspace / "results" / "simple"
    assert second.result == {"total": 5.0, "label": "b"} and second.metrics == {"loss": 0.2}
    out = capsys.readouterr().out.splitlines()
    assert json.loads(out[0]) == {"run": first.run_dir.name}
    assert json.loads(out[1]) == {"metric": "loss", "value": 1.0, "step": 1, "total": 2}
    assert out[3] == f"Saved to results/simple/{first.run_dir.name}/"
    assert len(out) == 2 + 5 + 4  # the metric lines, a run line and a "Saved to" line per training
    metrics = [json.loads(line) for line in (second.run_dir / "metrics.jsonl").read_text().splitlines()]
    assert [m["value"] for m in metrics] == [1.0, 0.5, 1 / 3, 0.25, 0.2]
    assert module.predict(value=2.0) == 10.0  # the latest run trained with 5 steps
    assert module.predict(value=2.0, checkpoint=str(first.run_dir)) == 4.0
    assert module.runs() == [first.run_dir, second.run_dir]


def test_a_failed_run_is_recorded_and_never_loaded(workspace: Path) -> None:
    module = modules.load("simple")
    with pytest.raises(modules.ModuleError, match="no trained run"):
        module.predict(value=1.0)
    good = module.train(steps=3)
    (workspace / "modules" / "simple" / "main.py").write_text(
        "def train(steps, label='x', *, context):\n    raise RuntimeError('out of memory')\n"
        "def predict(value, *, context):\n    return str(context.run_dir)\n"
    )
    module = modules.load("simple")
    with pytest.raises(RuntimeError, match="out of memory"):
        module.train(steps=1)
    failed = [run for run in module.results_dir.iterdir() if run != good.run_dir]
    record = json.loads((failed[0] / "run.json").read_text())
    assert record["status"] == "failed" and record["error"] == "RuntimeError: out of memory"
    assert module.predict(value=1.0) == str(good.run_dir)
    with pytest.raises(modules.ModuleError, match="is not a run"):
        module.predict(value=1.0, checkpoint=str(workspace / "modules"))


def test_inputs_are_checked_against_the_spec(workspace: Path) -> None:
    module = modules.load("simple")
    with pytest.raises(InvalidParams) as info:
        module.train(steps=11, label=3, bogus=True)
    assert set(info.value.fields) == {"steps", "label", "bogus"}
    assert "steps: 11 is outside the range 1 to 10" in str(info.value)
    with pytest.raises(InvalidParams, match="value"):
        module.predict()
    with pytest.raises(InvalidParams, match="does not exist"):
        module.predict(value=1.0, checkpoint="results/nowhere")
    assert not (workspace / "results" / "simple").exists() or not list(
        (workspace / "results" / "simple").iterdir()
    )


def test_load_explains_what_is_wrong(workspace: Path) -> None:
    with pytest.raises(Exception, match="No module named 'nothing'"):
        modules.load("nothing")
    folder = write_module(workspace / "modules", "broken", spec="train:\n  inputs:\n    n: {type: number}\n")
    with pytest.raises(modules.ModuleError, match=re.escape(f"{folder / 'module_spec.yml'}:3:")):
        modules.load("broken")
    needs = write_module(workspace / "modules", "needs")
    (needs / "requirements.txt").write_text("# comment\nnumpy>=1\nsurely-not-installed-pkg>=1\ntorch<1\n")
    with pytest.raises(modules.ModuleError) as info:
        modules.load("needs")
    message = str(info.value)
    assert "surely-not-installed-pkg>=1 (not installed)" in message and "torch<1 (2." in message
    assert "numpy" not in message.split("needs:")[1].split("Install")[0]
    assert "%pip install -r" in message


def test_plain_text_progress_bar() -> None:
    stream = io.StringIO()
    bar = TextProgress(4, "train", stream=stream)
    for _ in range(4):
        bar.update()
    bar.close()
    last = stream.getvalue().split("\r")[-1]
    assert last.startswith("train [" + "#" * 30 + "] 100% 4/4") and last.endswith("\n")


def test_a_class_module_with_a_seed_style_config_json(workspace: Path) -> None:
    main = (
        "from helpers import Base  # a file beside main.py\n\n"
        "class Helper(Base):\n    pass\n\n"
        "class cstest(object):\n    def __init__(self, input={}):\n        self.seen = []\n"
        "    def train(self, epochs=1):\n        self.seen.append(epochs)\n        return self.seen\n"
        "    def predict(self, images):\n        return [{'sample': images, 'probability': [0.5, 0.5]}]\n"
    )
    spec = json.dumps(
        {
            "task_type": "classification",
            "classes": ["dog", "cat"],
            "train": {"inputs": {"epochs": {"type": "int", "default": 2}}},
            "predict": {"inputs": {"images": {"type": "path"}}},
        }
    )
    write_module(workspace / "modules", "cstest", spec, main=main, spec_file="config.json")
    (workspace / "modules" / "cstest" / "helpers.py").write_text(
        "class Base:\n    def train(self):\n        raise AssertionError('inherited: not an entry point')\n"
    )
    module = modules.load("cstest")
    assert module.train().result == [2] and module.train(epochs=3).result == [2, 3]  # one instance
    assert module.predict(images="modules") == [{"sample": "modules", "probability": [0.5, 0.5]}]
