"""Read YAML / JSON documents and remember the line of every value, for errors a user can find."""

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml._yaml import CParser
from yaml.composer import Composer, ComposerError
from yaml.constructor import SafeConstructor
from yaml.nodes import Node
from yaml.resolver import Resolver

from . import models


class NoAliasLoader(Composer, CParser, SafeConstructor, Resolver):
    """A safe loader that refuses anchors and aliases.

    Aliases let a few hundred bytes expand into gigabytes (a "billion laughs") or into a
    structure that contains itself; module specs and configs never need them. The nodes are
    composed in Python (libyaml's composer cannot be told to refuse them) from libyaml's
    events: 1.7x the time of ``CSafeLoader``, a third of the pure-Python loader's.
    """

    def __init__(self, stream: str) -> None:
        CParser.__init__(self, stream)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event = self.peek_event()
        if isinstance(event, yaml.NodeEvent) and event.anchor is not None:  # an alias has one too
            mark: Any = event.start_mark  # libyaml's mark, which ComposerError reads alike
            raise ComposerError(None, None, "anchors and aliases (&name, *name) are not supported", mark)
        return super().compose_node(parent, index)


def load_yaml(text: str) -> Any:
    """``yaml.safe_load`` without anchors and aliases (raises ``yaml.YAMLError``)."""
    loader = NoAliasLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


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

    def to_model(self) -> models.Problem:
        return models.Problem(file=self.file, line=self.line, message=self.message)


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
    loader = NoAliasLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except RecursionError:
        return None, [Problem(name, 1, "invalid YAML: nested too deeply")]
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
    except RecursionError:
        return None, [Problem(name, 1, "invalid JSON: nested too deeply")]
    except json.JSONDecodeError as exc:
        return None, [Problem(name, exc.lineno, f"invalid JSON: {exc.msg}")]
    document = Document(name, data)
    # Valid JSON is YAML once tabs (never inside JSON strings) are spaces: borrow its line numbers.
    try:
        loader = NoAliasLoader(text.replace("\t", " "))
        node = loader.get_single_node()
        loader.dispose()
    except (yaml.YAMLError, RecursionError):
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
