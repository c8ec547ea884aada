"""Citizen ID numbers (GB 11643-1999) and the one canonical mask for personal data.

The masks follow the county's privacy rule (PIPL minimisation): an ID number never shows
digits 7-14 (the birth date), a phone number hides its middle four digits, a name keeps
only its first character.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

_RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_RESIDENT_ID_CHECK = "10X98765432"


class InvalidResidentId(ValueError):
    """An ID number that fails format, checksum or birth-date checks; says which."""


@dataclass(frozen=True)
class ResidentIdInfo:
    number: str
    area_code: str
    birth_date: _dt.date
    sex: str  # "M" or "F": an odd sequence number is male


def normalize_resident_id(raw: str) -> str:
    return raw.strip().upper()


def resident_id_check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _RESIDENT_ID_WEIGHTS))
    return _RESIDENT_ID_CHECK[total % 11]


def parse_resident_id(raw: str) -> ResidentIdInfo:
    """Parse an 18-character ID number; raise InvalidResidentId naming the reason.

    The area code is not checked against a validity window: it is fixed at issue time and
    older codes (e.g. 442127, 460027 for Chengmai) stay valid for life.
    """
    number = normalize_resident_id(raw)
    if len(number) != 18:
        raise InvalidResidentId(f"length {len(number)}, expected 18")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidResidentId("characters other than digits and a final X")
    expected = resident_id_check_char(number[:17])
    if number[17] != expected:
        raise InvalidResidentId("check character does not match")
    try:
        birth = _dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise InvalidResidentId("impossible birth date") from exc
    if birth.year < 1800 or birth > _dt.date.today():
        raise InvalidResidentId("impossible birth date")
    sex = "M" if int(number[16]) % 2 else "F"
    return ResidentIdInfo(number=number, area_code=number[:6], birth_date=birth, sex=sex)


def is_valid_resident_id(raw: str) -> bool:
    try:
        parse_resident_id(raw)
    except InvalidResidentId:
        return False
    return True


def mask_id(number: str) -> str:
    """`4690**********1234`: first four and last four characters, the rest starred."""
    number = number.strip()
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_phone(phone: str) -> str:
    """`138****1234` for an 11-digit mobile number; shorter numbers keep only the last 4."""
    phone = phone.strip()
    if len(phone) == 11:
        return phone[:3] + "****" + phone[-4:]
    if len(phone) <= 4:
        return "*" * len(phone)
    return "*" * (len(phone) - 4) + phone[-4:]


def mask_name(name: str) -> str:
    """`张*`: the first character, then one star whatever the length (length is personal too)."""
    name = name.strip()
    if not name:
        return ""
    return name[0] + "*"
