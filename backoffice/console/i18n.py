"""The console's words through gettext, Chinese first, English on the switch: message ids
are English (as the kiosk's), catalogues in assets/locale/<language>/LC_MESSAGES/console.po,
compiled to .mo by `make` (never kept in git)."""
from __future__ import annotations

import gettext
from functools import lru_cache

from ..settings import REPO_ROOT

DOMAIN = "console"
LOCALE_DIR = REPO_ROOT / "assets" / "locale"
LANGUAGES = ("zh_CN", "en")
DEFAULT = "zh_CN"
COOKIE = "console_lang"


@lru_cache(maxsize=None)
def translations(language: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, localedir=str(LOCALE_DIR), languages=[language], fallback=True)


def language_of(cookie: str | None) -> str:
    return cookie if cookie in LANGUAGES else DEFAULT


def N_(message: str) -> str:
    """Marks a message for the catalogue; translated where it is shown."""
    return message
