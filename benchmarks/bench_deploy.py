"""Deployment benchmark: ResNet-18 (random weights) on 224x224 base64 JPEGs, LitServe's parity test.

Prints each figure against a baseline from the same run. Targets (issue "Deploy"):
- 16 concurrent clients: our service's images/s over a direct in-process loop (decode + predict,
  the same batches) >= 0.85; one client: our p50 <= 1.2x the direct p50 (decode + predict of one);
- the same model, hooks and batch settings served by LitServe: ours / LitServe >= 1.0 (requests/s);
- with the deployment manager: POST /deployments -> first 200 answer (s), and a rollback under a
  steady request loop (failed requests, target 0).

LitServe is a benchmark-only dependency: ``pip install -e '.[bench]'`` (it pulls no torch).
Each phase runs with the other contenders stopped (SIGSTOP, then SIGCONT): LitServe's idle
processes poll their queues, ~0.15 of a core on a 2-core machine, a tax on whatever ran beside them.
``--seconds`` sets each load phase of the five rounds (default 6); each figure is the median round.
"""

import argparse
import asyncio
import base64
import io
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import deploy_resnet
import httpx
import numpy as np
import torch
from PIL import Image, ImageDraw

from jlab_platform.deploy.models import BatchSettings, CreateDeployment
from tests.deploy.manager_support import platform
from tests.deploy.runtime_service import free_port, serving, write_config

ROOT = Path(__file__).resolve().parents[1]
BATCH, WINDOW_MS, CLIENTS, ROUNDS = 8, 5.0, 16, 5  # the window: ServiceConfig's default
LATENCY_SAMPLES = 20  # sequential requests per round for the 1-client p50


def jpegs(count: int = 8) -> list[str]:
    """Smooth generated pictures (gradients and discs): JPEGs of a realistic size (~10 KB)."""
    rng = np.random.default_rng(0)
    bodies = []
    for _ in range(count):
        ramp = np.linspace(0, 255, 224, dtype=np.float32)
        pixels = np.stack(
            [np.add.outer(ramp, ramp) / 2, np.tile(ramp, (224, 1)), np.tile(ramp[:, None], (1, 224))], -1
        )
        image = Image.fromarray(pixels.astype(np.uint8))
        draw = ImageDraw.Draw(image)
        for _ in range(6):
            x, y, r = (int(v) for v in rng.integers(20, 200, 3))
            draw.ellipse(
                (x - r // 3, y - r // 3, x + r // 3, y + r // 3),
                fill=tuple(int(c) for c in rng.integers(0, 255, 3)),
            )
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=90)
        bodies.append(base64.b64encode(out.getvalue()).decode("ascii"))
    return bodies


# -- the direct in-process loop ---------------------------------------------------------------


def direct_throughput(model: torch.nn.Module, images: list[str], total: int) -> float:
    started = time.perf_counter()
    for start in range(0, total, BATCH):
        batch = [
            deploy_resnet.decode(images[i % len(images)]) for i in range(start, min(start + BATCH, total))
        ]
        deploy_resnet.predict(model, batch)
    return total / (time.perf_counter() - started)


def direct_p50(model: torch.nn.Module, images: list[str], count: int) -> float:
    times = []
    for i in range(count):
        started = time.perf_counter()
        deploy_resnet.predict(model, [deploy_resnet.decode(images[i % len(images)])])
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


# -- load over HTTP -----------------------------------------------------------------------------


async def _load(url: str, images: list[str], headers: dict[str, str], clients: int, seconds: float) -> float:
    bodies = [f'{{"image": "{image}"}}'.encode() for image in images]
    done = 0
    failed = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(
        headers={**headers, "Content-Type": "application/json"}, limits=limits, timeout=120
    ) as client:

        async def worker(index: int) -> None:
            nonlocal done, failed
            i = index
            while time.perf_counter() < deadline:
                answer = await client.post(url, content=bodies[i % len(bodies)])
                if answer.status_code == 200:
                    done += 1
                else:
                    failed += 1
                i += clients

        started = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(clients)))
        elapsed = time.perf_counter() - started
    if failed:
        print(f"  ({failed} failed requests at {url})")
    return done / elapsed


def p50(url: str, images: list[str], headers: dict[str, str], count: int) -> float:
    times = []
    with httpx.Client(headers=headers, timeout=60) as client:
        for i in range(count + 1):
            started = time.perf_counter()
            answer = client.post(url, json={"image": images[i % len(images)]})
            if i >= 1:  # the first answer opens the connection
                times.append(time.perf_counter() - started)
            answer.raise_for_status()
    return statistics.median(times) * 1000


# -- the contenders -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Contender:
    url: str
    headers: dict[str, str]
    pid: int  # its process, or the leader of its process group when ``group``
    group: bool

    def signal(self, number: int) -> None:
        if self.group:
            os.killpg(self.pid, number)
        else:
            os.kill(self.pid, number)


@contextmanager
def alone(running: Contender | None, contenders: list[Contender]) -> Iterator[None]:
    """The others stopped while ``running`` (None: the direct loop) is measured."""
    others = [contender for contender in contenders if contender is not running]
    for other in others:
        other.signal(signal.SIGSTOP)
    try:
        yield
    finally:
        for other in others:
            other.signal(signal.SIGCONT)


@contextmanager
def ours(scratch: Path) -> Iterator[Contender]:
    code = scratch / "ours"
    code.mkdir()
    (code / "service.py").write_text((ROOT / "benchmarks" / "deploy_resnet.py").read_text())
    config = write_config(
        code / ".deploy", name="resnet", kind="python", code_dir=code, entry="service.py",
        inputs={"image": {"type": "image"}}, batch_max_size=BATCH, batch_window_ms=WINDOW_MS,
    )  # fmt: skip
    with serving(config) as service:
        yield Contender(
            f"{service.url}/aip", {"Authorization": f"Bearer {service.key}"}, service.process.pid, False
        )


LITSERVE_API = """
import sys
sys.path.insert(0, {benchmarks!r})
import litserve as ls
import deploy_resnet


class ResNetAPI(ls.LitAPI):
    def setup(self, device):
        self.model = deploy_resnet.resnet18()

    def decode_request(self, request):
        return deploy_resnet.decode(request["image"])

    def batch(self, inputs):
        return inputs

    def predict(self, batch):
        return deploy_resnet.predict(self.model, batch)

    def unbatch(self, output):
        return output

    def encode_response(self, output):
        return output


if __name__ == "__main__":
    api = ResNetAPI(max_batch_size={batch}, batch_timeout={window})
    ls.LitServer(api, accelerator="cpu", devices=1, workers_per_device=1).run(
        host="127.0.0.1", port={port}, num_api_servers=1, generate_client_file=False, log_level="warning"
    )
"""


@contextmanager
def litserve(scratch: Path) -> Iterator[Contender]:
    port = free_port()
    script = scratch / "litserve_resnet.py"
    script.write_text(
        LITSERVE_API.format(
            benchmarks=str(ROOT / "benchmarks"), batch=BATCH, window=WINDOW_MS / 1000, port=port
        )
    )
    log = open(scratch / "litserve.log", "wb")  # closed in finally
    process = subprocess.Popen(
        [sys.executable, str(script)], stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((scratch / "litserve.log").read_text()[-2000:])
            time.sleep(0.2)
        yield Contender(f"http://127.0.0.1:{port}/predict", {}, process.pid, True)
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # its API server and inference worker processes too
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def bench_serving(images: list[str], seconds: float) -> None:
    model = deploy_resnet.resnet18()
    direct_throughput(model, images, BATCH)  # warm-up
    kb = len(base64.b64decode(images[0])) // 1024
    print(
        f"ResNet-18 on 224x224 JPEGs (~{kb} KB), batches of up to {BATCH}, window {WINDOW_MS:g} ms, "
        f"torch threads {torch.get_num_threads()}, "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    # The three contenders take turns, a short phase each, several rounds: on a shared machine the
    # load drifts, and each ratio compares phases measured moments apart.
    served: dict[str, list[float]] = {"ours": [], "LitServe": [], "direct": []}
    latencies: dict[str, list[float]] = {"ours": [], "LitServe": [], "direct": []}
    with tempfile.TemporaryDirectory() as folder:
        with ours(Path(folder)) as mine, litserve(Path(folder)) as theirs:
            contenders = [mine, theirs]
            for contender in contenders:  # warm-up: first batches, connections
                asyncio.run(_load(contender.url, images, contender.headers, 2, 2.0))
            for _ in range(ROUNDS):
                for name, contender in (("ours", mine), ("LitServe", theirs)):
                    url, headers = contender.url, contender.headers
                    with alone(contender, contenders):
                        served[name].append(asyncio.run(_load(url, images, headers, CLIENTS, seconds)))
                        latencies[name].append(p50(url, images, headers, LATENCY_SAMPLES))
                total = max(BATCH, int(served["ours"][-1] * seconds) // BATCH * BATCH)
                with alone(None, contenders):
                    served["direct"].append(direct_throughput(model, images, total))
                    latencies["direct"].append(direct_p50(model, images, LATENCY_SAMPLES))
    # Medians of the rounds: a round that something else on the machine disturbed does not decide.
    figures = {name: (statistics.median(served[name]), statistics.median(latencies[name])) for name in served}
    for name in served:
        rounds = ", ".join(
            f"{rate:.2f}/s p50 {ms:.0f} ms" for rate, ms in zip(served[name], latencies[name], strict=True)
        )
        print(f"  {name} by round: {rounds}")
    (rate, latency), (direct_rate, direct_latency) = figures["ours"], figures["direct"]
    lit_rate, lit_latency = figures["LitServe"]
    print(
        f"{CLIENTS} clients: ours {rate:.2f} images/s vs direct loop {direct_rate:.2f} images/s "
        f"-> ratio {rate / direct_rate:.2f} (target >= 0.85)"
    )
    print(
        f"1 client: ours p50 {latency:.0f} ms vs direct {direct_latency:.0f} ms "
        f"-> ratio {latency / direct_latency:.2f} (target <= 1.2)"
    )
    print(
        f"{CLIENTS} clients: ours {rate:.2f} requests/s vs LitServe {lit_rate:.2f} requests/s "
        f"-> ratio {rate / lit_rate:.2f} (target >= 1.0); LitServe p50 {lit_latency:.0f} ms"
    )


def bench_manager(images: list[str]) -> None:
    """Deploy through the manager (its snapshot, supervisor, keys), then roll back under load."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "workspace"
        root.mkdir()
        (root / "resnet.py").write_text((ROOT / "benchmarks" / "deploy_resnet.py").read_text())
        (root / "resnet.deploy.yml").write_text("inputs:\n  image: {type: image}\n")
        batch = BatchSettings(max_size=BATCH, window_ms=WINDOW_MS)
        with platform(root) as made:
            service = made.deployments
            started = time.perf_counter()
            first = service.create(CreateDeployment(source="resnet.py", name="resnet", batch=batch), None)
            headers = {"Authorization": f"Bearer {first.key}"}
            url = f"{first.url.rstrip('/')}/aip"
            with httpx.Client(headers=headers, timeout=60) as client:
                while True:
                    try:
                        if client.post(url, json={"image": images[0]}).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    time.sleep(0.05)
            deployed = time.perf_counter() - started
            print(
                f"deploy -> first 200 answer: {deployed:.1f} s (POST /deployments of a .py ResNet-18 service)"
            )
            replace = CreateDeployment(source="resnet.py", name="resnet", batch=batch, replace=True)
            service.create(replace, None)  # returns once the new version serves
            failures: list[str] = []
            answered = 0
            stop = asyncio.Event()

            async def steady(client: httpx.AsyncClient, index: int) -> None:
                nonlocal answered
                while not stop.is_set():
                    try:
                        answer = await client.post(url, json={"image": images[index % len(images)]})
                        if answer.status_code == 200:
                            answered += 1
                        else:
                            failures.append(str(answer.status_code))
                    except httpx.HTTPError as exc:
                        failures.append(repr(exc))

            async def under_load() -> float:
                async with httpx.AsyncClient(headers=headers, timeout=60) as client:
                    loops = [asyncio.create_task(steady(client, i)) for i in range(4)]
                    await asyncio.sleep(1.0)
                    started = time.perf_counter()
                    await asyncio.to_thread(service.rollback, "resnet", first.id)
                    switched = time.perf_counter() - started
                    await asyncio.sleep(2.0)  # the old one drains while the loop goes on
                    stop.set()
                    await asyncio.gather(*loops)
                    return switched

            switched = asyncio.run(under_load())
            print(
                f"rollback under 4 steady clients: switched in {switched:.1f} s, {answered} answered, "
                f"{len(failures)} failed (target 0){': ' + ', '.join(failures[:3]) if failures else ''}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=6.0, help="each load phase (5 rounds)")
    args = parser.parse_args()
    images = jpegs()
    bench_serving(images, args.seconds)
    bench_manager(images)


if __name__ == "__main__":
    main()
