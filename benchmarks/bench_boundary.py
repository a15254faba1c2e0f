"""Typed-boundary benchmark: the API before the boundary and after it, in the same run.

Issue 14: parsing requests into the declared models and serializing the declared responses
must add no measurable cost. Two figures, each against a server started from the baseline
commit (the last one before the boundary, checked out in a temporary ``git worktree``) and
one started from this working tree:

- GET /jobs (limit 100) with 10,000 jobs, p50 (bench_jobs' figure): before / after >= 0.95;
- 50 labelers submitting flat out (bench_crowd's load): labels/s after / before >= 0.95.

Each server imports its own tree's jlab_platform through PYTHONPATH (this process moves its
working directory out of the repository, which would otherwise come first on the servers'
path), and is checked: only the new code serves GET /jlab-platform/api/openapi.json.
Both servers are up together and measured in turns (A B A B ...), so that the load of a
shared machine drifts into both figures alike.

Usage: ``.venv/bin/python benchmarks/bench_boundary.py [--rounds 3] [--seconds 8] [--labelers 50]``
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.error
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_crowd import Phase, flat_out_phase, labeling_task, percentile_ms, samples_for
from bench_jobs import seed_jobs

from tests.helpers.jupyter import ServerProcess, running_server

BASELINE = "7a5a2c2"  # the last commit before the typed boundary
REPO = Path(__file__).resolve().parents[1]
# GETs are cheap: many short turns cancel the machine's drift better than a few long ones.
JOBS, LIST_PATH, LIST_TURNS, GETS = 10_000, "jlab-platform/api/jobs?limit=100", 10, 30
TARGET = 0.95


@contextmanager
def baseline_tree(scratch: Path) -> Iterator[Path]:
    tree = scratch / "baseline"
    git = ["git", "-C", str(REPO), "worktree"]
    subprocess.run([*git, "add", "--detach", "--quiet", str(tree), BASELINE], check=True)
    try:
        yield tree
    finally:
        # --force: the servers left byte-code in it.
        subprocess.run([*git, "remove", "--force", str(tree)], check=True)


def check_tree(server: ServerProcess, name: str, new_code: bool) -> None:
    try:
        server.request("GET", "jlab-platform/api/openapi.json")
        serves_document = True
    except urllib.error.HTTPError as exc:
        if exc.code != 404:
            raise
        serves_document = False
    if serves_document != new_code:
        raise RuntimeError(f"the '{name}' server does not run the {name} tree (see PYTHONPATH)")


def cpu_seconds(server: ServerProcess) -> float:
    """The server process's CPU time so far: per request, a figure the machine's other load
    disturbs far less than wall time."""
    return float(sum(psutil.Process(server.process.pid).cpu_times()[:2]))


def verdict(ratio: float) -> str:
    return "met" if ratio >= TARGET else "MISSED"


def bench_list(trees: dict[str, Path], scratch: Path) -> float:
    times: dict[str, list[float]] = {name: [] for name in trees}
    rounds_p50: dict[str, list[float]] = {name: [] for name in trees}
    cpu = dict.fromkeys(trees, 0.0)
    with ExitStack() as stack:
        servers = {}
        for name, tree in trees.items():
            root = scratch / f"jobs-{name}" / "workspace"
            root.mkdir(parents=True)
            server = stack.enter_context(running_server(root, env={"PYTHONPATH": str(tree)}))
            check_tree(server, name, new_code=name == "after")
            seed_jobs(f"sqlite:///{root / '.jlab_platform' / 'platform.db'}", JOBS)
            listed = server.request("GET", LIST_PATH)
            assert len(listed["jobs"]) == 100 and listed["total"] == JOBS, listed["total"]
            server.times_ms(LIST_PATH, 5)  # warm: the database's pages, the first-call imports
            servers[name] = server
        for _ in range(LIST_TURNS):
            for name, server in servers.items():
                cpu_before = cpu_seconds(server)
                took = server.times_ms(LIST_PATH, GETS)
                cpu[name] += cpu_seconds(server) - cpu_before
                times[name] += took
                rounds_p50[name].append(statistics.median(took))
    before, after = statistics.median(times["before"]), statistics.median(times["after"])
    ratio = before / after
    print(f"GET /jobs (limit 100) with {JOBS:,} jobs, {LIST_TURNS} x {GETS} GETs each, in turns:")
    for name in trees:
        per_round = ", ".join(f"{p50:.1f}" for p50 in rounds_p50[name])
        print(
            f"  {name:6s} p50 {statistics.median(times[name]):6.1f} ms   (rounds: {per_round} ms)"
            f"   server CPU {cpu[name] * 1000 / len(times[name]):5.2f} ms per GET"
        )
    print(
        f"  -> ratio before/after {ratio:.2f}   target >= {TARGET}: {verdict(ratio)}"
        f"   (server CPU per GET before/after {cpu['before'] / cpu['after']:.2f})"
    )
    return ratio


def bench_labelers(trees: dict[str, Path], rounds: int, seconds: float, labelers: int) -> float:
    phases: dict[str, list[Phase]] = {name: [] for name in trees}
    with ExitStack() as stack:
        tasks = {}
        for name, tree in trees.items():
            server, task = stack.enter_context(
                labeling_task(samples_for(seconds * rounds), labelers, env={"PYTHONPATH": str(tree)})
            )
            check_tree(server, name, new_code=name == "after")
            tasks[name] = server, task["invites"]
        for _ in range(rounds):
            for name, (server, invites) in tasks.items():
                phases[name].append(flat_out_phase(server, invites, seconds))
    rates = {
        name: sum(len(p.latencies) for p in runs) / sum(p.elapsed for p in runs)
        for name, runs in phases.items()
    }
    cpu = {
        name: sum(p.server_cpu for p in runs) / sum(len(p.latencies) for p in runs)
        for name, runs in phases.items()
    }
    ratio = rates["after"] / rates["before"]
    print(f"\n{labelers} labelers flat out, {rounds} x {seconds:.0f} s each, in turns:")
    for name, runs in phases.items():
        pooled = Phase(name, latencies=[took for p in runs for took in p.latencies])
        per_round = ", ".join(f"{len(p.latencies) / p.elapsed:.0f}" for p in runs)
        print(
            f"  {name:6s} {rates[name]:6.1f} labels/s   p50 {percentile_ms(pooled, 0.5):5.1f} ms"
            f"   p99 {percentile_ms(pooled, 0.99):6.1f} ms   (rounds: {per_round} labels/s)"
            f"   server CPU {cpu[name] * 1000:5.2f} ms per label"
        )
    print(
        f"  -> ratio after/before {ratio:.2f}   target >= {TARGET}: {verdict(ratio)}"
        f"   (server CPU per label before/after {cpu['before'] / cpu['after']:.2f})"
    )
    return ratio


def describe_after() -> str:
    head = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    changed = subprocess.run(
        ["git", "-C", str(REPO), "status", "--porcelain", "--", "jlab_platform"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return f"{head}{' + uncommitted changes in jlab_platform/' if changed else ''}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rounds", type=int, default=3, help="labeling turns per tree (default 3: A B A B A B)"
    )
    parser.add_argument(
        "--seconds", type=float, default=8.0, help="how long each labeling turn lasts (default 8)"
    )
    parser.add_argument("--labelers", type=int, default=50, help="concurrent labelers (default 50)")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    print(f"before: {BASELINE} (worktree); after: the working tree at {describe_after()}")
    print(
        f"{os.cpu_count()} cores, load average {load:.1f} when starting (shared with all else running here)\n"
    )
    scratch = Path(tempfile.mkdtemp(prefix="bench-boundary-"))
    os.chdir(scratch)  # the servers' path then starts with their PYTHONPATH, not this repository
    try:
        with baseline_tree(scratch) as tree:
            trees = {"before": tree, "after": REPO}
            list_ratio = bench_list(trees, scratch)
            label_ratio = bench_labelers(trees, args.rounds, args.seconds, args.labelers)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    met = min(list_ratio, label_ratio) >= TARGET
    print(
        f"\nverdict: {'no measurable cost' if met else 'a measurable cost'} from the typed boundary "
        f"(GET /jobs {list_ratio:.2f}, labels/s {label_ratio:.2f}; target >= {TARGET} each)"
    )


if __name__ == "__main__":
    main()
