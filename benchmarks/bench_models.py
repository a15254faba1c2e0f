"""Model library benchmark: registry operations against MLflow, batch prediction as a job.

Prints each figure with its baseline from the same run. Targets (issue "Model library"):
- publish + set alias + resolve ``name@alias``, p50: ours / MLflow's (a real ``mlflow server`` on
  SQLite, through its client) <= 0.5. Ours through the REST API of a real Jupyter server: the
  publish copies the checkpoint into the content-addressed store and hashes the data's file
  list; MLflow's equivalent logs the checkpoint as a run's artifact and registers a version
  from it (figure 1). Figure 2 is MLflow's registry calls alone (a version from an artifact
  logged beforehand), a lower bound MLflow gets only when the files are already stored.
- batch prediction of 1,000 images as a job / a direct predict loop in one process (a script
  that loads the template and calls its ``predict`` on the folder), in images/s, >= 0.9: start
  to end (the job: POST until completed, with its scheduling, snapshot and the files it writes;
  the script: start to exit; both import Python and torch), and the prediction alone (the last
  progress line of each: images / seconds since the module's loop began). The images are outside the jobs'
  snapshots (``.jobignore``), as a workspace with image sets keeps them.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jlab_platform.kernel.batch_predict import PROGRESS_METRIC
from tests.helpers.jupyter import ServerProcess, running_server
from tests.helpers.mlflow_server import running_mlflow
from tests.model_library.conftest import TINY_MAIN, TINY_SPEC
from tests.modules.factory import write_module, write_stripes

API = "jlab-platform/api/"
PUBLISHES = 15
IMAGES, IMAGE_SIDE, MODEL_SIDE = 1000, 128, 64
TURNS = 3


def wait_for(
    fetch: Callable[[], dict[str, Any]], ended: tuple[str, ...], timeout: float = 600
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = fetch()
        if found["state"] in ended:
            return found
        time.sleep(0.5)  # faster polls take the server's CPU from the job on a small machine
    raise RuntimeError(f"still {found['state']} after {timeout} s: {found}")


def make_workspace(root: Path) -> None:
    write_module(root / "modules", "tiny", TINY_SPEC.format(version="1.0"), TINY_MAIN)
    write_stripes(root / "data" / "stripes", per_class=3, size=8)
    write_stripes(root / "data" / "pictures-train", per_class=16, size=IMAGE_SIDE)
    rng = np.random.default_rng(0)
    flat = root / "data" / "pictures"
    flat.mkdir(parents=True)
    for index in range(IMAGES):
        pixels = rng.integers(0, 256, (IMAGE_SIDE, IMAGE_SIDE, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(flat / f"{index:04d}.png")
    git = ["git", "-C", str(root), "-c", "user.name=bench", "-c", "user.email=bench@example.com"]
    # The jobs read the data paths in place: a workspace with image sets keeps them out of the
    # snapshot every job copies (README, Jobs).
    (root / ".jobignore").write_text("data/\n")
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "modules"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "bench"], check=True)


# -- (a) publish + alias + resolve -------------------------------------------------


def completed_trainings(server: ServerProcess, count: int) -> list[str]:
    server.request(
        "POST",
        API + "models",
        {"name": "bench", "template": "tiny", "data_paths": ["data/stripes"], "train": False},
    )
    ids = [server.request("POST", API + "models/bench/trainings", {})["id"] for _ in range(count)]
    for training_id in ids:
        training = wait_for(
            partial(server.request, "GET", API + f"models/bench/trainings/{training_id}"),
            ("completed", "failed", "terminated"),
        )
        if training["state"] != "completed":
            raise RuntimeError(f"training {training_id} {training['state']}: {training}")
    return list(ids)


def ours_once(server: ServerProcess, training_id: str) -> float:
    start = time.perf_counter()
    version = server.request("POST", API + "models/bench/versions", {"training_id": training_id})["version"]
    server.request("PUT", API + "models/bench/aliases/production", {"version": version})
    resolved = server.request("GET", API + "models/bench/run?version=production")
    elapsed = time.perf_counter() - start
    assert resolved["version"] == version, resolved
    return elapsed


def mlflow_once(client: Any, checkpoint: Path, experiment_id: str, stored: tuple[str, str] | None) -> float:
    """Store the checkpoint as a run's artifact (or take ``stored``: run id, source); register, alias, get."""
    start = time.perf_counter()
    if stored is None:
        run_id = client.create_run(experiment_id).info.run_id
        client.log_artifact(run_id, str(checkpoint), "checkpoint")
        client.set_terminated(run_id)
        source = f"{client.get_run(run_id).info.artifact_uri}/checkpoint"
    else:
        run_id, source = stored
    version = client.create_model_version("bench", source, run_id=run_id, await_creation_for=0).version
    client.set_registered_model_alias("bench", "production", version)
    resolved = client.get_model_version_by_alias("bench", "production")
    elapsed = time.perf_counter() - start
    assert resolved.version == version
    return elapsed


def bench_registry(server: ServerProcess, mlflow_url: str, scratch: Path) -> None:
    from mlflow import MlflowClient

    trainings = completed_trainings(server, PUBLISHES + 1)
    client = MlflowClient(mlflow_url)
    client.create_registered_model("bench")
    experiment_id = client.create_experiment("bench")
    checkpoint = scratch / "model.pt"
    checkpoint.write_text(json.dumps({"horizontal": 3, "vertical": 3}))
    stored = client.create_run(experiment_id).info.run_id
    client.log_artifact(stored, str(checkpoint), "checkpoint")
    stored_source = (stored, f"{client.get_run(stored).info.artifact_uri}/checkpoint")
    # One of each first (connections, caches), then turns interleaved: drift hits all three alike.
    ours_once(server, trainings.pop())
    mlflow_once(client, checkpoint, experiment_id, None)
    ours, full, registry = [], [], []
    for training_id in trainings:
        ours.append(ours_once(server, training_id))
        full.append(mlflow_once(client, checkpoint, experiment_id, None))
        registry.append(mlflow_once(client, checkpoint, experiment_id, stored_source))
    p50 = {
        name: statistics.median(times) * 1000
        for name, times in (("ours", ours), ("full", full), ("reg", registry))
    }
    print(f"(a) publish + set alias + resolve name@alias, p50 of {len(ours)}:")
    print(f"    ours (REST, checkpoint copied and hashed)         {p50['ours']:8.1f} ms")
    print(f"    MLflow (artifact logged + version + alias + get)  {p50['full']:8.1f} ms")
    print(f"    MLflow registry calls only (artifact stored before) {p50['reg']:6.1f} ms")
    print(
        f"    ours / MLflow = {p50['ours'] / p50['full']:.2f} (target <= 0.5); "
        f"ours / MLflow registry only = {p50['ours'] / p50['reg']:.2f}"
    )


# -- (b) batch prediction ----------------------------------------------------------


def trained_version(server: ServerProcess) -> dict[str, Any]:
    server.request(
        "POST",
        API + "models",
        {
            "name": "pictures",
            "template": "image-classifier",
            "data_paths": ["data/pictures-train"],
            "config": {"max_iter": 5, "batch_size": 8, "image_size": MODEL_SIDE},
            "train": False,
        },
    )
    training = server.request("POST", API + "models/pictures/trainings", {})
    ended = wait_for(
        lambda: server.request("GET", API + f"models/pictures/trainings/{training['id']}"),
        ("completed", "failed", "terminated"),
    )
    if ended["state"] != "completed":
        raise RuntimeError(f"training {ended['state']}: {ended}")
    server.request("POST", API + "models/pictures/versions", {"training_id": training["id"]})
    run: dict[str, Any] = server.request("GET", API + "models/pictures/run")
    return run


# Its predict's progress as the job's (the same lines), so the two prediction rates are alike.
DIRECT = """
import sys
from jlab_platform.kernel import modules
from jlab_platform.kernel.batch_predict import MetricProgress
from jlab_platform.kernel.module_run import progress_with
module = modules.load("image-classifier")
with progress_with(MetricProgress):
    predictions = module.predict(images=sys.argv[1], checkpoint=sys.argv[2])
print(len(predictions))
"""


def direct_rates(root: Path, run_dir: Path) -> tuple[float, float]:
    """A script that loads the template and predicts the folder: start to exit, and its prediction rate."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", DIRECT, str(root / "data" / "pictures"), str(run_dir)],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
        env={**os.environ, "JLAB_PLATFORM_URL": ""},  # the catalog of its folder, no server
    )
    elapsed = time.perf_counter() - start
    assert done.stdout.split()[-1] == str(IMAGES), done.stdout
    return IMAGES / elapsed, last_rate(done.stdout)


def job_rates(server: ServerProcess, version: str) -> tuple[float, float]:
    """End to end (POST until completed) and the job's own prediction rate, in images/s."""
    base = API + f"models/pictures/versions/{version}/batch-predictions"
    start = time.perf_counter()
    started = server.request("POST", base, {"data_path": "data/pictures"})
    ended = wait_for(
        lambda: server.request("GET", f"{base}/{started['id']}"), ("completed", "failed", "terminated")
    )
    elapsed = time.perf_counter() - start
    if ended["state"] != "completed":
        raise RuntimeError(f"batch prediction {ended['state']}: {ended}")
    log = server.request("GET", API + f"jobs/{ended['job_id']}/log")["data"]
    return IMAGES / elapsed, last_rate(log)


def last_rate(printed: str) -> float:
    """The last ``images_per_second`` progress line's value: images / time since the first batch began."""
    rates = [json.loads(line)["value"] for line in printed.splitlines() if PROGRESS_METRIC in line]
    return float(rates[-1])


def bench_batch(server: ServerProcess, root: Path) -> None:
    run = trained_version(server)
    run_dir = root / run["run_dir"]
    direct_rates(root, run_dir)  # the page cache warm for both
    turns = [(*direct_rates(root, run_dir), *job_rates(server, run["version"])) for _ in range(TURNS)]
    script, predict, job, in_job = (statistics.median(turn[k] for turn in turns) for k in range(4))
    print(
        f"(b) batch prediction of {IMAGES} images ({IMAGE_SIDE}px PNG, model input {MODEL_SIDE}px), "
        f"medians of {TURNS} turns, images/s:"
    )
    print(
        f"    a direct predict script, start to exit {script:7.1f} | as a job, POST to completed "
        f"{job:7.1f} | ratio {job / script:.2f}"
    )
    print(
        f"    the script's prediction rate           {predict:7.1f} | the job's prediction rate   "
        f"{in_job:7.1f} | ratio {in_job / predict:.2f}"
    )
    print("    (target: job / direct >= 0.9)")


def main() -> None:
    scratch = Path(tempfile.mkdtemp(prefix="bench-models-"))
    try:
        root = scratch / "workspace"
        root.mkdir()
        make_workspace(root)
        with running_mlflow(scratch / "mlflow") as mlflow_url, running_server(root) as server:
            bench_registry(server, mlflow_url, scratch)
            bench_batch(server, root)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
