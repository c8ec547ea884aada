"""Every message id the kiosk uses has a Chinese translation (zh_CN is the default)."""
import re

from babel.messages.pofile import read_po

from kiosk.i18n import Translator
from kiosk.paths import LOCALE_DIR, REPO_ROOT

SOURCES = ["kiosk", "screens", "services", "devices"]
CALL = re.compile(r"""(?:\b_|\bN_|tr\._)\(\s*"((?:[^"\\]|\\.)+)"\s*[,)]""")


def used_message_ids() -> set[str]:
    found = set()
    for folder in SOURCES:
        for path in (REPO_ROOT / folder).rglob("*"):
            if path.suffix in (".py", ".kv"):
                for match in CALL.finditer(path.read_text(encoding="utf-8")):
                    found.add(match.group(1))
    # implicit concatenation inside N_( ... ) spans lines; collect those too
    for path in (p for folder in SOURCES for p in (REPO_ROOT / folder).rglob("*.py")):
        for block in re.finditer(r'N_\(\s*((?:"[^"]*"\s*)+)\)', path.read_text(encoding="utf-8")):
            found.add("".join(re.findall(r'"([^"]*)"', block.group(1))))
    return found


def catalogue(language: str) -> dict[str, str]:
    with open(LOCALE_DIR / language / "LC_MESSAGES" / "kiosk.po", "rb") as f:
        return {m.id: m.string for m in read_po(f) if m.id}


def test_every_used_message_is_translated_to_chinese():
    zh = catalogue("zh_CN")
    used = used_message_ids()
    assert len(used) > 40
    missing = sorted(m for m in used if not zh.get(m))
    assert not missing, f"untranslated: {missing}"


def test_status_labels_are_translated():
    from domain.cases import STATUS_LABELS

    zh = catalogue("zh_CN")
    assert all(zh.get(label) for label in STATUS_LABELS.values())


def test_compiled_catalogues_switch_language():
    t = Translator("zh_CN")
    assert t.gettext("My cases") == "我的办件"
    t.toggle()
    assert t.language == "en"
    assert t.gettext("My cases") == "My cases"
    assert t.gettext("English") == "中文"  # the switch offers the other language
