"""Modules benchmark: GET /modules with 2,000 modules, and the training helper's overhead.

Prints each figure with its baseline from the same run. Targets (issue "Modules and datasets"):
GET /modules with 2,000 modules under 200 ms (specs cached, invalidated on change); the
shipped classifier trained through ``modules.train`` at >= 0.95x the steps/s of the same loop
written by hand in plain PyTorch, on the same data in the same process.
"""

import contextlib
import importlib.util
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch
from torch import nn

from jlab_platform.kernel import modules
from jlab_platform.modules.catalog import BUILTIN_DIR
from jlab_platform.modules.imagefolder import load_labeled, split
from tests.helpers.jupyter import running_server
from tests.modules.factory import write_module

MODULES = 2000
EPOCHS, BATCH, LR, SEED, SIZE = 10, 32, 0.005, 0, 32
ROUNDS = 20


def bench_listing(root: Path) -> None:
    for i in range(MODULES):
        write_module(root / "modules", f"module-{i:04d}")
    with running_server(root) as server:
        start = time.perf_counter()
        total = server.request("GET", "jlab-platform/api/modules")["total"]
        cold = (time.perf_counter() - start) * 1000
        ours = server.p50_ms("jlab-platform/api/modules", n=30)
        baseline = server.p50_ms("api/status", n=30)
        print(
            f"GET /modules with {total} modules: p50 {ours:.1f} ms vs GET /api/status {baseline:.1f} ms "
            f"-> ratio {ours / baseline:.1f} (target p50 < 200 ms; first listing, parsing every spec: "
            f"{cold:.0f} ms)"
        )
        spec = root / "modules" / "module-0007" / "module_spec.yml"
        spec.write_text(spec.read_text().replace("The module-0007 module", "Edited"))
        later = time.time() + 5
        os.utime(spec, (later, later))
        start = time.perf_counter()
        listed = server.request("GET", "jlab-platform/api/modules")["modules"]
        after_edit = (time.perf_counter() - start) * 1000
        edited = next(m for m in listed if m["name"] == "module-0007")["description"]
        print(
            f"  after editing one spec: {after_edit:.1f} ms, and the listing shows it: {edited == 'Edited'}"
        )


def _small_cnn() -> type[nn.Module]:
    """The shipped module's network class, so both loops train the same model."""
    spec = importlib.util.spec_from_file_location(
        "bench_image_classifier", BUILTIN_DIR / "image-classifier" / "main.py"
    )
    assert spec is not None and spec.loader is not None
    code = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(code)
    network: type[nn.Module] = code.SmallCNN
    return network


def hand_written(data_dir: Path, out: Path, epochs: int, network: type[nn.Module]) -> int:
    """The classifier's training loop written by hand: same data, split, model, metrics, checkpoint."""
    torch.manual_seed(SEED)
    images, labels, classes = load_labeled(data_dir, SIZE, False)
    train_idx, val_idx = split(len(labels), 0.2, SEED)
    x = torch.from_numpy(images[train_idx].transpose(0, 3, 1, 2).copy())
    y = torch.from_numpy(labels[train_idx])
    x_val = torch.from_numpy(images[val_idx].transpose(0, 3, 1, 2).copy())
    y_val = torch.from_numpy(labels[val_idx])
    model = network(3, len(classes), SIZE)
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    generator = torch.Generator().manual_seed(SEED)
    steps = 0
    for epoch in range(1, epochs + 1):
        model.train()
        order = torch.randperm(len(y), generator=generator)
        total = 0.0
        for start in range(0, len(y), BATCH):
            batch = order[start : start + BATCH]
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(x[batch]), y[batch])
            torch.autograd.backward(loss)
            optimizer.step()
            total += loss.item() * len(batch)
            steps += 1
        model.eval()
        with torch.no_grad():
            accuracy = float((model(x).argmax(1) == y).float().mean())
            val_accuracy = float((model(x_val).argmax(1) == y_val).float().mean())
        print(f"epoch {epoch}: loss {total / len(y):.4f} accuracy {accuracy:.3f} val {val_accuracy:.3f}")
    torch.save(model.state_dict(), out / "hand.pt")
    return steps


def bench_training(workspace: Path) -> None:
    demo = importlib.util.spec_from_file_location(
        "demo", Path(__file__).parents[1] / "scripts" / "make_demo_workspace.py"
    )
    assert demo is not None and demo.loader is not None
    script = importlib.util.module_from_spec(demo)
    demo.loader.exec_module(script)
    with contextlib.redirect_stdout(io.StringIO()):
        script.make(workspace)
    os.chdir(workspace)
    os.environ["JLAB_RESULTS_DIR"] = str(workspace / "results")
    data = workspace / "datasets" / "shapes"
    network = _small_cnn()
    module = modules.load("image-classifier")
    ours: list[float] = []
    hand: list[float] = []

    def train_ours() -> None:
        start = time.perf_counter()
        module.train(data_dir=str(data), epochs=EPOCHS, lr=LR, batch_size=BATCH, seed=SEED)
        ours.append(time.perf_counter() - start)

    def train_by_hand() -> None:
        start = time.perf_counter()
        hand_written(data, workspace, EPOCHS, network)
        hand.append(time.perf_counter() - start)

    # One intra-op thread: on a shared machine, two threads spinning at every barrier turn
    # other load into 10x swings. Both loops run with the same setting.
    torch.set_num_threads(1)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        module.train(data_dir=str(data), epochs=2)  # warm-up: imports, first allocations
        steps = hand_written(data, workspace, EPOCHS, network)
        for round_ in range(ROUNDS):
            # Back to back, alternating who goes first: each pair sees the same load on the machine.
            for run in (train_ours, train_by_hand) if round_ % 2 == 0 else (train_by_hand, train_ours):
                run()
    paired = statistics.median(h / o for h, o in zip(hand, ours, strict=True))
    print(
        f"training {EPOCHS} epochs ({steps} steps; whole call incl. data loading and checkpoint): "
        f"modules.train {steps / statistics.median(ours):.1f} steps/s vs hand-written PyTorch loop "
        f"{steps / statistics.median(hand):.1f} steps/s (medians) -> ratio {paired:.3f} (target >= 0.95; "
        f"median of {ROUNDS} back-to-back pairs; fastest runs {steps / min(ours):.1f} vs "
        f"{steps / min(hand):.1f} steps/s, ratio {min(hand) / min(ours):.3f}; 1 torch thread)"
    )


def main() -> None:
    scratch = Path(tempfile.mkdtemp(prefix="bench-modules-"))
    try:
        root = scratch / "listing"
        root.mkdir()
        bench_listing(root)
        workspace = scratch / "training"
        bench_training(workspace)
    finally:
        os.chdir("/")
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
