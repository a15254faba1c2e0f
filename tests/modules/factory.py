"""Module folders and image datasets written by tests."""

import textwrap
from pathlib import Path

import numpy as np
from PIL import Image

SIMPLE_SPEC = """\
name: {name}
version: "0.1"
description: {description}
task: regression
tags: [demo, tiny]
train:
  inputs:
    steps: {{type: int, default: 3, range: [1, 10], help: How many steps}}
    label: {{type: str, default: run}}
  outputs:
    total: {{type: float}}
predict:
  inputs:
    value: {{type: float}}
"""

SIMPLE_MAIN = """\
def train(steps, label="run", *, context):
    bar = context.progress(steps)
    for step in range(1, steps + 1):
        bar.update()
        context.log(step, total=steps, loss=1.0 / step)
    (context.run_dir / "weights.txt").write_text(str(steps))
    return {"total": float(steps), "label": label}


def predict(value, *, context):
    return value * int((context.run_dir / "weights.txt").read_text())
"""


def write_module(
    parent: Path,
    folder: str,
    spec: str | None = None,
    main: str = SIMPLE_MAIN,
    readme: str | None = "# A module\n",
    spec_file: str = "module_spec.yml",
) -> Path:
    path = parent / folder
    path.mkdir(parents=True, exist_ok=True)
    text = spec if spec is not None else SIMPLE_SPEC.format(name=folder, description=f"The {folder} module")
    (path / spec_file).write_text(textwrap.dedent(text))
    (path / "main.py").write_text(textwrap.dedent(main))
    if readme is not None:
        (path / "README.md").write_text(readme)
    return path


def write_stripes(folder: Path, per_class: int = 12, size: int = 16, seed: int = 0) -> Path:
    """Two classes a tiny CNN learns in a few epochs: horizontal and vertical stripes."""
    rng = np.random.default_rng(seed)
    stripes = (np.arange(size) // 2 % 2).astype(np.float32)
    patterns = {"horizontal": np.tile(stripes[:, None], (1, size)), "vertical": np.tile(stripes, (size, 1))}
    for name, pattern in patterns.items():
        (folder / name).mkdir(parents=True, exist_ok=True)
        for index in range(per_class):
            noisy = np.clip(pattern * 200 + rng.normal(30, 20, (size, size)), 0, 255).astype(np.uint8)
            Image.fromarray(noisy).save(folder / name / f"{name}_{index:02d}.png")
    return folder
