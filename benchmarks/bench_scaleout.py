"""Scale-out benchmark: the Ray executor against the local one, same machine, same run.

- submit -> first line of a trivial script (median of 5);
- N small jobs submitted at once -> all done (N=100 by default, BENCH_JOBS to change);
- label submissions/s and p99 with 50 labelers flat out, the store on PostgreSQL vs SQLite
  (BENCH_LABEL_SECONDS each, 20 by default; ``--labeling-only`` runs just this part).

A real Ray head node and a real PostgreSQL server are started on free loopback ports and
stopped by their PIDs.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_crowd import percentile_ms, rate, report, report_afterwards, run_labelers

from jlab_platform.jobs.executor import JobExecutor, LocalExecutor
from jlab_platform.jobs.ray_executor import RayExecutor
from jlab_platform.jobs.service import JobService
from tests.helpers.postgres import create_database, running_postgres
from tests.helpers.ray_cluster import running_ray_head
from tests.jobs.conftest import Workspace, make_service

FIRST_LINE = "import time; print(time.time(), flush=True)\n"
JOBS = int(os.environ.get("BENCH_JOBS", "100"))
LABEL_SECONDS = float(os.environ.get("BENCH_LABEL_SECONDS", "20"))
LABELERS = 50


def service_for(name: str, executor: JobExecutor) -> tuple[JobService, Workspace]:
    root = Path(tempfile.mkdtemp(prefix=f"bench-{name}-")) / "ws"
    root.mkdir()
    ws = Workspace(root)
    ws.write("first_line.py", FIRST_LINE)
    ws.write("small.py", "print('small job')\n")
    return make_service(
        ws, f"sqlite:///{root.parent / 'p.db'}", executor, max_cpu_jobs=os.cpu_count() or 1
    ), ws


def first_line(service: JobService, ws: Workspace) -> float:
    start = time.time()
    job = service.submit("first_line.py")
    log = ws.data / "jobs" / job.id / "output.log"
    while True:
        service.tick()  # Ray's log reaches the file through the scheduler's poll
        text = log.read_text() if log.exists() else ""
        stamps = [float(line) for line in text.splitlines() if _is_float(line)]
        if stamps:
            return stamps[0] - start
        time.sleep(0.01)


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def all_done(service: JobService) -> float:
    start = time.perf_counter()
    ids = [service.submit("small.py").id for _ in range(JOBS)]
    while True:
        service.tick()
        statuses = [service.get(job_id).status for job_id in ids]
        if all(status in ("success", "failed", "terminated") for status in statuses):
            assert all(status == "success" for status in statuses), statuses
            return time.perf_counter() - start
        time.sleep(0.2)


def measure(name: str, executor: JobExecutor) -> tuple[float, float]:
    service, ws = service_for(name, executor)
    latency = statistics.median(first_line(service, ws) for _ in range(5))
    burst = all_done(service)
    service.store.dispose()
    return latency, burst


def labelers_on_both_stores() -> None:
    sqlite = run_labelers(LABEL_SECONDS, LABELERS, flat_out_only=True)
    with running_postgres() as admin_url:
        database = create_database(admin_url, "bench_crowd")
        postgres = run_labelers(
            LABEL_SECONDS, LABELERS, f"--JlabPlatform.db_url={database}", flat_out_only=True
        )
    for name, run in (("SQLite", sqlite), ("PostgreSQL", postgres)):
        run.flat_out.name = f"Store on {name}: flat out"
        report(run.flat_out, LABELERS, check_targets=True)
        report_afterwards(run)
    pg, lite = rate(postgres.flat_out), rate(sqlite.flat_out)
    print(
        f"\nlabel submissions/s: PostgreSQL {pg:.0f} vs SQLite {lite:.0f}"
        f" -> ratio {pg / lite:.2f}; p99 "
        f"{percentile_ms(postgres.flat_out, 0.99):.1f} ms vs {percentile_ms(sqlite.flat_out, 0.99):.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--labeling-only", action="store_true", help="only the labelers on PostgreSQL vs SQLite"
    )
    args = parser.parse_args()
    labelers_on_both_stores()
    if args.labeling_only:
        return
    local = measure("local", LocalExecutor())
    with running_ray_head(num_cpus=os.cpu_count() or 2) as head:
        ray = measure("ray", RayExecutor(head.address))
    print(
        f"submit -> first line: ray {ray[0]:.3f} s vs local {local[0]:.3f} s -> ratio {ray[0] / local[0]:.1f}"
    )
    print(
        f"{JOBS} small jobs submitted at once -> all done: ray {ray[1]:.1f} s vs local {local[1]:.1f} s "
        f"-> ratio {ray[1] / local[1]:.1f}"
    )


if __name__ == "__main__":
    main()
