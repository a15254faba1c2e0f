"""Check ``main.py`` against the spec without running it: the server never executes module code.

The kernel library finds the same entry points at run time (``kernel/modules.py``); this
only reads the syntax tree, so a broken module is reported with file and line, not imported.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

from .documents import Problem
from .spec import CHECKPOINT_INPUT, ModuleSpec

MAIN_FILE = "main.py"
CONTEXT_PARAMETER = "context"

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True)
class _Entry:
    """Where train/predict live: module-level functions, or the methods of one class."""

    functions: dict[str, FunctionNode]
    is_method: bool
    line: int
    owner: str


def check_main(folder: Path, spec: ModuleSpec) -> list[Problem]:
    path = folder / MAIN_FILE
    if not path.is_file():
        return [Problem(MAIN_FILE, 1, "missing: a module needs main.py defining train and/or predict")]
    try:
        tree = ast.parse(path.read_bytes(), filename=MAIN_FILE)
    except SyntaxError as exc:
        return [Problem(MAIN_FILE, exc.lineno or 1, f"syntax error: {exc.msg}")]
    except ValueError as exc:  # NUL bytes
        return [Problem(MAIN_FILE, 1, f"cannot be parsed: {exc}")]
    entry = _find_entry(tree, spec.class_name)
    if isinstance(entry, Problem):
        return [entry]
    problems = []
    for name, action in spec.actions.items():
        function = entry.functions.get(name)
        if function is None:
            problems.append(
                Problem(MAIN_FILE, entry.line, f"{entry.owner} has no {name}(), which {spec.file} declares")
            )
            continue
        inputs = [field.name for field in action.inputs if field.name != CHECKPOINT_INPUT]
        problems.extend(_check_signature(function, entry.is_method, inputs, spec))
    return problems


def _find_entry(tree: ast.Module, class_name: str | None) -> _Entry | Problem:
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    if class_name is not None:
        if class_name not in classes:
            return Problem(MAIN_FILE, 1, f"no class {class_name!r} (named by 'class' in the spec)")
        return _class_entry(classes[class_name])
    functions = {
        node.name: node
        for node in tree.body
        if isinstance(node, FunctionNode) and node.name in ("train", "predict")
    }
    if functions:
        return _Entry(functions, False, 1, "main.py")
    candidates = [_class_entry(node) for node in classes.values()]
    candidates = [entry for entry in candidates if entry.functions]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        return Problem(MAIN_FILE, 1, "defines no train() or predict(), as functions or methods of a class")
    names = ", ".join(entry.owner for entry in candidates)
    return Problem(MAIN_FILE, 1, f"several classes define train/predict ({names}); name one with 'class:'")


def _class_entry(node: ast.ClassDef) -> _Entry:
    methods = {
        item.name: item
        for item in node.body
        if isinstance(item, FunctionNode) and item.name in ("train", "predict")
    }
    return _Entry(methods, True, node.lineno, f"class {node.name}")


def _check_signature(
    function: FunctionNode, is_method: bool, inputs: list[str], spec: ModuleSpec
) -> list[Problem]:
    args = function.args
    positional = [*args.posonlyargs, *args.args]
    static = any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in function.decorator_list)
    if is_method and not static:
        positional = positional[1:]
    names = [a.arg for a in positional] + [a.arg for a in args.kwonlyargs]
    problems = []
    if args.kwarg is None:
        for name in inputs:
            if name not in names:
                problems.append(
                    Problem(
                        MAIN_FILE,
                        function.lineno,
                        f"{function.name}() has no parameter {name!r}, which {spec.file} declares",
                    )
                )
    without_default = [a.arg for a in positional[: len(positional) - len(args.defaults)]]
    without_default += [a.arg for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is None]
    for name in without_default:
        if name not in inputs and name != CONTEXT_PARAMETER:
            problems.append(
                Problem(
                    MAIN_FILE,
                    function.lineno,
                    f"{function.name}() requires {name!r}, which is not an input in {spec.file}; "
                    "declare it or give it a default",
                )
            )
    return problems
