"""Notebook to script (nbconvert), written beside the notebook for deployment."""

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import Conflict, InvalidInput
from .atomic import write_atomic


def export_script(
    notebook: Path, shown: str, allowed: Callable[[Path], bool], overwrite: bool = False
) -> dict[str, Any]:
    """Write ``notebook``'s code as a script beside it; the script's path and what to know about it.

    ``allowed`` says whether the script's path may be written (the workspace's containment check).
    """
    import nbformat
    from nbconvert import PythonExporter, ScriptExporter

    if notebook.suffix != ".ipynb" or not notebook.is_file():
        raise InvalidInput(f"{shown} is not a notebook", "Export a .ipynb file.")
    try:
        node = nbformat.read(str(notebook), as_version=4)
    except Exception as exc:  # nbformat raises several kinds for a damaged file
        raise InvalidInput(
            f"{shown} is not a readable notebook: {exc}", "Open it in JupyterLab to repair it."
        ) from exc
    metadata = node.metadata
    language = metadata.get("language_info", {}).get("name") or metadata.get("kernelspec", {}).get("language")
    # Python notebooks: magics become get_ipython() calls, markdown becomes comments.
    exporter = PythonExporter() if language in (None, "python") else ScriptExporter()
    body, resources = exporter.from_notebook_node(node)
    extension = resources.get("output_extension") or ".py"
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
    return {
        "path": target,
        "cells": sum(1 for cell in node.cells if cell.cell_type == "code"),
        "warnings": warnings,
    }
