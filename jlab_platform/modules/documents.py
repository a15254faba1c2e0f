"""Read YAML / JSON documents and remember the line of every value, for errors a user can find."""

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# libyaml's loader when PyYAML was built with it (10x faster); both report line marks.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Key = str | int
KeyPath = tuple[Key, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a module or dataset file, where it is and what to change."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "message": self.message}


@dataclass
class Document:
    """Parsed data plus the line of each key path (``("train", "inputs", "epochs")`` → 12)."""

    file: str
    data: Any
    lines: dict[KeyPath, int] = field(default_factory=dict)

    def line(self, *path: Key) -> int:
        """The line of ``path``, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            found = self.lines.get(path[:end])
            if found is not None:
                return found
        return 1

    def problem(self, path: KeyPath, message: str) -> Problem:
        return Problem(self.file, self.line(*path), message)


def read_document(path: Path, display_name: str) -> tuple[Document | None, list[Problem]]:
    """Parse ``path`` (JSON when it ends in ``.json``, YAML otherwise); problems instead of exceptions."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, [Problem(display_name, 1, f"not UTF-8 text ({exc.reason})")]
    except OSError as exc:
        return None, [Problem(display_name, 1, f"cannot be read: {exc.strerror}")]
    if path.suffix == ".json":
        return _read_json(text, display_name)
    return _read_yaml(text, display_name)


def _read_yaml(text: str, name: str) -> tuple[Document | None, list[Problem]]:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        return None, [Problem(name, line, f"invalid YAML: {exc.problem or exc.context}")]
    except yaml.YAMLError as exc:
        return None, [Problem(name, 1, f"invalid YAML: {exc}")]
    finally:
        loader.dispose()
    document = Document(name, data)
    problems: list[Problem] = []
    if node is not None:
        _collect_lines(node, (), document.lines, problems, name)
    return document, problems


def _read_json(text: str, name: str) -> tuple[Document | None, list[Problem]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [Problem(name, exc.lineno, f"invalid JSON: {exc.msg}")]
    document = Document(name, data)
    # Valid JSON is YAML once tabs (never inside JSON strings) are spaces: borrow its line numbers.
    try:
        node = yaml.compose(text.replace("\t", " "), Loader=_Loader)
    except yaml.YAMLError:
        return document, []
    problems: list[Problem] = []
    if node is not None:
        _collect_lines(node, (), document.lines, problems, name)
    return document, problems


def _collect_lines(
    node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int], problems: list[Problem], name: str
) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                problems.append(Problem(name, key_node.start_mark.line + 1, f"duplicate key {key!r}"))
            seen.add(key)
            lines[(*path, key)] = key_node.start_mark.line + 1
            _collect_lines(value_node, (*path, key), lines, problems, name)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _collect_lines(item, (*path, index), lines, problems, name)
