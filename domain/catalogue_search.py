"""How a typed query finds a catalogue item, shared by the back office's search and the
kiosk's offline copy of the catalogue, so both find the same items."""
from __future__ import annotations


def matches_query(query: str, name: str, name_en: str, pinyin_initials: str, pinyin_full: str) -> bool:
    """Latin letters search pinyin initials ("spjy"), full pinyin and the English name,
    anywhere; anything else searches the Chinese name."""
    q = query.strip().lower()
    if not q:
        return True
    if q.isascii():
        return q in pinyin_initials or q in pinyin_full or q in name_en.lower()
    return q in name.lower()
