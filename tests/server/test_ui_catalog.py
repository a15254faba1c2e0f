"""The UI's Simplified Chinese catalog: complete, placeholders kept, and read where JupyterLab reads it."""

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from jupyterlab_server.translation_utils import get_language_pack, translator

from jlab_platform.server.ui_catalog import install_schema_translations, page_translations

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def i18n() -> ModuleType:
    spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts" / "i18n.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_ui_string_has_a_translation_with_its_placeholders(i18n: ModuleType) -> None:
    errors, translated, total = i18n.problems()
    assert not errors, (
        "The zh-CN catalog is behind the UI (README: Languages): python scripts/i18n.py extract, "
        "translate, compile.\n" + "\n".join(errors)
    )
    assert translated == total > 500


def test_extraction_reads_every_form_of_a_translator_call(i18n: ModuleType) -> None:
    source = """
        trans.__('It\\'s %1', name); this.host.trans.__("Two " +
            'parts');
        trans._n('%1 file', '%1 files', n, n);  trans._p('menu', `Open`);
        __(`with ${name}`);  notTrans__('x');  trans.__(message);
    """
    found = list(i18n._calls(source, i18n._TS_CALL, "x.ts", False))
    messages = [(f.context, f.msgid, f.plural) for f in found if isinstance(f, i18n.Found)]
    assert messages == [
        (None, "It's %1", None),
        (None, "Two parts", None),
        (None, "%1 file", "%1 files"),
        ("menu", "Open", None),
    ]
    forwarded = [item for item in found if not isinstance(item, i18n.Found)]
    assert [line for _, line in forwarded] == [5, 5]  # a template with ${} and a variable


def test_a_translation_that_drops_or_invents_a_placeholder_is_reported(
    i18n: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    catalog = i18n.read_catalog()
    message = catalog.get("Job %1 failed: %2")
    message.string = "任务 %1 失败"
    catalog.get("Round %1 (%2)").string = "第 %1 轮（%3）"
    catalog.get("Labels").string = ""
    broken = tmp_path / "jlab_platform.po"
    broken.write_bytes(i18n._po_bytes(catalog))
    monkeypatch.setattr(i18n, "PO", broken)
    errors, _translated, _total = i18n.problems()
    assert any("placeholders ['%1', '%2'] != ['%1']" in error for error in errors)
    assert any("placeholders ['%1', '%2'] != ['%1', '%3']" in error for error in errors)
    assert any("untranslated: 'Labels'" in error for error in errors)


def test_jupyterlab_serves_the_catalog_to_the_frontend() -> None:
    # What /lab/api/translations/zh_CN answers: found through the jupyterlab.locale entry point.
    data, message = get_language_pack("zh_CN")
    assert not message.strip(), message
    ours = data["jlab_platform"]
    assert ours[""]["language"] == "zh-CN" and ours[""]["plural_forms"] == "nplurals=1; plural=0;"
    assert ours["Run as Job…"] == ["作为任务运行…"]
    assert ours["%1 file"] == ["%1 个文件", ""]  # a plural entry: the frontend wants two items
    assert "jupyterlab" in data  # JupyterLab's own language pack is installed beside it


def test_settings_schemas_are_translated_from_the_package_catalog() -> None:
    schema = json.loads((ROOT / "schema" / "jobs.json").read_text(encoding="utf-8"))
    install_schema_translations()
    before = translator._LOCALE
    try:
        translator.set_locale("zh_CN")
        translated = translator.translate_schema(schema)
    finally:
        translator.set_locale(before)
    assert translated["title"] == "jlab_platform：任务"
    assert translated["description"] == "将脚本和笔记本作为长时间运行的任务执行。"


async def test_the_labeling_page_carries_its_translations(jp_fetch: Any) -> None:
    response = await jp_fetch("jlab-platform", "label", headers={"Authorization": ""})
    page = response.body.decode()
    embedded = re.search(r'<script id="translations" type="application/json">(.*?)</script>', page, re.DOTALL)
    assert embedded and json.loads(embedded.group(1)) == page_translations()
    strings = page_translations()["zh-CN"]
    assert strings["Submit"] == "提交" and strings["%1 · Labeling"] == "%1 · 标注"
    # Every T("...") of the page is in the dictionary.
    used = set(re.findall(r'\bT\("((?:[^"\\]|\\.)*)"', page))
    assert used and used <= set(strings), used - set(strings)
