"""The extension's Simplified Chinese catalog: extract, compile, check.

    python scripts/i18n.py extract   # sources -> jlab_platform.po (new strings get an empty msgstr)
    python scripts/i18n.py compile   # jlab_platform.po -> jlab_platform.json (frontend) + .mo (schemas)
    python scripts/i18n.py check     # every string translated, placeholders kept, outputs up to date

Sources: the translator calls of src/**/*.ts (``trans.__``, ``_n``, ``_p``, ``_np`` with literal
strings), the titles and descriptions of schema/*.json that jupyterlab_server translates (its own
selectors and contexts), and the ``T("...")`` calls of the labeling page (context "labeling page").
"""

import argparse
import io
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from jupyterlab_server.translation_utils import DEFAULT_SCHEMA_SELECTORS

from jlab_platform._version import __version__

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = "jlab_platform"
LOCALE = "zh_CN"
CATALOG_DIR = ROOT / "jlab_platform" / "locale" / LOCALE / "LC_MESSAGES"
PO = CATALOG_DIR / f"{DOMAIN}.po"
JSON_OUT = CATALOG_DIR / f"{DOMAIN}.json"
MO_OUT = CATALOG_DIR / f"{DOMAIN}.mo"
LABEL_PAGE = ROOT / "jlab_platform" / "crowd" / "label_page.html"
LABEL_PAGE_CONTEXT = "labeling page"
PLURAL_FORMS = "nplurals=1; plural=0;"
# Fixed so that extracting twice gives the same file (no date churn in diffs).
_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
_I18N_KEY = "jupyter.lab.internationalization"
_HEADER = """\
# Simplified Chinese of the jlab_platform UI (frontend, settings schemas, labeling page).
# Made by `python scripts/i18n.py extract`; fill in msgstr, then run `compile` and `check`.
#"""

# A translator call: `__(`, `trans._n(`, `this.host.trans.__(`...; the name must not be the
# tail of a longer identifier.
_TS_CALL = re.compile(r"(?<![\w$])(__|_n|_p|_np)\s*\(")
_PAGE_CALL = re.compile(r"(?<![\w$.])(T)\s*\(")
_PLACEHOLDER = re.compile(r"%\d+|\{[A-Za-z_]\w*\}")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


@dataclass(frozen=True)
class Found:
    context: str | None
    msgid: str
    plural: str | None
    where: tuple[str, int]


class NotLiteral(Exception):
    """A translator call whose strings are not literals (it forwards an extracted string)."""


def _read_string(text: str, pos: int) -> tuple[str, int]:
    quote = text[pos]
    out: list[str] = []
    pos += 1
    while text[pos] != quote:
        char = text[pos]
        if quote == "`" and text.startswith("${", pos):
            raise NotLiteral
        if char == "\\":
            nxt = text[pos + 1]
            if nxt == "u":
                if text[pos + 2] == "{":
                    end = text.index("}", pos)
                    out.append(chr(int(text[pos + 3 : end], 16)))
                    pos = end + 1
                else:
                    out.append(chr(int(text[pos + 2 : pos + 6], 16)))
                    pos += 6
                continue
            if nxt == "x":
                out.append(chr(int(text[pos + 2 : pos + 4], 16)))
                pos += 4
                continue
            if nxt == "\n":  # a line continuation
                pos += 2
                continue
            out.append(_ESCAPES.get(nxt, nxt))
            pos += 2
            continue
        out.append(char)
        pos += 1
    return "".join(out), pos + 1


def _skip_space(text: str, pos: int) -> int:
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if text.startswith("//", pos):
            pos = text.index("\n", pos)
        elif text.startswith("/*", pos):
            pos = text.index("*/", pos) + 2
        else:
            return pos


def _read_literal(text: str, pos: int) -> tuple[str, int]:
    """A string literal, or literals joined by `+`; then the position after it."""
    pos = _skip_space(text, pos)
    if pos >= len(text) or text[pos] not in "'\"`":
        raise NotLiteral
    value, pos = _read_string(text, pos)
    after = _skip_space(text, pos)
    if text.startswith("+", after):
        rest, pos = _read_literal(text, after + 1)
        value += rest
    return value, pos


def _read_args(text: str, pos: int, count: int) -> list[str]:
    args: list[str] = []
    for index in range(count):
        value, pos = _read_literal(text, pos)
        args.append(value)
        pos = _skip_space(text, pos)
        if index < count - 1 and not text.startswith(",", pos):
            raise NotLiteral
        pos += 1
    return args


def _calls(text: str, pattern: re.Pattern[str], path: str, page: bool) -> Iterator[Found | tuple[str, int]]:
    for match in pattern.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        name = match.group(1)
        try:
            if name in ("__", "T"):
                (msgid,) = _read_args(text, match.end(), 1)
                found = Found(None, msgid, None, (path, line))
            elif name == "_n":
                msgid, plural = _read_args(text, match.end(), 2)
                found = Found(None, msgid, plural, (path, line))
            elif name == "_p":
                context, msgid = _read_args(text, match.end(), 2)
                found = Found(context, msgid, None, (path, line))
            else:
                context, msgid, plural = _read_args(text, match.end(), 3)
                found = Found(context, msgid, plural, (path, line))
        except NotLiteral:
            yield (path, line)
            continue
        if page:
            found = Found(LABEL_PAGE_CONTEXT, found.msgid, found.plural, found.where)
        yield found


def _schema_strings(path: Path) -> Iterator[Found]:
    text = path.read_text(encoding="utf-8")
    schema = json.loads(text)
    selectors = {re.compile("^/" + key + "$"): ctx for key, ctx in DEFAULT_SCHEMA_SELECTORS.items()}
    for selector in schema.get(_I18N_KEY, {}).get("selectors", []):
        selectors[re.compile("^/" + selector + "$")] = "schema"
    rel = str(path.relative_to(ROOT))

    # The same walk as jupyterlab_server's translate_schema: strings of objects, list items that are objects.
    def walk(node: dict[str, object], prefix: str) -> Iterator[Found]:
        for key, value in node.items():
            where = prefix + "/" + key
            if isinstance(value, str):
                for pattern, context in selectors.items():
                    if pattern.fullmatch(where):
                        at = text.find(json.dumps(value, ensure_ascii=False))
                        yield Found(context, value, None, (rel, text.count("\n", 0, max(at, 0)) + 1))
                        break
            elif isinstance(value, dict):
                yield from walk(value, where)
            elif isinstance(value, list):
                for index, item in enumerate(value):
                    if isinstance(item, dict):
                        yield from walk(item, f"{where}[{index}]")

    yield from walk(schema, "")


def collect() -> tuple[list[Found], list[tuple[str, int]], list[str]]:
    """Every translatable string, the calls that forward a non-literal, schemas without our domain."""
    found: list[Found] = []
    forwarded: list[tuple[str, int]] = []
    sources = [
        (path, _TS_CALL, False)
        for path in sorted((ROOT / "src").rglob("*.ts"))
        if "tests" not in path.relative_to(ROOT / "src").parts
    ]
    sources.append((LABEL_PAGE, _PAGE_CALL, True))
    for path, pattern, page in sources:
        for item in _calls(path.read_text(encoding="utf-8"), pattern, str(path.relative_to(ROOT)), page):
            if isinstance(item, Found):
                found.append(item)
            else:
                forwarded.append(item)
    no_domain: list[str] = []
    for path in sorted((ROOT / "schema").glob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        if schema.get(_I18N_KEY, {}).get("domain") != DOMAIN:
            no_domain.append(str(path.relative_to(ROOT)))
        found.extend(_schema_strings(path))
    return found, forwarded, no_domain


def _template(found: list[Found]) -> Catalog:
    template = Catalog(domain=DOMAIN, project=DOMAIN, creation_date=_EPOCH)
    for item in found:
        msgid: str | tuple[str, str] = item.msgid if item.plural is None else (item.msgid, item.plural)
        existing = template.get(item.msgid, item.context)
        if existing is not None:
            existing.locations.append(item.where)
        else:
            template.add(msgid, locations=[item.where], context=item.context)
    return template


def read_catalog() -> Catalog:
    with PO.open("rb") as handle:
        return read_po(handle, locale=LOCALE, domain=DOMAIN)


def _po_bytes(catalog: Catalog) -> bytes:
    catalog.creation_date = _EPOCH
    catalog.revision_date = _EPOCH
    catalog.fuzzy = False
    catalog.header_comment = _HEADER
    catalog.last_translator = catalog.language_team = "jlab_platform"
    catalog.msgid_bugs_address = ""
    catalog.version = ""
    for message in catalog:
        # Babel guesses python-format from any '%'; these are JupyterLab's %1 placeholders.
        message.flags.discard("python-format")
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0, sort_output=True, ignore_obsolete=True, include_lineno=True)
    return buffer.getvalue()


def extract() -> int:
    found, forwarded, no_domain = collect()
    if PO.exists():
        catalog = read_catalog()
    else:
        PO.parent.mkdir(parents=True, exist_ok=True)
        catalog = Catalog(locale=LOCALE, domain=DOMAIN, project=DOMAIN)
    catalog.update(_template(found), update_creation_date=False)
    PO.write_bytes(_po_bytes(catalog))
    missing = sum(1 for message in _messages(catalog) if not _translated(message))
    print(f"{PO.relative_to(ROOT)}: {len(list(_messages(catalog)))} strings, {missing} to translate")
    for path, line in forwarded:
        print(f"  note: {path}:{line} passes a non-literal to the translator (not extracted)")
    for path in no_domain:
        print(f'  error: {path} lacks "{_I18N_KEY}": {{"domain": "{DOMAIN}"}}')
    return 1 if no_domain else 0


def _messages(catalog: Catalog) -> Iterator[Message]:
    return (message for message in catalog if message.id)


def _translated(message: Message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return not message.fuzzy and all(strings)


def _texts(value: object) -> list[str]:
    """A message's id or string as a list of its forms (babel types them loosely)."""
    return [str(item) for item in value] if isinstance(value, list | tuple) else [str(value or "")]


def _key(message: Message) -> str:
    msgid = _texts(message.id)[0]
    return f"{message.context}\x04{msgid}" if message.context else msgid


def json_catalog(catalog: Catalog, version: str) -> dict[str, object]:
    """The catalog as JupyterLab's frontend loads it (the language packs' JSON)."""
    data: dict[str, object] = {
        "": {"domain": DOMAIN, "language": "zh-CN", "plural_forms": PLURAL_FORMS, "version": version}
    }
    for message in _messages(catalog):
        if not _translated(message):
            continue
        if isinstance(message.string, tuple):
            # One plural form; the frontend takes an entry of length 1 for a singular message.
            data[_key(message)] = [message.string[0], ""]
        else:
            data[_key(message)] = [message.string]
    return data


def _outputs(catalog: Catalog) -> tuple[bytes, bytes]:
    text = json.dumps(json_catalog(catalog, __version__), ensure_ascii=False, indent=1, sort_keys=True)
    mo = io.BytesIO()
    compiled = Catalog(locale=LOCALE, domain=DOMAIN, creation_date=_EPOCH, revision_date=_EPOCH)
    for message in _messages(catalog):
        if _translated(message):
            compiled.add(message.id, message.string, context=message.context)
    compiled.fuzzy = False
    write_mo(mo, compiled)
    return (text + "\n").encode("utf-8"), mo.getvalue()


def compile_catalog() -> int:
    json_bytes, mo_bytes = _outputs(read_catalog())
    JSON_OUT.write_bytes(json_bytes)
    MO_OUT.write_bytes(mo_bytes)
    print(f"wrote {JSON_OUT.relative_to(ROOT)} and {MO_OUT.relative_to(ROOT)}")
    return 0


def placeholders(text: str) -> list[str]:
    """The distinct placeholders of a message (a translation may use one twice, or reorder them)."""
    return sorted(set(_PLACEHOLDER.findall(text)))


def problems() -> tuple[list[str], int, int]:
    """What `check` reports, with the translated and total counts."""
    found, _forwarded, no_domain = collect()
    catalog = read_catalog()
    errors = [f'{path} lacks "{_I18N_KEY}": {{"domain": "{DOMAIN}"}}' for path in no_domain]
    in_po = {(message.context, _key(message)) for message in _messages(catalog)}
    for item in found:
        key = f"{item.context}\x04{item.msgid}" if item.context else item.msgid
        if (item.context, key) not in in_po:
            errors.append(
                f"{item.where[0]}:{item.where[1]}: {item.msgid!r} is not in the catalog (run extract)"
            )
    translated = 0
    total = 0
    for message in _messages(catalog):
        total += 1
        where = ", ".join(f"{path}:{line}" for path, line in message.locations[:2])
        source = _texts(message.id)[-1]
        if not _translated(message):
            label = "fuzzy (check it, then delete the '#, fuzzy' line)" if message.fuzzy else "untranslated"
            errors.append(f"{where}: {label}: {source!r}")
            continue
        translated += 1
        target = _texts(message.string)[0]
        if placeholders(source) != placeholders(target):
            errors.append(
                f"{where}: placeholders {placeholders(source)} != {placeholders(target)} in {target!r}"
            )
    json_bytes, mo_bytes = _outputs(catalog)
    if not JSON_OUT.exists() or JSON_OUT.read_bytes() != json_bytes or MO_OUT.read_bytes() != mo_bytes:
        errors.append(f"{JSON_OUT.name} / {MO_OUT.name} are older than {PO.name} (run compile)")
    return errors, translated, total


def check() -> int:
    errors, translated, total = problems()
    for error in errors:
        print(error)
    print(f"{translated}/{total} strings translated" + ("" if errors else "; OK"))
    return 1 if errors else 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["extract", "compile", "check"])
    command = parser.parse_args().command
    return {"extract": extract, "compile": compile_catalog, "check": check}[command]()


if __name__ == "__main__":
    sys.exit(main())
