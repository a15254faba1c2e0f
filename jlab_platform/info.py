"""What this server can do: detected once at start, refreshed on request.

Detection must stay cheap (the server waits for it): frameworks are found with
``importlib`` metadata instead of being imported, and GPUs are counted with
``nvidia-smi`` when present.
"""

import importlib.metadata
import importlib.util
import os
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from typing import Any

from ._version import __version__

# Distribution names under which each framework may be installed.
_FRAMEWORK_DISTRIBUTIONS = {
    "torch": ("torch",),
    "tensorflow": ("tensorflow", "tensorflow-cpu", "tensorflow-intel", "tf-nightly"),
}


@dataclass(frozen=True)
class Framework:
    available: bool
    version: str | None = None


@dataclass(frozen=True)
class Capabilities:
    version: str
    python: str
    torch: Framework
    tensorflow: Framework
    git: Framework
    gpus: int
    gpu_names: list[str] = field(default_factory=list)
    gpu_source: str = "none"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def detect(gpu_count_override: int | None = None) -> Capabilities:
    gpu_names, source = _detect_gpus()
    gpus = len(gpu_names)
    if gpu_count_override is not None:
        gpus, source = gpu_count_override, "configured"
    return Capabilities(
        version=__version__,
        python=sys.version.split()[0],
        torch=_framework("torch"),
        tensorflow=_framework("tensorflow"),
        git=_git(),
        gpus=gpus,
        gpu_names=gpu_names,
        gpu_source=source,
    )


def _framework(module: str) -> Framework:
    if importlib.util.find_spec(module) is None:
        return Framework(available=False)
    for dist in _FRAMEWORK_DISTRIBUTIONS[module]:
        try:
            return Framework(available=True, version=importlib.metadata.version(dist))
        except importlib.metadata.PackageNotFoundError:
            continue
    return Framework(available=True)


def _git() -> Framework:
    exe = shutil.which("git")
    if exe is None:
        return Framework(available=False)
    try:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return Framework(available=False)
    return Framework(available=True, version=out.stdout.strip().removeprefix("git version "))


def _detect_gpus() -> tuple[list[str], str]:
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None and visible.strip() in ("", "-1"):
        return [], "CUDA_VISIBLE_DEVICES hides all GPUs"
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return [], "none"
    try:
        out = subprocess.run(
            [exe, "--query-gpu=name", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=20,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return [], "nvidia-smi failed"
    names = [line.strip() for line in out.stdout.splitlines() if line.strip()]
    return names, "nvidia-smi"
