"""TensorBoard benchmark: Jupyter stays responsive, the Rust loader, the proxy's cost.

Prints each figure with its baseline from the same run. Targets (issue #19):
(a) p99 of GET /api/contents while TensorBoard loads 50 runs x 10,000 steps / idle <= 1.2;
(b) time until every run's scalars are served, Rust loader / Python loader (--load_fast=false) <= 0.3;
(c) scalar fetches per second through the platform's proxy / straight to TensorBoard's port >= 0.8.

``--runs`` and ``--steps`` make the log smaller for a quick look.
"""

import argparse
import http.client
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tensorboard.compat.proto import event_pb2
from tensorboard.plugins.scalar.summary_v2 import scalar_pb
from tensorboard.summary.writer.record_writer import RecordWriter

from jlab_platform.tensorboard import process
from tests.helpers.jupyter import ServerProcess, running_server

FETCH_SECONDS = 5.0
FETCH_THREADS = 4


def write_runs(logdir: Path, runs: int, steps: int) -> None:
    """``runs`` runs of ``steps`` loss values each (one summary proto reused: fast to write)."""
    summary = scalar_pb("loss", 0.0)
    event = event_pb2.Event(wall_time=time.time(), summary=summary)
    tensor = event.summary.value[0].tensor
    for run in range(runs):
        folder = logdir / f"run{run:02d}"
        folder.mkdir(parents=True)
        with open(folder / "events.out.tfevents.0.bench", "wb") as out:
            records = RecordWriter(out)
            records.write(
                event_pb2.Event(wall_time=time.time(), file_version="brain.Event:2").SerializeToString()
            )
            for step in range(steps):
                event.step = step
                tensor.float_val[0] = 1.0 / (step + 1)
                records.write(event.SerializeToString())
            records.flush()


class Client:
    """Keep-alive GETs to one host (as a browser tab's requests are)."""

    def __init__(self, base: str, token: str | None = None) -> None:
        parts = urlsplit(base)
        self.prefix = parts.path.rstrip("/")
        self.connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=120)
        self.headers = {"Authorization": f"token {token}"} if token else {}

    def get(self, path: str) -> tuple[int, bytes]:
        self.connection.request("GET", f"{self.prefix}/{path.lstrip('/')}", headers=self.headers)
        response = self.connection.getresponse()
        return response.status, response.read()


def last_step_served(client: Client, run: str, steps: int) -> bool:
    status, body = client.get(f"data/plugin/scalars/scalars?run={run}&tag=loss")
    return status == 200 and bool(body) and json.loads(body)[-1][1] == steps - 1


def wait_all_served(client: Client, runs: int, steps: int, deadline_s: float = 900) -> float:
    """Seconds until every run's scalars end with the last step (polled every 0.25 s)."""
    start = time.monotonic()
    pending = [f"run{run:02d}" for run in range(runs)]
    while pending:
        if time.monotonic() - start > deadline_s:
            raise TimeoutError(f"{len(pending)} runs still not served")
        try:
            pending = [run for run in pending if not last_step_served(client, run, steps)]
        except (OSError, http.client.HTTPException):
            client.connection.close()  # not listening yet
        if pending:
            time.sleep(0.25)
    return time.monotonic() - start


def p99_ms(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98] * 1000


def contents_times(server: ServerProcess, stop: threading.Event, out: list[float], count: int = 0) -> None:
    client = Client(server.url, server.token)
    while not stop.is_set() and (count == 0 or len(out) < count):
        start = time.perf_counter()
        status, _ = client.get("api/contents")
        assert status == 200
        out.append(time.perf_counter() - start)
        time.sleep(0.01)  # a client clicking around, not a load generator


def bench_responsiveness(server: ServerProcess, runs: int, steps: int) -> dict[str, str]:
    idle: list[float] = []
    contents_times(server, threading.Event(), idle, count=300)
    during: list[float] = []
    stop = threading.Event()
    poller = threading.Thread(target=contents_times, args=(server, stop, during))
    poller.start()
    started = time.monotonic()
    instance = server.request("POST", "jlab-platform/api/tensorboard", {"logdir": "logs"})
    served = wait_all_served(Client(server.url + instance["url"].lstrip("/"), server.token), runs, steps)
    stop.set()
    poller.join()
    print(
        f"(a) GET /api/contents p99 while TensorBoard loads {runs} runs: {p99_ms(during):.1f} ms "
        f"({len(during)} requests, {time.monotonic() - started:.1f} s), idle {p99_ms(idle):.1f} ms "
        f"-> ratio {p99_ms(during) / p99_ms(idle):.2f} (target <= 1.2); all runs served after {served:.1f} s"
    )
    return instance


def fetch_rate(base: str, token: str | None) -> float:
    """Scalar fetches per second over ``FETCH_THREADS`` keep-alive connections."""
    counts = [0] * FETCH_THREADS
    deadline = time.monotonic() + FETCH_SECONDS

    def fetch(index: int) -> None:
        client = Client(base, token)
        while time.monotonic() < deadline:
            status, _ = client.get(f"data/plugin/scalars/scalars?run=run{index:02d}&tag=loss")
            assert status == 200
            counts[index] += 1

    threads = [threading.Thread(target=fetch, args=(i,)) for i in range(FETCH_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / FETCH_SECONDS


def bench_proxy(server: ServerProcess, instance: dict[str, str], root: Path) -> None:
    records = json.loads((root / ".jlab_platform" / "tensorboard" / "instances.json").read_text())
    port = next(record["port"] for record in records if record["id"] == instance["id"])
    direct_base = f"http://127.0.0.1:{port}{instance['url']}"
    proxy_base = server.url + instance["url"].lstrip("/")
    direct, proxied = [], []
    for _ in range(2):  # alternated: the machine's load changes under both alike
        direct.append(fetch_rate(direct_base, None))
        proxied.append(fetch_rate(proxy_base, server.token))
    d, p = statistics.median(direct), statistics.median(proxied)
    print(
        f"(c) scalar fetches ({FETCH_THREADS} connections): proxy {p:.0f}/s, direct {d:.0f}/s "
        f"-> ratio {p / d:.2f} (target >= 0.8)"
    )


def loader_time(logdir: Path, runs: int, steps: int, fast: bool) -> float:
    """From starting TensorBoard until it serves every run's last step."""
    port = process.free_port()
    command = process.command(logdir, "bench", port)
    if not fast:
        command = [word if word != "--load_fast=true" else "--load_fast=false" for word in command]
    start = time.monotonic()
    tensorboard = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_all_served(Client(f"http://127.0.0.1:{port}{process.path_prefix('bench')}/"), runs, steps)
        return time.monotonic() - start
    finally:
        tensorboard.terminate()
        tensorboard.wait()


def bench_loaders(logdir: Path, runs: int, steps: int) -> None:
    rust = loader_time(logdir, runs, steps, fast=True)
    python = loader_time(logdir, runs, steps, fast=False)
    print(
        f"(b) every run's scalars served: Rust loader {rust:.1f} s, Python loader {python:.1f} s "
        f"-> ratio {rust / python:.2f} (target <= 0.3; both include TensorBoard's start)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--only", choices=["proxy"], help="run only part (c), the proxy's rate")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "root"
        logdir = root / "logs"
        logdir.mkdir(parents=True)
        start = time.monotonic()
        write_runs(logdir, args.runs, args.steps)
        print(f"wrote {args.runs} runs x {args.steps:,} steps in {time.monotonic() - start:.1f} s")
        with running_server(root) as server:
            if args.only == "proxy":
                instance = server.request("POST", "jlab-platform/api/tensorboard", {"logdir": "logs"})
                wait_all_served(
                    Client(server.url + instance["url"].lstrip("/"), server.token), args.runs, args.steps
                )
            else:
                instance = bench_responsiveness(server, args.runs, args.steps)
            bench_proxy(server, instance, root)
        if args.only is None:
            bench_loaders(logdir, args.runs, args.steps)


if __name__ == "__main__":
    main()
