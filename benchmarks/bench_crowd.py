"""Labeling benchmark: uncertainty selection, and many labelers submitting at once.

Prints each figure with its baseline from the same run. Targets (issue "Labeling and
crowdsourcing"): selecting the top 1,000 of 1,000,000 samples x 10 classes in under
0.5 s; 50 concurrent labelers over loopback for 30 s: at least 500 submissions/s, p99
under 100 ms, and every acknowledged label present afterwards.

Usage: ``.venv/bin/python benchmarks/bench_crowd.py [--seconds 30] [--labelers 50]``
"""

import argparse
import asyncio
import json
import os
import resource
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

from jlab_platform.crowd.selection import select, uncertainty
from tests.helpers.jupyter import ServerProcess, running_server

SAMPLES, CLASSES, TOP = 1_000_000, 10, 1000
RUNS = 3
# A seed-format module that scores without opening the images (uniform: an unfitted model).
MODULE = """import glob, os, pickle

def predict():
    task_id = os.environ["JLAB_CROWD_TASK_ID"]
    with open("./results/" + task_id + "/create.pkl", "rb") as f:
        folder = pickle.load(f)["filename"]
    results = [{"sample": s, "probability": [0.5, 0.5]} for s in glob.glob(os.path.join(folder, "*.png"))]
    with open("./results/" + task_id + "/sample.pkl", "wb") as f:
        pickle.dump({"results": results, "max_choose": len(results)}, f)

def train():
    pass
"""
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010800000000"
    "3a7e9b550000000a4944415478da63f80f00010101001b6c04a40000000049454e44ae426082"
)


def best_of(fn: Any) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_selection() -> None:
    probs = np.random.default_rng(0).dirichlet(np.ones(CLASSES), size=SAMPLES).astype(np.float32)
    print(f"Selection: top {TOP:,} of {SAMPLES:,} samples x {CLASSES} classes (best of {RUNS})")
    for strategy in ("least_confidence", "margin", "entropy", "random"):
        ours = best_of(lambda s=strategy: select(probs, s, TOP, seed=0))

        def full_sort(s: str = strategy) -> None:
            scores = uncertainty(probs.astype(np.float64), s)
            np.argsort(-scores, kind="stable")[:TOP]

        baseline = best_of(full_sort)
        print(
            f"  {strategy:17s} {ours * 1000:7.1f} ms   full argsort baseline {baseline * 1000:7.1f} ms"
            f"   ratio {ours / baseline:.2f}   target < 500 ms: {'met' if ours < 0.5 else 'MISSED'}"
        )


def make_workspace(root: Path, samples: int) -> None:
    images = root / "bench" / "images"
    images.mkdir(parents=True)
    for index in range(samples):
        (images / f"img_{index:06d}.png").write_bytes(PNG)
    module = root / "bench" / "module"
    module.mkdir()
    (module / "main.py").write_text(MODULE)
    (module / "config.json").write_text(json.dumps({"classes": ["a", "b"], "task_type": "classification"}))


def create_task(server: ServerProcess, labelers: int, samples: int) -> dict[str, Any]:
    body = {
        "name": "bench",
        "dataset": "bench/images",
        "module": "bench/module",
        "max_choose": samples,
        "labelers": [f"labeler{i:02d}" for i in range(labelers)],
    }
    task: dict[str, Any] = server.request("POST", "jlab-platform/api/crowd/tasks", body)
    deadline = time.monotonic() + 300
    while server.request("GET", f"jlab-platform/api/crowd/tasks/{task['id']}")["state"] == "scoring":
        if time.monotonic() > deadline:
            raise TimeoutError("the scoring job did not finish")
        time.sleep(0.2)
    return task


@dataclass
class Phase:
    """One timed run of the labelers: what they got acknowledged and how long each took."""

    name: str
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)
    acked: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    conflicts: int = 0
    server_cpu: float = 0.0
    client_cpu: float = 0.0


async def labeler(
    client: AsyncHTTPClient, url: str, token: str, name: str, stop_at: float, pace: float, phase: Phase
) -> None:
    """One person's labeling page, labeling what it is given; ``pace``: seconds per label (0: flat out)."""
    headers = {"X-Labeler-Token": token, "Content-Type": "application/json"}

    async def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        request = HTTPRequest(
            url + path, method="POST", headers=headers, body=json.dumps(body), request_timeout=60
        )
        answer: dict[str, Any] = json.loads((await client.fetch(request)).body)
        return answer

    acked = phase.acked.setdefault(name, [])
    answer = await post("next", {"prefetch": 2})
    while answer["samples"] and time.monotonic() < stop_at:
        sample, label = answer["samples"][0]["id"], "a" if len(acked) % 2 else "b"
        start = time.perf_counter()
        try:
            answer = await post(
                "labels", {"sample_id": sample, "label": label, "request_id": uuid.uuid4().hex}
            )
        except HTTPClientError as error:
            if error.code != 409:
                raise
            phase.conflicts += 1
            answer = await post("next", {"prefetch": 2})
            continue
        took = time.perf_counter() - start
        phase.latencies.append(took)
        acked.append((sample, label))
        if pace > took:
            await asyncio.sleep(pace - took)


async def run_phase(
    server: ServerProcess, invites: list[dict[str, Any]], seconds: float, pace: float, phase: Phase
) -> None:
    AsyncHTTPClient.configure(None, max_clients=len(invites))
    client = AsyncHTTPClient()
    url = server.url + "jlab-platform/label/api/"
    stop_at = time.monotonic() + seconds
    started = time.perf_counter()
    await asyncio.gather(
        *(labeler(client, url, i["token"], i["labeler"]["name"], stop_at, pace, phase) for i in invites)
    )
    phase.elapsed = time.perf_counter() - started
    client.close()


def measured(
    server: ServerProcess, invites: list[dict[str, Any]], seconds: float, pace: float, name: str
) -> Phase:
    phase = Phase(name)
    process = psutil.Process(server.process.pid)
    server_before = sum(process.cpu_times()[:2])
    client_before = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
    asyncio.run(run_phase(server, invites, seconds, pace, phase))
    phase.server_cpu = sum(process.cpu_times()[:2]) - server_before
    phase.client_cpu = sum(resource.getrusage(resource.RUSAGE_SELF)[:2]) - client_before
    return phase


def report(phase: Phase, labelers: int, check_targets: bool) -> None:
    total = len(phase.latencies)
    flat = sorted(phase.latencies)
    p50, p99 = statistics.median(flat) * 1000, flat[min(total - 1, int(total * 0.99))] * 1000
    rate = total / phase.elapsed
    rate_note = f"   target >= 500: {'met' if rate >= 500 else 'MISSED'}" if check_targets else ""
    p99_note = f"   target p99 < 100 ms: {'met' if p99 < 100 else 'MISSED'}" if check_targets else ""
    per = 1000 / max(total, 1)
    print(f"\n{phase.name}: {labelers} labelers over 127.0.0.1 for {phase.elapsed:.1f} s")
    print(f"  submissions/s {rate:8.1f}{rate_note}")
    print(f"  latency p50   {p50:8.1f} ms   p99 {p99:.1f} ms{p99_note}")
    print(
        f"  CPU per submission: server {phase.server_cpu * per:.2f} ms, "
        f"client {phase.client_cpu * per:.2f} ms ({os.cpu_count()} cores, shared with all else running here)"
    )


def bench_labelers(seconds: float, labelers: int) -> None:
    samples = int(1500 * seconds + 4000)  # more than the server can label in both phases
    with tempfile.TemporaryDirectory(prefix="bench-crowd-") as tmp:
        root = Path(tmp) / "workspace"
        make_workspace(root, samples)
        with running_server(root) as server:
            task = create_task(server, labelers, samples)
            # Each person labels at most 10 samples/s: 50 people offer 500 submissions/s.
            paced = measured(
                server, task["invites"], seconds, labelers / 500, "Paced (10 labels/s per person)"
            )
            flat_out = measured(
                server, task["invites"], min(10.0, seconds), 0.0, "Flat out (no pause at all)"
            )
            stored = server.request("GET", f"jlab-platform/api/crowd/tasks/{task['id']}/labels")["labels"]
    report(paced, labelers, check_targets=True)
    report(flat_out, labelers, check_targets=False)
    present = {(row["labeler"], row["sample_id"], row["label"]) for row in stored}
    acknowledged = {
        (name, sample, label)
        for phase in (paced, flat_out)
        for name, acked in phase.acked.items()
        for sample, label in acked
    }
    missing = len(acknowledged - present)
    duplicates = len(stored) - len({row["sample_id"] for row in stored})
    print(f"\nAfterwards ({samples:,} samples, overlap 1):")
    print(
        f"  acknowledged {len(acknowledged):,}; stored {len(stored):,}; acknowledged but missing: {missing}"
    )
    conflicts = paced.conflicts + flat_out.conflicts
    print(f"  samples labeled twice {duplicates} (overlap 1 allows none); 409 answers {conflicts}")
    print(f"  every acknowledged label present: {'yes' if missing == 0 else 'NO'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seconds", type=float, default=30.0, help="how long the labelers submit (default 30)"
    )
    parser.add_argument("--labelers", type=int, default=50, help="concurrent labelers (default 50)")
    args = parser.parse_args()
    bench_selection()
    bench_labelers(args.seconds, args.labelers)


if __name__ == "__main__":
    main()
