"""Finding a CJK font that draws Simplified Chinese glyph forms.

WenQuanYi Micro Hei (Debian fonts-wqy-microhei) is preferred: face 0 of its .ttc is the
Simplified face. Noto Sans CJK is deliberately not a fallback: face 0 of its .ttc draws
Japanese forms of characters such as 门 说 这.
"""
from __future__ import annotations

from pathlib import Path

CANDIDATES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
)


class FontMissing(RuntimeError):
    pass


def find_cjk_font(configured: Path | None = None) -> Path:
    for path in ((configured,) if configured else ()) + CANDIDATES:
        if path and path.exists():
            return path
    raise FontMissing(
        "No Simplified Chinese font found; install Debian package fonts-wqy-microhei "
        "(make setup does this)"
    )
