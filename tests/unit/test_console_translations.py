"""Every message the staff console shows has a Chinese translation in its own catalogue
(console.po; zh_CN first, as the kiosk), and the compiled catalogues switch language."""
import re
from pathlib import Path

from babel.messages.pofile import read_po

from backoffice.console import i18n

CONSOLE = Path(i18n.__file__).resolve().parent
# _("...") and N_("..."), also with the argument on the next line.
CALL = re.compile(r"""\b(?:_|N_)\(\s*(["'])((?:(?!\1).)+)\1\s*\)""", re.DOTALL)


def used_message_ids() -> set[str]:
    found = set()
    for path in list(CONSOLE.rglob("*.html")) + list(CONSOLE.rglob("*.py")):
        found |= {m.group(2) for m in CALL.finditer(path.read_text(encoding="utf-8"))}
    from domain.cases import STATUS_LABELS  # shown translated on the queue and the timeline

    return found | set(STATUS_LABELS.values())


def catalogue(language: str) -> dict[str, str]:
    with open(i18n.LOCALE_DIR / language / "LC_MESSAGES" / "console.po", "rb") as f:
        return {m.id: m.string for m in read_po(f) if m.id}


def test_every_console_message_is_translated_to_chinese():
    used, zh = used_message_ids(), catalogue("zh_CN")
    assert len(used) > 60
    missing = sorted(m for m in used if not zh.get(m))
    assert not missing, f"untranslated: {missing}"
    assert set(catalogue("en")) == set(zh), "the English catalogue has the same messages"


def test_compiled_catalogues_are_chinese_first_with_an_english_switch():
    assert i18n.language_of(None) == "zh_CN" and i18n.language_of("fr") == "zh_CN"
    assert i18n.translations("zh_CN").gettext("Comprehensive window queue") == "综合受理"
    assert i18n.translations("en").gettext("Comprehensive window queue") == "Comprehensive window queue"
    assert i18n.translations("en").gettext("English") == "中文"  # the switch offers the other language
