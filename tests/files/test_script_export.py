"""Notebook to script: the exporter and the extension never come from the notebook's metadata."""

import json
from pathlib import Path
from typing import Any

import nbformat
import pytest

from jlab_platform.errors import InvalidInput
from jlab_platform.files.script_export import export_script


def write_notebook(folder: Path, metadata: dict[str, Any], name: str = "nb.ipynb") -> Path:
    node = nbformat.v4.new_notebook()
    node.cells = [nbformat.v4.new_markdown_cell("# Notes"), nbformat.v4.new_code_cell("x = 1\nprint(x)")]
    node.metadata.update(metadata)
    path = folder / name
    path.write_text(json.dumps(node))
    return path


def export(notebook: Path, overwrite: bool = False) -> dict[str, Any]:
    return export_script(notebook, notebook.name, lambda path: path.parent == notebook.parent, overwrite)


def test_a_named_exporter_is_never_imported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    called: list[object] = []
    monkeypatch.setattr("os.system", lambda *args, **kwargs: called.append((args, kwargs)))
    for language in ("python", "R"):
        notebook = write_notebook(
            tmp_path,
            {"language_info": {"name": language, "nbconvert_exporter": "os.system"}},
            name=f"{language}.ipynb",
        )
        result = export(notebook)
        assert "print(x)" in result.path.read_text()
    assert called == []
    assert sorted(path.name for path in tmp_path.iterdir()) == ["R.R", "R.ipynb", "python.ipynb", "python.py"]


@pytest.mark.parametrize("extension", [".ipynb", ".IPYNB", "/../../etc/evil", "py", "", ".a/b", "\x00"])
@pytest.mark.parametrize("language", ["python", "julia", "brainfuck"])
def test_the_extension_is_fixed_by_language(tmp_path: Path, extension: str, language: str) -> None:
    metadata = {"language_info": {"name": language, "file_extension": extension}}
    notebook = write_notebook(tmp_path, metadata)
    before = notebook.read_bytes()
    result = export(notebook, overwrite=True)
    expected = {"python": "nb.py", "julia": "nb.jl", "brainfuck": "nb.txt"}[language]
    assert result.path == tmp_path / expected
    assert notebook.read_bytes() == before  # the source is never written over
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(["nb.ipynb", expected])


@pytest.mark.parametrize(
    "metadata",
    [
        {"language_info": ["python"]},
        {"language_info": {"name": 3}},
        {"kernelspec": "python"},
        {"language_info": {"name": "python", "codemirror_mode": []}},
    ],
)
def test_metadata_against_the_notebook_schema_is_refused(tmp_path: Path, metadata: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput, match=r"nb\.ipynb is not a readable notebook"):
        export(write_notebook(tmp_path, metadata))
    assert [path.name for path in tmp_path.iterdir()] == ["nb.ipynb"]


def test_without_language_metadata_the_script_is_python(tmp_path: Path) -> None:
    result = export(write_notebook(tmp_path, {}))
    assert result.path.name == "nb.py" and "# # Notes" in result.path.read_text()
