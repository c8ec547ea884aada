"""The text blocks a GA 467 reader returns (256 bytes, UCS-2LE, space padded) as an
Identity, and the other way round for our emulator.

Field widths in bytes, from GA 467 (see hevz/hev-idcard-reader):
resident card: name 30, sex 2, nation 4, birth 16, address 70, ID number 36,
issuing authority 30, valid-from 16, valid-to 16 (a date or 长期), reserved 36.
foreigner's permanent residence card (type mark `I` at byte 248): English name 120,
sex 2, card number 30, nationality 6, Chinese name 30, issue date 16, expiry 16, birth 16,
version 4, authority code 8, type mark 2, reserved 6.
"""
from __future__ import annotations

import datetime as dt

from domain.identity import DocumentKind, Identity

from .nations import SEX_CODES, nation_code, nation_name

TEXT_LEN = 256
LONG_TERM = "长期"

RESIDENT_FIELDS = (
    ("name", 30), ("sex", 2), ("nation", 4), ("birth", 16), ("address", 70),
    ("number", 36), ("authority", 30), ("valid_from", 16), ("valid_to", 16), ("reserved", 36),
)
FOREIGNER_FIELDS = (
    ("english_name", 120), ("sex", 2), ("number", 30), ("nationality", 6),
    ("chinese_name", 30), ("valid_from", 16), ("valid_to", 16), ("birth", 16),
    ("version", 4), ("authority", 8), ("type_mark", 2), ("reserved", 6),
)
TYPE_MARK_OFFSET = 248
FOREIGNER_MARK = "I"


class CardDataError(ValueError):
    """The text block is not a card we can read; the message names the field, never its value."""


def _split(block: bytes, fields) -> dict[str, str]:
    out, pos = {}, 0
    for name, width in fields:
        raw = block[pos : pos + width]
        pos += width
        try:
            out[name] = raw.decode("utf-16-le").rstrip(" \x00")
        except UnicodeDecodeError as exc:
            raise CardDataError(f"field {name} is not UCS-2") from exc
    return out


def _date(value: str, field: str) -> dt.date:
    try:
        return dt.datetime.strptime(value, "%Y%m%d").date()
    except ValueError as exc:
        raise CardDataError(f"field {field} is not a date") from exc


def is_foreigner_block(block: bytes) -> bool:
    return block[TYPE_MARK_OFFSET : TYPE_MARK_OFFSET + 2].decode("utf-16-le", "replace") == FOREIGNER_MARK


def parse_text(block: bytes, photo: bytes = b"") -> Identity:
    """Parse either card's text block; raise CardDataError on anything malformed."""
    if len(block) != TEXT_LEN:
        raise CardDataError(f"text block is {len(block)} bytes, expected {TEXT_LEN}")
    if is_foreigner_block(block):
        return _parse_foreigner(block, photo)
    return _parse_resident(block, photo)


def _sex(code: str) -> str:
    if code not in SEX_CODES:
        raise CardDataError("field sex has an unknown code")
    return SEX_CODES[code]


def _parse_resident(block: bytes, photo: bytes) -> Identity:
    f = _split(block, RESIDENT_FIELDS)
    nation = nation_name(f["nation"])
    if nation is None:
        raise CardDataError("field nation has an unknown code")
    if not f["name"] or not f["number"]:
        raise CardDataError("name or number is empty")
    valid_until = None if f["valid_to"] == LONG_TERM else _date(f["valid_to"], "valid_to")
    return Identity(
        kind=DocumentKind.RESIDENT_ID, name=f["name"], document_number=f["number"],
        sex=_sex(f["sex"]), nation=nation, birth_date=_date(f["birth"], "birth"),
        address=f["address"], issuing_authority=f["authority"],
        valid_from=_date(f["valid_from"], "valid_from"), valid_until=valid_until, photo=photo,
    )


def _parse_foreigner(block: bytes, photo: bytes) -> Identity:
    f = _split(block, FOREIGNER_FIELDS)
    if not f["english_name"] or not f["number"]:
        raise CardDataError("name or number is empty")
    return Identity(
        kind=DocumentKind.FOREIGN_PERMANENT_RESIDENT, name=f["english_name"],
        document_number=f["number"], sex=_sex(f["sex"]), nationality=f["nationality"],
        chinese_name=f["chinese_name"], birth_date=_date(f["birth"], "birth"),
        issuing_authority=f["authority"], valid_from=_date(f["valid_from"], "valid_from"),
        valid_until=_date(f["valid_to"], "valid_to"), photo=photo,
    )


# Encoding, for the emulator and tests.

def _pack(values: dict[str, str], fields) -> bytes:
    out = b""
    for name, width in fields:
        raw = values.get(name, "").encode("utf-16-le")[:width]
        out += raw + " ".encode("utf-16-le") * ((width - len(raw)) // 2)
    return out


_SEX_OUT = {"M": "1", "F": "2", "": "0"}


def encode_text(identity: Identity) -> bytes:
    d = lambda v: v.strftime("%Y%m%d") if v else ""  # noqa: E731
    if identity.kind is DocumentKind.FOREIGN_PERMANENT_RESIDENT:
        return _pack({
            "english_name": identity.name, "sex": _SEX_OUT[identity.sex],
            "number": identity.document_number, "nationality": identity.nationality,
            "chinese_name": identity.chinese_name, "valid_from": d(identity.valid_from),
            "valid_to": d(identity.valid_until), "birth": d(identity.birth_date),
            "version": "01", "authority": identity.issuing_authority, "type_mark": FOREIGNER_MARK,
        }, FOREIGNER_FIELDS)
    return _pack({
        "name": identity.name, "sex": _SEX_OUT[identity.sex],
        "nation": nation_code(identity.nation) or "", "birth": d(identity.birth_date),
        "address": identity.address, "number": identity.document_number,
        "authority": identity.issuing_authority, "valid_from": d(identity.valid_from),
        "valid_to": d(identity.valid_until) if identity.valid_until else LONG_TERM,
    }, RESIDENT_FIELDS)
