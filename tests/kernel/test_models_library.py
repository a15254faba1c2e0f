"""The kernel library of the model library in a real kernel of a real server: create, train (a
job), publish, alias, load by alias and predict in the kernel, batch-predict as a job, versions,
deploy an alias."""

import json
import re

from tests.helpers.jupyter import ServerProcess
from tests.modules.factory import write_stripes

CODE = """
import json
from pathlib import Path
from jlab_platform.kernel import find_server, models

models.create("stripes", template="image-classifier", data_paths=["data/stripes"],
              config={"max_iter": 30, "batch_size": 8, "image_size": 16, "seed": 0})
job = models.train("stripes")
version = models.publish(job, timeout=240)
models.set_alias("stripes", "production", version)
predictor = models.load("stripes@production")
predictions = predictor.predict(images="data/test")
right = sum(p["label"] == Path(p["sample"]).parent.name for p in predictions)
print("published", version, "predicted", len(predictions), "right", right)
print("loaded", predictor.version, predictor.template, predictor.run_dir.is_dir())
done = models.batch_predict("stripes@production", "data/test", timeout=240)
print("batch", json.dumps(done))
listed = models.versions("stripes")
print("versions", [v["version"] for v in listed], listed[0]["aliases"])
deployed = models.deploy("stripes@production")
print("deployed", deployed["name"], deployed["model_version"], bool(deployed["key"]))
find_server().request("DELETE", "deployments/stripes", timeout=120)
try:
    models.load("stripes@nowhere")
except Exception as exc:
    print("unknown alias:", type(exc).__name__, exc)
try:
    models.publish(job)
except Exception as exc:
    print("second publish:", type(exc).__name__, exc)
"""


def test_load_by_alias_predicts_in_a_kernel(server: ServerProcess) -> None:
    write_stripes(server.root / "data" / "stripes", per_class=8, size=16)
    write_stripes(server.root / "data" / "test", per_class=6, size=16, seed=3)

    output = server.run_in_new_kernel(CODE, timeout=420)

    found = re.search(r"published (\S+) predicted (\d+) right (\d+)", output)
    assert found is not None, output
    assert found.group(1) == "1.01" and found.group(2) == "12" and int(found.group(3)) >= 9, output
    assert "loaded 1.01 image-classifier True" in output
    batch = json.loads(re.search(r"^batch (.*)$", output, re.M).group(1))  # type: ignore[union-attr]
    assert batch["state"] == "completed" and batch["version"] == "1.01" and batch["report"], batch
    report = json.loads((server.root / batch["output"] / "model_analysis_results.json").read_text())
    assert report["overall"]["samples"] == 12
    with open(server.root / batch["output"] / "predictions.csv") as handle:
        assert len(handle.read().splitlines()) == 13
    assert "versions ['1.01'] ['production']" in output
    assert "unknown alias: ServerError 404" in output and "nowhere" in output
    assert "second publish: ServerError 409" in output
    assert "deployed stripes stripes@1.01 True" in output  # the alias deployed as the version it named
