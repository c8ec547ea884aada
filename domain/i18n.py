"""The two languages' shared helpers: the gettext marker for message ids (English, zh_CN
first in the catalogues) and the choice between a record's Chinese and English names.
Pure Python: the kiosk's and the console's translators read the marked ids."""
from __future__ import annotations


def N_(message: str) -> str:
    """Marks a string for translation without translating it (gettext convention)."""
    return message


def in_language(chinese: str, english: str, language: str) -> str:
    """A name from the back office in the kiosk's language: the English one on English
    screens when the back office has it, else the Chinese (the county's own name)."""
    return english if language == "en" and english else chinese
