"""MRZ check digits (ICAO 9303 Part 3, 4.9) and the BAC key's MRZ information:
document number + check, birth date + check, expiry date + check."""
from __future__ import annotations

import re

_WEIGHTS = (7, 3, 1)


class MrzError(ValueError):
    """MRZ information that cannot be right; the message names the field."""


def _value(ch: str) -> int:
    if "0" <= ch <= "9":  # not str.isdigit(): "²" and "٣" are digits to Python, not to an MRZ
        return int(ch)
    if "A" <= ch <= "Z":
        return ord(ch) - 55
    if ch == "<":
        return 0
    raise MrzError(f"character {ch!r} is not allowed in an MRZ")


def check_digit(field: str) -> str:
    return str(sum(_value(c) * _WEIGHTS[i % 3] for i, c in enumerate(field)) % 10)


def mrz_information(document_number: str, birth_yymmdd: str, expiry_yymmdd: str) -> str:
    """Build the 24+ character key string; document numbers shorter than 9 are `<`-padded."""
    number = document_number.upper().ljust(9, "<")
    for name, value in (("birth date", birth_yymmdd), ("expiry date", expiry_yymmdd)):
        if not re.fullmatch(r"[0-9]{6}", value):
            raise MrzError(f"{name} must be YYMMDD")
    return "".join(v + check_digit(v) for v in (number, birth_yymmdd, expiry_yymmdd))


def normalise_mrz_information(text: str) -> str:
    """Accept what a technician types (with or without check digits); verify the checks.

    `L898902C<369080619406236` (with checks) or `L898902C<,690806,940623` (without).
    """
    text = text.strip().upper().replace(" ", "")
    if "," in text:
        parts = text.split(",")
        if len(parts) != 3:
            raise MrzError("expected DOCUMENT,YYMMDD,YYMMDD")
        return mrz_information(*parts)
    if len(text) != 24:
        raise MrzError("MRZ information is 24 characters: number+check, birth+check, expiry+check")
    number, birth, expiry = text[:10], text[10:17], text[17:24]
    for name, field in (("document number", number), ("birth date", birth), ("expiry date", expiry)):
        if check_digit(field[:-1]) != field[-1]:
            raise MrzError(f"{name} check digit does not match")
    return text
