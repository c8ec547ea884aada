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
    """An 18-character number (resident ID, new permanent-residence ID, credit code):
    `4690**********1234`, its first four and last four characters. Any other (passports,
    permits, older permanent-residence numbers): only the last four, as `*****5678`: four
    and four of a nine-character passport number would show eight of its nine."""
    number = number.strip()
    if len(number) == 18:
        return number[:4] + "*" * 10 + number[-4:]
    if len(number) <= 4:
        return "*" * len(number)
    return "*" * (len(number) - 4) + number[-4:]


def is_mobile_number(phone: str) -> bool:
    """A mainland mobile number as the kiosk and the back office take it: 11 digits, a 1 first."""
    return len(phone) == 11 and phone.isdigit() and phone.startswith("1")


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


def mask_address(town: str, village: str) -> str:
    """`金江镇建国社区居委会****`: the town and village or community shown, the street, house
    and room never (they find the person's door)."""
    return f"{town}{village}****"


# --- Unified social credit code (GB 32100-2015) --------------------------------------------
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, Z, S, V
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28


def credit_code_check_char(first17: str) -> str:
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_credit_code(raw: str) -> bool:
    """Format and check character only. The first eight characters are not required to be
    digits, nor the first to be one of 1/5/9/Y: valid codes start with N, A and others."""
    code = raw.strip().upper()
    if len(code) != 18 or any(c not in _USCC_ALPHABET for c in code):
        return False
    return code[17] == credit_code_check_char(code[:17])


def mask_credit_code(code: str) -> str:
    """Credit codes are public registry data, but shown the same way as other numbers."""
    return mask_id(code)


# --- E-licence identifiers (GB/T 36904) -----------------------------------------------------
LICENCE_ROOT = "1.2.156.3005.2"
_MOD37_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def licence_check_char(body: str) -> str:
    """ISO/IEC 7064 MOD 37,36 (hybrid system) over the concatenated middle fields."""
    m = 36
    product = m
    for ch in body.upper():
        value = _MOD37_ALPHABET.index(ch)
        total = (product + value) % m or m
        product = (total * 2) % (m + 1)
    return _MOD37_ALPHABET[(m + 1 - product) % m]


def make_licence_id(type_code: str, issuer_uscc: str, serial: str, version: int) -> str:
    version_text = f"{version:03d}"
    body = type_code + issuer_uscc + serial + version_text
    return ".".join((LICENCE_ROOT, type_code, issuer_uscc, serial, version_text, licence_check_char(body)))


def is_valid_licence_id(raw: str) -> bool:
    text = raw.strip().upper()
    if not text.startswith(LICENCE_ROOT + "."):
        return False
    parts = text[len(LICENCE_ROOT) + 1:].split(".")
    if len(parts) != 5:
        return False
    type_code, issuer, serial, version, check = parts
    if len(type_code) != 21 or len(issuer) != 18 or not serial or len(version) != 3 or len(check) != 1:
        return False
    if not version.isdigit():
        return False
    body = type_code + issuer + serial + version
    if any(c not in _MOD37_ALPHABET for c in body):
        return False
    return check == licence_check_char(body)
