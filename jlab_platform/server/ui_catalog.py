"""The UI's own catalog (``locale/<locale>/LC_MESSAGES/jlab_platform.{po,json,mo}``, made by
``scripts/i18n.py``) where JupyterLab does not read it by itself.

JupyterLab's frontend finds the JSON through the package's ``jupyterlab.locale`` entry point.
Two readers remain: jupyterlab_server translates settings schemas with gettext ``.mo`` files
looked up in the language pack's folder only, and the labeling page has no JupyterLab around it.
"""

import gettext
import json
from pathlib import Path

from jupyterlab_server.translation_utils import TranslationBundle, translator

DOMAIN = "jlab_platform"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LABEL_PAGE_CONTEXT = "labeling page"


class _PackageBundle(TranslationBundle):
    """A bundle that reads the domain's ``.mo`` from this package instead of the language pack."""

    def update_locale(self, locale_: str) -> None:
        super().update_locale(locale_)
        self._translator = gettext.translation(
            self._domain, localedir=str(LOCALE_DIR), languages=(locale_,), fallback=True
        )


def install_schema_translations() -> None:
    """Let Settings show the schemas' titles and descriptions in the UI's language.

    jupyterlab_server keeps one bundle per domain and updates it when the language changes;
    ours is put in its place before any schema is translated.
    """
    if not isinstance(translator._TRANSLATORS.get(DOMAIN), _PackageBundle):
        translator._TRANSLATORS[DOMAIN] = _PackageBundle(DOMAIN, translator._LOCALE)


def page_translations(context: str = LABEL_PAGE_CONTEXT) -> dict[str, dict[str, str]]:
    """``{"zh-CN": {English: translation}}`` of the messages with ``context``, per language."""
    result: dict[str, dict[str, str]] = {}
    prefix = context + "\x04"
    for path in sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        result[data[""]["language"]] = {
            key[len(prefix) :]: value[0] for key, value in data.items() if key.startswith(prefix)
        }
    return result


def script_json(value: object) -> str:
    """JSON to put inside a ``<script>`` element (no ``</script>`` can end it early)."""
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")
