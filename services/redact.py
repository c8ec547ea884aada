"""A last line of defence before anything is printed: resident ID numbers and mobile numbers
that slipped into free text (a clerk's note, a material name) are masked the canonical way."""
from __future__ import annotations

from domain.ids import mask_id, mask_phone
from domain.scrub import ID_NUMBER, MOBILE  # the same patterns as the log filter


def redact(text: str) -> str:
    text = ID_NUMBER.sub(lambda m: mask_id(m.group()), text)
    return MOBILE.sub(lambda m: mask_phone(m.group()), text)
