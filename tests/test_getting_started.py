"""The demo workspace's getting-started notebook runs top to bottom, in a kernel of a real server."""

import importlib.util
import json
from pathlib import Path

from tests.helpers.jupyter import printed_text, running_server

ROOT = Path(__file__).resolve().parents[1]


def _make_demo(root: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "make_demo_workspace", ROOT / "scripts" / "make_demo_workspace.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.make(root)


def test_every_cell_of_the_getting_started_notebook_runs(tmp_path: Path) -> None:
    root = tmp_path / "workspace"
    _make_demo(root)
    notebook = json.loads((root / "getting_started.ipynb").read_text(encoding="utf-8"))
    cells = ["".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code"]
    shown, widgets = [], []
    with running_server(root) as server, server.kernel("getting_started.ipynb") as kernel:
        for source in cells:
            messages = server.execute(kernel, source, timeout=300)
            errors = [m["content"] for m in messages if m["msg_type"] == "error"]
            assert not errors, f"{source}\n{printed_text(messages)}"
            shown.append(printed_text(messages))
            widgets.append(any(m["content"].get("target_name") == "jupyter.widget" for m in messages))
    assert "jlab_platform" in shown[0]  # %platform_info
    assert shown[1].startswith("success") and "shapes_cnn.pt" in shown[1]
    assert "step 3/3" in shown[3]  # restored from the capture
    assert (root / ".git").is_dir() and "Sync refused" not in shown[4]
    assert "circle" in shown[5]
    assert "True" in shown[6] and (root / "results" / "shapes_cnn.onnx").is_file()
    assert widgets[7]  # the labeling widget (the task's round 1 was chosen)
