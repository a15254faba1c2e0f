import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _load_script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "make_demo_workspace", ROOT / "scripts" / "make_demo_workspace.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_demo_workspace_has_notebook_script_and_dataset(tmp_path: Path) -> None:
    script = _load_script()
    script.make(tmp_path)
    assert (tmp_path / "getting_started.ipynb").is_file()
    assert (tmp_path / "train.py").is_file()
    for shape in script.CLASSES:
        assert len(list((tmp_path / "datasets" / "shapes" / shape).glob("*.png"))) == script.IMAGES_PER_CLASS


def test_rerunning_keeps_user_edits(tmp_path: Path) -> None:
    script = _load_script()
    script.make(tmp_path)
    (tmp_path / "train.py").write_text("# my edits\n")
    script.make(tmp_path)
    assert (tmp_path / "train.py").read_text() == "# my edits\n"
