"""Server error messages in Chinese: the catalog covers every message, and templates match back."""

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.pofile import read_po

from jlab_platform.i18n import Translations, negotiate, placeholders, split_template, translate

ROOT = Path(__file__).resolve().parents[1]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("server_messages", ROOT / "scripts" / "server_messages.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def catalog() -> dict[str, str]:
    script = _script()
    with script.CATALOG.open("rb") as f:
        return {str(m.id): str(m.string) for m in read_po(f) if m.id}


def test_catalog_has_every_message_the_code_raises(catalog: dict[str, str]) -> None:
    found = set(_script().messages())
    missing = sorted(found - set(catalog))
    stale = sorted(set(catalog) - found)
    assert not missing and not stale, (
        "Run `python scripts/server_messages.py` and translate the new entries. "
        f"Missing: {missing}; stale: {stale}"
    )


def test_every_message_has_a_translation_with_the_same_placeholders(catalog: dict[str, str]) -> None:
    untranslated = [msgid for msgid, msgstr in catalog.items() if not msgstr]
    assert not untranslated, f"No zh-CN translation for: {untranslated}"
    broken = [msgid for msgid, msgstr in catalog.items() if placeholders(msgid) != placeholders(msgstr)]
    assert not broken, f"The translation changes the placeholders of: {broken}"


def _render(template: str, values: dict[str, str]) -> str:
    return "".join(
        values.get(part, part) if kind == "placeholder" else part for kind, part in split_template(template)
    )


def test_each_message_translates_back_through_its_own_template(catalog: dict[str, str]) -> None:
    """A message made from a template is recognized as that one, not as a looser template."""
    zh = Translations(catalog)
    wrong = []
    for msgid, msgstr in catalog.items():
        values = {name: f"⟨{i}⟩" for i, name in enumerate(placeholders(msgid))}
        if zh.translate(_render(msgid, values)) != _render(msgstr, values):
            wrong.append(msgid)
    assert not wrong, f"Translated through another template: {wrong}"


def test_values_pass_through_and_unknown_messages_stay_english() -> None:
    assert translate("No job with id 'abc'", "zh_CN") == "没有 ID 为 'abc' 的任务"
    assert translate("Path 'a/../b' contains '..'", "zh_CN") == "路径 'a/../b' 包含 '..'"
    assert translate("Something nobody wrote", "zh_CN") == "Something nobody wrote"
    assert translate("No job with id 'abc'", None) == "No job with id 'abc'"
    assert translate("", "zh_CN") == ""
    # A value that is a message of its own (N_("class name")) is translated with the rest.
    assert translate("The class name is empty", "zh_CN") == "类别名称为空"
    assert translate("Give a class name.", "zh_CN") == "请提供类别名称。"


@pytest.mark.parametrize(
    ("ui", "accept", "locale"),
    [
        (None, "zh-CN,zh;q=0.9,en;q=0.8", "zh_CN"),
        (None, "zh", "zh_CN"),
        (None, "zh-Hans", "zh_CN"),
        (None, "en-US,en;q=0.9,zh-CN;q=0.8", None),
        (None, "en;q=0.5,zh-CN;q=0.9", "zh_CN"),
        (None, "zh-TW,fr;q=0.9", None),
        (None, "de,zh-CN;q=0.3", "zh_CN"),
        (None, "zh-CN;q=0", None),
        (None, None, None),
        ("zh-CN", "en-US", "zh_CN"),
        ("en", "zh-CN", None),
    ],
)
def test_language_negotiation(ui: str | None, accept: str | None, locale: str | None) -> None:
    assert negotiate(ui, accept) == locale


def test_template_parts() -> None:
    assert list(split_template('Send {{"a": {x!r}}} {d[{k}]}')) == [
        ("text", 'Send {"a": '),
        ("placeholder", "x!r"),
        ("text", "} "),
        ("placeholder", "d[{k}]"),
    ]
