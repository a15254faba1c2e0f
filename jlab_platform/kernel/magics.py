"""IPython magics of the platform; ``%load_ext jlab_platform.kernel`` registers them."""

from typing import Any

from IPython.core.magic import Magics, line_magic, magics_class

from .client import find_server


def format_info(info: dict[str, Any]) -> str:
    def framework(name: str) -> str:
        entry = info.get(name) or {}
        if not entry.get("available"):
            return "not installed"
        return str(entry.get("version") or "installed")

    gpu_names = ", ".join(info.get("gpu_names") or [])
    lines = [
        f"jlab_platform {info.get('version')}  (store schema v{info.get('schema_version')})",
        f"  Python      {info.get('python')}",
        f"  PyTorch     {framework('torch')}",
        f"  TensorFlow  {framework('tensorflow')}",
        f"  git         {framework('git')}",
        f"  GPUs        {info.get('gpus')}" + (f" ({gpu_names})" if gpu_names else ""),
        f"  results/    {info.get('results_dir')}",
    ]
    return "\n".join(lines)


@magics_class
class PlatformMagics(Magics):
    @line_magic
    def platform_info(self, line: str) -> None:
        """Print the platform server's version and what it detected (GPUs, torch, TF, git)."""
        print(format_info(find_server().request("GET", "info")))
