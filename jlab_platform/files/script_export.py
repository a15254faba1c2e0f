"""Notebook to script (nbconvert), written beside the notebook for deployment."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import Conflict, InvalidInput
from .atomic import write_atomic

# The script's extension by the notebook's language (``.txt`` for others). Neither the exporter
# nor the extension comes from the notebook's metadata: ``nbconvert_exporter`` there names any
# importable callable, which nbconvert's ScriptExporter imports and calls, and
# ``file_extension`` could be ``.ipynb`` (the export would replace the notebook) or not a suffix.
EXTENSIONS = {
    "python": ".py",
    "r": ".R",
    "julia": ".jl",
    "bash": ".sh",
    "javascript": ".js",
    "typescript": ".ts",
    "scala": ".scala",
    "sql": ".sql",
}


@dataclass(frozen=True)
class ScriptExport:
    path: Path
    cells: int  # how many code cells it holds
    warnings: list[str]


def export_script(
    notebook: Path, shown: str, allowed: Callable[[Path], bool], overwrite: bool = False
) -> ScriptExport:
    """Write ``notebook``'s code as a script beside it; the script's path and what to know about it.

    ``allowed`` says whether the script's path may be written (the workspace's containment check).
    """
    import nbformat
    from nbconvert import PythonExporter, TemplateExporter

    if notebook.suffix != ".ipynb" or not notebook.is_file():
        raise InvalidInput(f"{shown} is not a notebook", "Export a .ipynb file.")
    try:
        node = nbformat.read(str(notebook), as_version=4)
        # nbconvert checks the notebook again after its preprocessors: refuse a bad one here.
        nbformat.validate(node)
    except Exception as exc:  # nbformat raises several kinds for a damaged file
        raise InvalidInput(
            f"{shown} is not a readable notebook: {exc}", "Open it in JupyterLab to repair it."
        ) from exc
    language = _language(node.metadata)
    extension = EXTENSIONS.get(language, ".txt")
    # Python notebooks: magics become get_ipython() calls, markdown becomes comments; other
    # languages: the code cells as they are (the "script" template, which reads no metadata).
    exporter = (
        PythonExporter()
        if language == "python"
        else TemplateExporter(template_name="script", template_file="script.j2")
    )
    body, _ = exporter.from_notebook_node(node)
    target = notebook.with_suffix(extension)
    if not allowed(target) or target.is_symlink() or target.is_dir():
        raise InvalidInput(f"Cannot write {target.name} beside {shown}", "Rename or remove what is there.")
    if target.exists() and not overwrite:
        raise Conflict(
            f"{target.name} already exists beside the notebook",
            "Export again with overwrite to replace it (your edits to it are then lost).",
        )
    write_atomic(target, body.encode("utf-8"), uuid.uuid4().hex[:8])
    warnings = []
    if "get_ipython()" in body:
        warnings.append(
            "The notebook uses IPython magics or shell commands: the script calls get_ipython() and "
            "runs under `ipython script.py`, not plain `python`."
        )
    cells = sum(1 for cell in node.cells if cell.cell_type == "code")
    return ScriptExport(path=target, cells=cells, warnings=warnings)


def _language(metadata: Any) -> str:
    """The notebook's language, lower case; ``python`` when the metadata does not say."""
    for section, key in (("language_info", "name"), ("kernelspec", "language")):
        value = metadata.get(section)
        name = value.get(key) if isinstance(value, dict) else None
        if isinstance(name, str) and name:
            return name.lower()
    return "python"
