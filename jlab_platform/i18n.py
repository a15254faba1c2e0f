"""Server error messages in the request's language.

Domain code raises its errors in English, often with f-strings
(``NotFound(f"No job {job_id!r}")``). The catalog
(``locale/<locale>/LC_MESSAGES/jlab_platform_server.po``, kept in step with the code by
``scripts/server_messages.py``) holds each message as a *template*: the f-string with its
expressions as placeholders (``No job {job_id!r}``), and its translation with the same
placeholders (``没有任务 {job_id!r}``). Translating a reported message finds the template it
was made from and puts the values it carries into the translation, so no call site changes.

Values inside a message (names, paths, numbers, an OS error's text) are not translated.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DOMAIN = "jlab_platform_server"
LOCALE_DIR = Path(__file__).parent / "locale"
# The locales the server speaks besides English, each with the language tags that ask for it.
LOCALES = {"zh_CN": ("zh", "zh-cn", "zh-hans", "zh-sg", "zh-hans-cn", "zh-hans-sg")}


def split_template(text: str) -> Iterator[tuple[str, str]]:
    """A template as ``("text", literal)`` and ``("placeholder", expression)`` parts.

    ``{{`` and ``}}`` are literal braces; a placeholder's braces nest (``{d[{k}]}`` is one).
    """
    literal: list[str] = []
    i = 0
    while i < len(text):
        pair = text[i : i + 2]
        if pair in ("{{", "}}"):
            literal.append(text[i])
            i += 2
        elif text[i] == "{":
            depth, j = 1, i + 1
            while j < len(text) and depth:
                depth += {"{": 1, "}": -1}.get(text[j], 0)
                j += 1
            if literal:
                yield "text", "".join(literal)
                literal = []
            yield "placeholder", text[i + 1 : j - 1]
            i = j
        else:
            literal.append(text[i])
            i += 1
    if literal:
        yield "text", "".join(literal)


def placeholders(text: str) -> list[str]:
    """The placeholders of a template, sorted (a translation must have the same ones)."""
    return sorted(part for kind, part in split_template(text) if kind == "placeholder")


@dataclass(frozen=True)
class _Template:
    pattern: re.Pattern[str]
    names: dict[str, str]  # regex group -> placeholder
    translation: str

    def render(self, match: re.Match[str], exact: dict[str, str]) -> str:
        # A value that is itself a message of the catalog (N_("class name")) is translated too.
        values = {
            placeholder: exact.get(match.group(group), match.group(group))
            for group, placeholder in self.names.items()
        }
        return "".join(
            values[part] if kind == "placeholder" else part for kind, part in split_template(self.translation)
        )


class Translations:
    """One locale's catalog: exact messages, and templates tried most specific first."""

    def __init__(self, entries: dict[str, str]) -> None:
        self._exact: dict[str, str] = {}
        templates: list[tuple[int, _Template]] = []
        for msgid, msgstr in entries.items():
            parts = list(split_template(msgid))
            if not any(kind == "placeholder" for kind, _ in parts):
                self._exact["".join(part for _, part in parts)] = "".join(
                    part for _, part in split_template(msgstr)
                )
                continue
            regex: list[str] = []
            names: dict[str, str] = {}  # regex group -> placeholder
            seen: dict[str, str] = {}  # placeholder -> regex group
            for kind, part in parts:
                if kind == "text":
                    regex.append(re.escape(part))
                elif part in seen:
                    regex.append(f"(?P={seen[part]})")
                else:
                    seen[part] = group = f"p{len(names)}"
                    names[group] = part
                    regex.append(f"(?P<{group}>.*?)")
            literal = sum(len(part) for kind, part in parts if kind == "text")
            template = _Template(re.compile("".join(regex), re.DOTALL), names, msgstr)
            templates.append((literal, template))
        templates.sort(key=lambda item: -item[0])
        self._templates = [template for _, template in templates]

    def translate(self, message: str) -> str:
        if not message:
            return message
        exact = self._exact.get(message)
        if exact is not None:
            return exact
        for template in self._templates:
            match = template.pattern.fullmatch(message)
            if match:
                return template.render(match, self._exact)
        return message


@cache
def translations(locale: str) -> Translations:
    """The catalog of ``locale`` (read once; an entry without a translation stays English)."""
    from babel.messages.pofile import read_po  # only once a request asks for a translation

    path = LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as f:
        catalog = read_po(f, locale=locale, domain=DOMAIN)
    entries = {
        str(message.id): str(message.string)
        for message in catalog
        if message.id and message.string and not message.fuzzy
    }
    return Translations(entries)


def negotiate(ui_language: str | None, accept_language: str | None) -> str | None:
    """The locale to answer in, or None for English.

    ``ui_language`` (the JupyterLab UI's language, sent by the frontend) decides when it is given,
    so messages match the page around them; otherwise the browser's ``Accept-Language`` does.
    """
    if ui_language:
        return _locale_of(ui_language)
    ranked: list[tuple[float, int, str]] = []
    for index, item in enumerate((accept_language or "").split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality, index, tag))
    for _, _, tag in sorted(ranked):
        if tag == "*" or tag.lower().startswith("en"):
            return None
        locale = _locale_of(tag)
        if locale:
            return locale
    return None


def _locale_of(tag: str) -> str | None:
    tag = tag.strip().replace("_", "-").lower()
    for locale, tags in LOCALES.items():
        if tag in tags:
            return locale
    return None


def N_(text: str) -> str:  # gettext's name for "mark for the catalog"
    """``text`` unchanged: marks a message that is not an error's argument for the catalog."""
    return text


def translate(message: str, locale: str | None) -> str:
    """``message`` in ``locale`` (unchanged for English or a message the catalog lacks)."""
    return translations(locale).translate(message) if locale else message


def translate_sentences(text: str, locale: str | None) -> str:
    """``text`` in ``locale``; when the catalog lacks it whole, sentence by sentence (a path rule's
    message and its fix arrive joined: "Path 'x' contains '..'. Give the path ...")."""
    whole = translate(text, locale)
    if whole != text or not locale:
        return whole
    head, dot, tail = text.partition(". ")
    if not dot:
        return text
    first = translate(head, locale)
    return f"{first if first != head else head + '.'} {translate_sentences(tail, locale)}"
