"""Code inserted into notebooks: every value is rendered as a Python literal, never pasted as code.

A form value like ``"); import os; os.system("x`` comes out as a string literal that
evaluates back to exactly that text; names come from the validated spec only.
"""

import math
from collections.abc import Mapping
from typing import Any

MAX_LINE = 88
KERNEL_IMPORT = "from jlab_platform.kernel import modules"
RESULT_NAMES = {"train": "run", "predict": "predictions"}


def render_literal(value: Any) -> str:
    """The Python source of ``value`` (None, bool, int, float, str, list, tuple, dict of those)."""
    if value is None or isinstance(value, bool | int):
        return repr(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else f'float("{value}")'
    if isinstance(value, str):
        return _string_literal(value)
    if isinstance(value, list | tuple):
        items = ", ".join(render_literal(item) for item in value)
        return f"[{items}]" if isinstance(value, list) else f"({items}{',' if len(value) == 1 else ''})"
    if isinstance(value, Mapping):
        pairs = ", ".join(f"{render_literal(k)}: {render_literal(v)}" for k, v in value.items())
        return "{" + pairs + "}"
    raise TypeError(f"cannot render {type(value).__name__} as a Python literal")


def _string_literal(text: str) -> str:
    # repr escapes quotes, backslashes, control, invisible and bidi characters (which could
    # make the code read differently than it runs) and lone surrogates; we only prefer "".
    literal = repr(text)
    if literal.startswith('"'):
        return literal
    return '"' + literal[1:-1].replace('"', '\\"') + '"'


def render_call(target: str, function: str, arguments: Mapping[str, Any]) -> str:
    """``target = function(name=literal, ...)``, one argument per line when it would be long."""
    rendered = [f"{name}={render_literal(value)}" for name, value in arguments.items()]
    one_line = f"{target} = {function}({', '.join(rendered)})"
    if len(one_line) <= MAX_LINE or not rendered:
        return one_line
    body = "".join(f"    {argument},\n" for argument in rendered)
    return f"{target} = {function}(\n{body})"


def render_snippet(module_name: str, action: str, arguments: Mapping[str, Any], script: bool = False) -> str:
    """The cell (or, with ``script``, the job script) that loads ``module_name`` and calls ``action``."""
    result = RESULT_NAMES.get(action, "result")
    lines = [
        KERNEL_IMPORT,
        "",
        f"module = modules.load({render_literal(module_name)})",
        render_call(result, f"module.{action}", arguments),
    ]
    shown = f"{result}[:5]" if action == "predict" else result
    if script:
        lines.append(f"print({shown})")
    elif action == "predict":
        lines.append(shown)
    return "\n".join(lines) + "\n"
