"""Find every message the server reports in an error body, and keep the zh-CN catalog in step.

The messages are the literal (f-)string arguments of the typed errors of ``jlab_platform/errors.py``
(and their subclasses anywhere in the package) and of tornado's ``HTTPError``, plus the HTTP reason
phrases the server answers with. An f-string becomes a template whose placeholders are the
expressions, normalized (``f"No job {job_id!r}"`` -> ``No job {job_id!r}``); ``jlab_platform/i18n.py``
matches reported messages against these templates at run time.

    python scripts/server_messages.py          # add new messages to the catalog, drop gone ones
    python scripts/server_messages.py --check  # exit 1 when the catalog lacks one or has a stale one
"""

import ast
import sys
from collections.abc import Iterator
from http import HTTPStatus
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "jlab_platform"
CATALOG = PACKAGE / "locale" / "zh_CN" / "LC_MESSAGES" / "jlab_platform_server.po"
BASE_ERRORS = {"PlatformError", "InvalidInput", "InvalidPath", "NotFound", "Conflict", "Unavailable"}
BASE_ERRORS |= {"AuthenticationFailed", "InvalidRequest"}
# tornado's HTTPError(status, log_message): its message (the detail of the body) is argument 1.
# N_(text) marks any other message for the catalog (gettext's convention).
MESSAGE_ARGS = {"HTTPError": (1,), "N_": (0,)}
# The statuses the server answers with itself (write_error names them by their reason phrase).
STATUSES = (400, 401, 403, 404, 405, 409, 413, 500, 503)


def error_classes(trees: list[ast.Module]) -> set[str]:
    """The typed errors: those of errors.py and every class that derives from one."""
    names = set(BASE_ERRORS)
    while True:
        found = {
            node.name
            for tree in trees
            for node in ast.walk(tree)
            if isinstance(node, ast.ClassDef)
            and any(isinstance(base, ast.Name) and base.id in names for base in node.bases)
        }
        if found <= names:
            return names
        names |= found


def template(node: ast.expr) -> Iterator[str]:
    """The message templates an argument can produce (both branches of ``a if c else b``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value.replace("{", "{{").replace("}", "}}")
    elif isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value).replace("{", "{{").replace("}", "}}"))
            elif isinstance(value, ast.FormattedValue):
                parts.append("{" + placeholder(value) + "}")
        yield "".join(parts)
    elif isinstance(node, ast.IfExp):
        yield from template(node.body)
        yield from template(node.orelse)


def placeholder(value: ast.FormattedValue) -> str:
    text = ast.unparse(value.value)
    if value.conversion != -1:
        text += "!" + chr(value.conversion)
    if value.format_spec is not None:
        spec = value.format_spec
        text += ":" + "".join(
            str(part.value) if isinstance(part, ast.Constant) else "{" + ast.unparse(part) + "}"
            for part in (spec.values if isinstance(spec, ast.JoinedStr) else [spec])
        )
    return text


def _called(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def messages(package: Path = PACKAGE) -> dict[str, list[str]]:
    """Every message template, with where it is raised (``path:line``)."""
    files = sorted(package.rglob("*.py"))
    trees = [ast.parse(path.read_text(encoding="utf-8"), str(path)) for path in files]
    classes = error_classes(trees)
    found: dict[str, list[str]] = {}

    def add(text: str, where: str) -> None:
        # A bare placeholder ("{exc}") passes another message on: there is nothing to translate.
        if text.replace("{{", "").replace("}}", "").strip() and not _only_placeholders(text):
            found.setdefault(text, []).append(where)

    for path, tree in zip(files, trees, strict=True):
        where = path.relative_to(package.parent).as_posix()
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _called(node)
            if name in classes or (name == "__init__" and _in_error_class(tree, node, classes)):
                args = list(node.args[:2])
                args += [kw.value for kw in node.keywords if kw.arg in {"message", "detail"}]
            elif name in MESSAGE_ARGS:
                args = [node.args[i] for i in MESSAGE_ARGS[name] if i < len(node.args)]
            else:
                continue
            for arg in args:
                for text in template(arg):
                    add(text, f"{where}:{node.lineno}")
    for status in STATUSES:
        add(HTTPStatus(status).phrase, f"HTTP {status}")
    return found


def _only_placeholders(text: str) -> bool:
    from jlab_platform.i18n import split_template

    return all(kind == "placeholder" or not part.strip(" :;,.") for kind, part in split_template(text))


def _in_error_class(tree: ast.Module, call: ast.Call, classes: set[str]) -> bool:
    """``super().__init__(...)`` inside a typed error's own constructor."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name in classes:
            if any(child is call for child in ast.walk(node)):
                return True
    return False


def sync(catalog_path: Path = CATALOG) -> tuple[list[str], list[str]]:
    """Bring the catalog in step with the code: (messages added, messages dropped)."""
    found = messages()
    with catalog_path.open("rb") as f:
        old = read_po(f)
    # The header is carried over, so that rewriting an unchanged catalog changes no byte.
    catalog = Catalog(
        locale="zh_CN",
        domain="jlab_platform_server",
        project="jlab_platform",
        version="1",
        header_comment=old.header_comment,
        creation_date=old.creation_date,
        revision_date=old.revision_date,
        last_translator="jlab_platform",
        language_team="jlab_platform",
        fuzzy=False,
    )
    for msgid in sorted(found):
        previous = old.get(msgid)
        catalog.add(msgid, previous.string if previous else "", locations=[(w, None) for w in found[msgid]])
    known = {message.id for message in old if message.id}
    with catalog_path.open("wb") as f:
        write_po(f, catalog, width=0, omit_header=False, no_location=True, sort_output=True)
    return sorted(set(found) - known), sorted(known - set(found))


def main() -> int:
    sys.path.insert(0, str(ROOT))
    if "--check" in sys.argv[1:]:
        found = set(messages())
        with CATALOG.open("rb") as f:
            known = {message.id for message in read_po(f) if message.id}
        for msgid in sorted(found - known):
            print(f"missing from {CATALOG.name}: {msgid!r}")
        for msgid in sorted(known - found):
            print(f"stale in {CATALOG.name}: {msgid!r}")
        return 1 if found != known else 0
    added, dropped = sync()
    print(f"{len(added)} added, {len(dropped)} dropped; translate the new ones in {CATALOG}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
