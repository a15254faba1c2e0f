"""Shipped modules trained quickly on generated data (the image classifier on stripes), and the
stripes to ask the classifier about."""

from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import pytest
import torch
from PIL import Image

from jlab_platform.kernel import modules
from jlab_platform.kernel.client import ServerNotFound
from tests.modules.factory import write_stripes


def stripes(direction: str, size: int = 64) -> Image.Image:
    """Stripes 8 px wide: the 16 px model input sees the 2 px stripes it was trained on."""
    pattern = (np.arange(size) // 8 % 2 * 200 + 30).astype(np.uint8)
    pixels = (
        np.tile(pattern[:, None], (1, size)) if direction == "horizontal" else np.tile(pattern, (size, 1))
    )
    return Image.fromarray(pixels).convert("RGB")


def train_classifier(root: Path) -> Path:
    """Train the image classifier on stripes under `root`; its run folder."""
    write_stripes(root / "data", per_class=16, size=16)
    return train_module(root, "image-classifier", image_size=16, max_iter=60, batch_size=8, base_lr=0.05)


def train_module(root: Path, module: str, **options: Any) -> Path:
    """Train a shipped module on `root`/data (no server, one thread); its run folder."""

    def no_server() -> NoReturn:
        raise ServerNotFound("no server in this test")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("jlab_platform.kernel.modules.find_server", no_server)
        patch.setenv("JLAB_RESULTS_DIR", str(root / "results"))
        patch.chdir(root)
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            run = modules.load(module).train(data_dir="data", **options)
        finally:
            torch.set_num_threads(threads)
    return Path(run.run_dir)
