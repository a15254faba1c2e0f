"""Labeling benchmark: uncertainty selection, and many labelers submitting at once.

Prints each figure with its baseline from the same run (for the labelers: the same clients
against Jupyter's cheapest endpoint, the HTTP stack's own ceiling on this machine).
Targets (issue "Labeling and crowdsourcing"): selecting the top 1,000 of 1,000,000
samples x 10 classes in under 0.5 s; 50 concurrent labelers over loopback for 30 s: at
least 500 submissions/s, p99 under 100 ms, and every acknowledged label present afterwards.

Usage: ``.venv/bin/python benchmarks/bench_crowd.py [--seconds 30] [--labelers 50]``
"""

import argparse
import asyncio
import json
import os
import random
import resource
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


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


async def labeler(url: str, token: str, name: str, stop_at: float, pace: float, phase: Phase) -> None:
    """One person's labeling page, labeling what it is given; ``pace``: seconds per label (0: flat out).

    Like a browser tab, each labeler keeps its connection to the server open between requests.
    """
    headers = {"X-Labeler-Token": token}
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=1), timeout=aiohttp.ClientTimeout(total=60)
    ) as session:

        async def post(path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            async with session.post(url + path, json=body, headers=headers) as response:
                answer: dict[str, Any] = await response.json()
                if response.status not in (200, 409):
                    raise RuntimeError(f"{path}: {response.status} {answer}")
                return response.status, answer

        acked = phase.acked.setdefault(name, [])
        if pace:  # people do not start in step: spread the first labels over one pace
            await asyncio.sleep(random.uniform(0, pace))
        _, answer = await post("next", {"prefetch": 2})
        while answer["samples"] and time.monotonic() < stop_at:
            sample, label = answer["samples"][0]["id"], "a" if len(acked) % 2 else "b"
            start = time.perf_counter()
            status, answer = await post(
                "labels", {"sample_id": sample, "label": label, "request_id": uuid.uuid4().hex}
            )
            if status == 409:
                phase.conflicts += 1
                _, answer = await post("next", {"prefetch": 2})
                continue
            took = time.perf_counter() - start
            phase.latencies.append(took)
            acked.append((sample, label))
            if pace > took:
                await asyncio.sleep(pace - took)


async def run_phase(
    server: ServerProcess, invites: list[dict[str, Any]], seconds: float, pace: float, phase: Phase
) -> None:
    url = server.url + "jlab-platform/label/api/"
    stop_at = time.monotonic() + seconds
    started = time.perf_counter()
    await asyncio.gather(
        *(labeler(url, i["token"], i["labeler"]["name"], stop_at, pace, phase) for i in invites)
    )
    phase.elapsed = time.perf_counter() - started


async def http_floor(server: ServerProcess, clients: int, seconds: float, phase: Phase) -> None:
    """The baseline: the same clients asking Jupyter's cheapest endpoint (GET /api, its version)."""

    async def client() -> None:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1)) as session:
            while time.monotonic() < stop_at:
                start = time.perf_counter()
                async with session.get(server.url + "api") as response:
                    await response.read()
                phase.latencies.append(time.perf_counter() - start)

    stop_at = time.monotonic() + seconds
    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    phase.elapsed = time.perf_counter() - started


def measured(server: ServerProcess, load: Callable[[Phase], Awaitable[None]], name: str) -> Phase:
    phase = Phase(name)
    process = psutil.Process(server.process.pid)
    server_before = sum(process.cpu_times()[:2])
    client_before = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
    asyncio.run(load(phase))
    phase.server_cpu = sum(process.cpu_times()[:2]) - server_before
    phase.client_cpu = sum(resource.getrusage(resource.RUSAGE_SELF)[:2]) - client_before
    return phase


def rate(phase: Phase) -> float:
    return len(phase.latencies) / phase.elapsed


def percentile_ms(phase: Phase, fraction: float) -> float:
    flat = sorted(phase.latencies)
    return flat[min(len(flat) - 1, int(len(flat) * fraction))] * 1000


def report(phase: Phase, clients: int, check_targets: bool, what: str = "submissions/s") -> None:
    total, per_second = len(phase.latencies), rate(phase)
    p50, p99 = percentile_ms(phase, 0.5), percentile_ms(phase, 0.99)
    rate_note = f"   target >= 500: {'met' if per_second >= 500 else 'MISSED'}" if check_targets else ""
    p99_note = f"   target p99 < 100 ms: {'met' if p99 < 100 else 'MISSED'}" if check_targets else ""
    per = 1000 / max(total, 1)
    print(f"\n{phase.name}: {clients} clients over 127.0.0.1 for {phase.elapsed:.1f} s")
    print(f"  {what:13s} {per_second:8.1f}{rate_note}")
    print(f"  latency p50   {p50:8.1f} ms   p99 {p99:.1f} ms{p99_note}")
    print(
        f"  CPU per request: server {phase.server_cpu * per:.2f} ms, "
        f"client {phase.client_cpu * per:.2f} ms ({os.cpu_count()} cores, shared with all else running here)"
    )


@dataclass
class LabelingRun:
    flat_out: Phase
    paced: Phase | None
    floor: Phase | None
    samples: int
    stored: list[dict[str, Any]]

    def phases(self) -> list[Phase]:
        return [phase for phase in (self.flat_out, self.paced) if phase is not None]

    def acknowledged(self) -> set[tuple[str, str, str]]:
        return {
            (name, sample, label)
            for phase in self.phases()
            for name, acked in phase.acked.items()
            for sample, label in acked
        }

    def missing(self) -> int:
        """Labels acknowledged to a labeler but not in the store afterwards."""
        present = {(row["labeler"], row["sample_id"], row["label"]) for row in self.stored}
        return len(self.acknowledged() - present)


def samples_for(seconds: float) -> int:
    """More samples than the server can label in ``seconds`` of flat-out and paced load."""
    return int(1500 * seconds + 10000)


@contextmanager
def labeling_task(
    samples: int, labelers: int, *server_args: str, env: Mapping[str, str] | None = None
) -> Iterator[tuple[ServerProcess, dict[str, Any]]]:
    """A server in a new workspace of ``samples`` images, with one scored task of ``labelers`` invites."""
    with tempfile.TemporaryDirectory(prefix="bench-crowd-") as tmp:
        root = Path(tmp) / "workspace"
        make_workspace(root, samples)
        with running_server(root, *server_args, env=env) as server:
            yield server, create_task(server, labelers, samples)


def flat_out_phase(server: ServerProcess, invites: list[dict[str, Any]], seconds: float) -> Phase:
    """The targets, taken strictly: every labeler submits again as soon as it is answered."""
    return measured(
        server, lambda phase: run_phase(server, invites, seconds, 0.0, phase), "Flat out (no pause)"
    )


def run_labelers(
    seconds: float, labelers: int, *server_args: str, flat_out_only: bool = False
) -> LabelingRun:
    """A server with one task and ``labelers`` invites, loaded flat out, then paced, then the floor."""
    samples = samples_for(seconds)
    with labeling_task(samples, labelers, *server_args) as (server, task):
        invites = task["invites"]
        flat_out = flat_out_phase(server, invites, seconds)
        paced = floor = None
        if not flat_out_only:
            # Each person labels at most 10 samples/s: 50 people offer 500 submissions/s.
            paced = measured(
                server,
                lambda phase: run_phase(server, invites, min(10.0, seconds), labelers / 500, phase),
                "Paced (10 labels/s per person)",
            )
            floor = measured(
                server,
                lambda phase: http_floor(server, labelers, min(10.0, seconds), phase),
                "Baseline: GET /api (Jupyter's version; no work)",
            )
        stored = server.request("GET", f"jlab-platform/api/crowd/tasks/{task['id']}/labels")["labels"]
    return LabelingRun(flat_out, paced, floor, samples, stored)


def bench_labelers(seconds: float, labelers: int) -> None:
    run = run_labelers(seconds, labelers)
    assert run.paced is not None and run.floor is not None
    report(run.flat_out, labelers, check_targets=True)
    report(run.paced, labelers, check_targets=False)
    report(run.floor, labelers, check_targets=False, what="requests/s")
    print(
        f"\n  label submissions/s vs the HTTP floor: {rate(run.flat_out):.0f} / {rate(run.floor):.0f}"
        f" -> ratio {rate(run.flat_out) / rate(run.floor):.2f}"
    )
    report_afterwards(run)


def report_afterwards(run: LabelingRun) -> None:
    missing = run.missing()
    duplicates = len(run.stored) - len({row["sample_id"] for row in run.stored})
    conflicts = sum(phase.conflicts for phase in run.phases())
    print(f"\nAfterwards ({run.samples:,} samples, overlap 1):")
    print(
        f"  acknowledged {len(run.acknowledged()):,}; stored {len(run.stored):,}; "
        f"acknowledged but missing: {missing}"
    )
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
