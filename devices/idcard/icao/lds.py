"""The LDS files we read (ICAO 9303 Part 10): EF.COM, DG1 (the MRZ) and DG2 (the face).

DG1 is parsed into an Identity for TD3 (passport) MRZs; DG2's face image is returned as
the JPEG or JPEG 2000 bytes inside the ISO/IEC 19794-5 record.
"""
from __future__ import annotations

import datetime as dt

from domain.identity import DocumentKind, Identity

from .mrz import MrzError, check_digit
from .tlv import TlvError, find

FILES = {"COM": b"\x01\x1E", "DG1": b"\x01\x01", "DG2": b"\x01\x02", "DG15": b"\x01\x0F", "SOD": b"\x01\x1D"}
TAG_DG = {0x61: "DG1", 0x75: "DG2", 0x6F: "DG15"}  # as listed in EF.COM's tag list 5C


class LdsError(ValueError):
    """A file that does not parse; the message names the structure, never personal data."""


def data_groups(ef_com: bytes) -> list[str]:
    try:
        tags = find(ef_com, 0x5C)
    except TlvError as exc:
        raise LdsError(f"EF.COM: {exc}") from exc
    if tags is None:
        raise LdsError("EF.COM has no tag list")
    return [TAG_DG.get(t, f"{t:02X}") for t in tags]


def mrz_lines(dg1: bytes) -> str:
    try:
        value = find(dg1, 0x5F1F)
    except TlvError as exc:
        raise LdsError(f"DG1: {exc}") from exc
    if value is None:
        raise LdsError("DG1 has no MRZ")
    try:
        return value.decode("ascii")
    except UnicodeDecodeError as exc:
        raise LdsError("DG1 MRZ is not ASCII") from exc


def _date(yymmdd: str, future: bool) -> dt.date:
    yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6])
    this = dt.date.today().year % 100
    # Birth dates are in the past; expiry dates at most a few decades ahead.
    century = 2000 if (yy <= this + 30 if future else yy <= this) else 1900
    return dt.date(century + yy, mm, dd)


def parse_dg1(dg1: bytes) -> Identity:
    mrz = mrz_lines(dg1)
    if len(mrz) != 88:
        raise LdsError(f"DG1 MRZ of {len(mrz)} characters is not a TD3 passport")
    l1, l2 = mrz[:44], mrz[44:]
    number, birth, expiry = l2[0:9], l2[13:19], l2[21:27]
    for name, field, check in (("number", number, l2[9]), ("birth", birth, l2[19]), ("expiry", expiry, l2[27])):
        try:
            if check_digit(field) != check:
                raise LdsError(f"DG1 {name} check digit does not match")
        except MrzError as exc:  # a character no MRZ holds: the chip's file, not the citizen
            raise LdsError(f"DG1 {name} has a character no MRZ holds") from exc
    surname, _, given = l1[5:].partition("<<")
    name = " ".join(p for p in (given.replace("<", " ").strip(), surname.replace("<", " ").strip()) if p)
    try:
        birth_date, expiry_date = _date(birth, future=False), _date(expiry, future=True)
    except ValueError as exc:
        raise LdsError("DG1 has an impossible date") from exc
    return Identity(
        kind=DocumentKind.PASSPORT, name=name, document_number=number.rstrip("<"),
        sex={"M": "M", "F": "F"}.get(l2[20], ""), nationality=l2[10:13].rstrip("<"),
        birth_date=birth_date, valid_until=expiry_date, issuing_authority=l1[2:5].rstrip("<"),
    )


JPEG = b"\xff\xd8\xff"
JP2 = b"\x00\x00\x00\x0cjP  "
J2K = b"\xff\x4f\xff\x51"


def face_image(dg2: bytes) -> bytes:
    """The image of the first face in DG2 (biometric data block 5F2E or 7F2E)."""
    try:
        block = find(dg2, 0x5F2E) or find(dg2, 0x7F2E)
    except TlvError as exc:
        raise LdsError(f"DG2: {exc}") from exc
    if block is None:
        raise LdsError("DG2 has no biometric data block")
    starts = [i for i in (block.find(m) for m in (JPEG, JP2, J2K)) if i >= 0]
    if not starts:
        raise LdsError("DG2 face record holds no JPEG or JPEG 2000 image")
    return block[min(starts):]
