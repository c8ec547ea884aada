"""EF.SOD's content (ICAO 9303 Part 10, 4.6.2): the LDS Security Object, a hash of every
data group, signed as a CMS SignedData (RFC 5652) by the issuing state's document signer.

Structures only, over asn1crypto; who builds an SOD (the chip emulator) and who checks one
(the back office) both read it from here.
"""
from __future__ import annotations

from asn1crypto import algos, cms, core

from .tlv import TlvError, encode, read_header

FILE_TAG = 0x77  # EF.SOD wraps the ContentInfo in an application tag
LDS_SECURITY_OBJECT = "2.23.136.1.1.1"  # id-icao-mrtd-security-ldsSecurityObject
DG_NUMBERS = {"DG1": 1, "DG2": 2, "DG15": 15}


class DataGroupHash(core.Sequence):
    _fields = [("data_group_number", core.Integer), ("data_group_hash_value", core.OctetString)]


class DataGroupHashValues(core.SequenceOf):
    _child_spec = DataGroupHash


class LdsVersionInfo(core.Sequence):
    _fields = [("lds_version", core.PrintableString), ("unicode_version", core.PrintableString)]


class LdsSecurityObject(core.Sequence):
    _fields = [
        ("version", core.Integer),
        ("hash_algorithm", algos.DigestAlgorithm),
        ("data_group_hash_values", DataGroupHashValues),
        ("lds_version_info", LdsVersionInfo, {"optional": True}),
    ]


def wrap(content_info: cms.ContentInfo) -> bytes:
    return encode(FILE_TAG, content_info.dump())


def unwrap(ef_sod: bytes) -> cms.ContentInfo:
    """The ContentInfo inside EF.SOD; ValueError when the file is not one."""
    try:
        tag, length, offset = read_header(ef_sod)
    except TlvError as exc:
        raise ValueError(f"EF.SOD: {exc}") from exc
    if tag != FILE_TAG or offset + length != len(ef_sod):
        raise ValueError("EF.SOD is not one application-tagged object")
    info = cms.ContentInfo.load(ef_sod[offset:], strict=True)
    if info["content_type"].native != "signed_data":
        raise ValueError("EF.SOD does not hold a SignedData")
    return info
