"""A last line of defence before anything is printed: resident ID numbers and mobile numbers
that slipped into free text (a clerk's note, a material name) are masked the canonical way."""
from __future__ import annotations

import re

from kiosk.domain.ids import mask_id, mask_phone

ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def redact(text: str) -> str:
    text = ID_NUMBER.sub(lambda m: mask_id(m.group()), text)
    return MOBILE.sub(lambda m: mask_phone(m.group()), text)
