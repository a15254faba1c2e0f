"""A trained run's PyTorch network as TorchScript, for the conversion service to export to ONNX.

``python -m jlab_platform.kernel.model_export --run-dir RUN --module-dir MODULE --out FILE.pt``:
the run's module loads the run once (its ``load``, as a deployed service does) and the network it holds
(``.model``, a ``torch.nn.Module`` taking NCHW images of ``.size`` pixels, 1 channel when
``.grayscale``) is traced on one zero image. Exit 0 when written (the last line of stdout is
``{"input_shape": [1, C, H, W]}``), 1 with the reason on stderr.
"""

import argparse
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

from ..files.atomic import atomic_output
from ..modules.mainfile import MAIN_FILE
from ..modules.spec import find_spec_file, load_spec
from .module_run import RunContext
from .modules import ModuleError


def trace(run_dir: Path, module_dir: Path, out: Path) -> list[int]:
    """Write the traced network to ``out``; its input shape (batch first)."""
    spec_file = find_spec_file(module_dir)
    module, problems = load_spec(spec_file, module_dir.name) if spec_file else (None, [])
    if module is None:
        raise ModuleError(f"{module_dir} holds no valid module spec {problems[:1]}")
    sys.path.insert(0, str(module_dir))  # main.py may import files beside it
    found = importlib.util.spec_from_file_location("jlab_export_module", module_dir / MAIN_FILE)
    if found is None or found.loader is None:
        raise ModuleError(f"Cannot import {module_dir / MAIN_FILE}")
    code = importlib.util.module_from_spec(found)
    found.loader.exec_module(code)
    owner: Any = getattr(code, module.class_name)() if module.class_name else code
    loader = getattr(owner, "load", None)
    if not callable(loader):
        raise ModuleError(f"Module {module.name!r} has no load() that gives its network")
    predictor: Any = loader(context=RunContext(module.name, "predict", run_dir, {}))
    import torch  # only here: the server never imports torch

    network = getattr(predictor, "model", None)
    size = getattr(predictor, "size", None)
    if not isinstance(network, torch.nn.Module) or not isinstance(size, int):
        raise ModuleError(f"Module {module.name!r} does not load a PyTorch network with an image size")
    channels = 1 if getattr(predictor, "grayscale", False) else 3
    network.eval()
    with torch.no_grad():
        traced = torch.jit.trace(network, torch.zeros(1, channels, size, size))  # type: ignore[no-untyped-call]
    with atomic_output(out) as partial:
        torch.jit.save(traced, str(partial))
    return [1, channels, size, size]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m jlab_platform.kernel.model_export")
    parser.add_argument("--run-dir", required=True, help="The trained run folder.")
    parser.add_argument("--module-dir", required=True, help="The folder of the run's module.")
    parser.add_argument("--out", required=True, help="The TorchScript file to write (.pt).")
    args = parser.parse_args(argv)
    try:
        shape = trace(Path(args.run_dir), Path(args.module_dir), Path(args.out))
    except (ModuleError, OSError, RuntimeError, ValueError) as exc:
        print(f"model_export: {exc}", file=sys.stderr)
        return 1
    print(json.dumps({"input_shape": shape}))  # the last line: what the converter needs to know
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
