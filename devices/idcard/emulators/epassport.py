"""An ICAO 9303 ePassport chip (BAC + secure messaging, EF.COM, DG1, DG2) as pure APDU
logic. `vpcd.py` connects it to a PC/SC reader; tests may also call `process` directly.

The holder's MRZ is built with correct check digits, so the BAC key is whatever
`mrz_information` says; a terminal with other MRZ information fails EXTERNAL AUTHENTICATE
with 6300 like a real chip.

Given a document signer (passport_pki.py) the chip also carries EF.SOD and, with Active
Authentication, DG15 and a signature over INTERNAL AUTHENTICATE's challenge: by default an
EC P-256 key signing with ECDSA (plain r||s, BSI TR-03111); `aa_key="rsa"` an RSA key of
1024 bits signing with ISO/IEC 9796-2 scheme 1 and SHA-1 (trailer BC), as most RSA
passports do, `aa_key="rsa-sha256"` the same with SHA-256 (trailer 34CC), `"rsa-2048"` a
2048-bit key whose answer under secure messaging needs an extended-length command (a
short one gets 6700, as from a real chip). Forgeries to
test a verifier with: a signer not issued by the CSCA, DG1 rewritten after signing, a chip
without Active Authentication.
"""
from __future__ import annotations

import io
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..icao import crypto, sm
from ..icao.mrz import check_digit, mrz_information
from ..icao.tlv import encode

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    from .passport_pki import DocumentSigner

SW_OK = b"\x90\x00"
SW_AUTH_FAILED = b"\x63\x00"
SW_SECURITY = b"\x69\x82"  # security status not satisfied (a read before BAC)
SW_SM_BROKEN = b"\x69\x88"  # incorrect secure messaging data objects
SW_NOT_FOUND = b"\x6a\x82"
SW_WRONG_P1P2 = b"\x6b\x00"
SW_WRONG_LENGTH = b"\x67\x00"
SW_INS = b"\x6d\x00"
DG1, DG2, DG15, SOD = b"\x01\x01", b"\x01\x02", b"\x01\x0F", b"\x01\x1D"
LDS_AID = bytes.fromhex("A0000002471001")
# Active Authentication keys: EC P-256, or RSA as (hash, modulus bits).
AA_KEYS: dict[str, tuple[str, int] | None] = {"ec": None, "rsa": ("sha1", 1024), "rsa-sha256": ("sha256", 1024),
                                              "rsa-2048": ("sha1", 2048)}
SHORT_ANSWER = 256  # the most data a short Le lets a chip return
ATR = bytes.fromhex("3B8880014A434F5034315632")  # a contactless card's ATR as a reader reports it


@dataclass(frozen=True)
class PassportHolder:
    surname: str = "ERIKSSON"
    given_names: str = "ANNA MARIA"
    document_number: str = "L898902C"
    issuing_state: str = "UTO"
    nationality: str = "UTO"
    birth_yymmdd: str = "690806"
    sex: str = "F"
    expiry_yymmdd: str = "940623"

    @property
    def mrz_information(self) -> str:
        return mrz_information(self.document_number, self.birth_yymmdd, self.expiry_yymmdd)

    def mrz(self) -> str:
        name = (self.surname.replace(" ", "<") + "<<" + self.given_names.replace(" ", "<"))
        line1 = ("P<" + self.issuing_state + name).ljust(44, "<")[:44]
        number = self.document_number.ljust(9, "<")
        optional = "<" * 14
        parts = [
            number + check_digit(number), self.nationality.ljust(3, "<"),
            self.birth_yymmdd + check_digit(self.birth_yymmdd), self.sex,
            self.expiry_yymmdd + check_digit(self.expiry_yymmdd), optional + check_digit(optional),
        ]
        composite = parts[0] + parts[2] + parts[4] + parts[5]
        return line1 + "".join(parts) + check_digit(composite)


def face_jpeg(size: int = 96) -> bytes:
    """A small grey JPEG face stand-in (Pillow), as a real DG2 carries JPEG or JPEG 2000."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (size, int(size * 1.25)), 200)
    draw = ImageDraw.Draw(image)
    draw.ellipse((size * 0.2, size * 0.2, size * 0.8, size * 0.95), fill=120)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def dg1_of(holder: PassportHolder) -> bytes:
    return encode(0x61, encode(0x5F1F, holder.mrz().encode("ascii")))


def dg15_of(aa_key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> bytes:
    """DG15: the Active Authentication public key as a SubjectPublicKeyInfo (Part 11, 6.1)."""
    from cryptography.hazmat.primitives import serialization

    info = aa_key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return encode(0x6F, info)


def build_files(holder: PassportHolder, face: bytes,
                aa_key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | None = None) -> dict[bytes, bytes]:
    tags = b"\x61\x75" + (b"\x6f" if aa_key is not None else b"")
    ef_com = encode(0x60, encode(0x5F01, b"0107") + encode(0x5F36, b"040000") + encode(0x5C, tags))
    dg1 = dg1_of(holder)
    # ISO/IEC 19794-5 facial record: a 14-byte general header, then a 20-byte facial
    # information block and a 12-byte image information block before the image.
    record = b"FAC\x00" + b"010\x00" + (14 + 32 + len(face)).to_bytes(4, "big") + b"\x00\x01"
    record += (32 + len(face)).to_bytes(4, "big") + bytes(16) + bytes([0x01]) + bytes(11)
    record += face
    header = encode(0xA1, encode(0x80, b"\x01\x01") + encode(0x87, b"\x01\x01"))
    dg2 = encode(0x75, encode(0x7F61, encode(0x02, b"\x01") + encode(0x7F60, header + encode(0x5F2E, record))))
    files = {b"\x01\x1E": ef_com, b"\x01\x01": dg1, b"\x01\x02": dg2}
    if aa_key is not None:
        files[DG15] = dg15_of(aa_key)
    return files


class EPassportChip:
    def __init__(self, holder: PassportHolder | None = None, face: bytes | None = None,
                 include_do99: bool = True, signer: DocumentSigner | None = None,
                 active_authentication: bool = True, dg1_after_signing: PassportHolder | None = None,
                 aa_key: str = "ec"):
        """`signer` signs EF.SOD (none: the chip has no SOD, DG15 or AA, as before);
        `aa_key` is one of AA_KEYS. The forgeries: `dg1_after_signing` replaces DG1 once
        the SOD is signed; `active_authentication=False` leaves DG15 out and refuses
        INTERNAL AUTHENTICATE."""
        if aa_key not in AA_KEYS:
            raise ValueError(f"aa_key is one of {', '.join(AA_KEYS)}")
        self.holder = holder or PassportHolder()
        self.face = face if face is not None else face_jpeg()
        self.aa_key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | None = None
        rsa_key = AA_KEYS[aa_key]
        self.aa_hash = rsa_key[0] if rsa_key else None
        if signer is not None and active_authentication:
            from cryptography.hazmat.primitives.asymmetric import ec, rsa

            self.aa_key = ec.generate_private_key(ec.SECP256R1()) if rsa_key is None \
                else rsa.generate_private_key(public_exponent=65537, key_size=rsa_key[1])
        self.files = build_files(self.holder, self.face, self.aa_key)
        if signer is not None:
            from .passport_pki import signed_sod

            signed = {n: self.files[fid] for n, fid in ((1, DG1), (2, DG2), (15, DG15)) if fid in self.files}
            self.files[SOD] = signed_sod(signed, signer)
        if dg1_after_signing is not None:
            self.files[DG1] = dg1_of(dg1_after_signing)
        seed = crypto.key_seed(self.holder.mrz_information)
        self._k_enc, self._k_mac = crypto.kdf(seed, crypto.ENC), crypto.kdf(seed, crypto.MAC)
        self.include_do99 = include_do99  # some chips leave DO99 out of protected answers
        self.apdus = 0
        self.reset()

    def reset(self) -> None:
        self._app_selected = False
        self._rnd_ic: bytes | None = None
        self._keys: sm.SessionKeys | None = None
        self._file: bytes | None = None

    def process(self, apdu: bytes) -> bytes:
        self.apdus += 1
        if len(apdu) < 4:
            return SW_WRONG_P1P2
        if apdu[0] & 0x0C == 0x0C:
            return self._secure(apdu)
        ins = apdu[1]
        if ins == 0xA4 and apdu[2] == 0x04:
            self.reset()
            self._app_selected = apdu[5 : 5 + apdu[4]] == LDS_AID
            return SW_OK if self._app_selected else SW_NOT_FOUND
        if ins == 0x84 and self._app_selected:
            self._rnd_ic = os.urandom(8)
            return self._rnd_ic + SW_OK
        if ins == 0x82 and self._rnd_ic is not None:
            return self._external_authenticate(apdu[5 : 5 + apdu[4]])
        if ins in (0xA4, 0xB0):
            return SW_SECURITY  # files are only readable after BAC
        return SW_INS

    def _external_authenticate(self, data: bytes) -> bytes:
        rnd_ic, self._rnd_ic = self._rnd_ic, None
        if len(data) != 40 or crypto.retail_mac(self._k_mac, crypto.pad(data[:32])) != data[32:]:
            return SW_AUTH_FAILED
        plain = crypto.decrypt(self._k_enc, data[:32])
        rnd_ifd, echoed, k_ifd = plain[:8], plain[8:16], plain[16:]
        if echoed != rnd_ic:
            return SW_AUTH_FAILED
        k_ic = os.urandom(16)
        answer = crypto.encrypt(self._k_enc, rnd_ic + rnd_ifd + k_ic)
        answer += crypto.retail_mac(self._k_mac, crypto.pad(answer))
        self._keys = sm.derive_session(k_ifd, k_ic, rnd_ic, rnd_ifd)
        return answer + SW_OK

    def _secure(self, apdu: bytes) -> bytes:
        if self._keys is None:
            return SW_SECURITY
        try:
            plain = sm.unprotect_command(self._keys, apdu)
        except (sm.SecureMessagingError, ValueError):
            self._keys = None  # a broken SM session ends; the terminal must start over
            return SW_SM_BROKEN
        data, sw = self._file_command(plain)
        trial = sm.SessionKeys(self._keys.ks_enc, self._keys.ks_mac, self._keys.ssc)
        answer = sm.protect_response(trial, data, sw, self.include_do99)
        if len(answer) - 2 > SHORT_ANSWER and not sm.is_extended(apdu):
            return sm.protect_response(self._keys, b"", SW_WRONG_LENGTH, self.include_do99)
        self._keys = trial
        return answer

    def _file_command(self, apdu: bytes) -> tuple[bytes, bytes]:
        ins, p1, p2 = apdu[1], apdu[2], apdu[3]
        if ins == 0xA4 and p1 == 0x02:
            fid = apdu[5 : 5 + apdu[4]]
            if fid not in self.files:
                return b"", SW_NOT_FOUND
            self._file = fid
            return b"", SW_OK
        if ins == 0xB0:
            if self._file is None:
                return b"", SW_NOT_FOUND
            content = self.files[self._file]
            offset = (p1 << 8) | p2
            le = apdu[4] if len(apdu) > 4 else 0
            if offset > len(content):
                return b"", SW_WRONG_P1P2
            return content[offset : offset + (le or 256)], SW_OK
        if ins == 0x88:
            return self._internal_authenticate(apdu[5 : 5 + apdu[4]] if len(apdu) > 5 else b"")
        return b"", SW_INS

    def _internal_authenticate(self, challenge: bytes) -> tuple[bytes, bytes]:
        """Active Authentication over the terminal's 8-byte challenge: ECDSA-SHA-256 as
        r||s, or the ISO/IEC 9796-2 signature of an RSA key."""
        if self.aa_key is None:
            return b"", SW_INS
        if len(challenge) != 8:
            return b"", SW_WRONG_LENGTH
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

        if not isinstance(self.aa_key, ec.EllipticCurvePrivateKey):
            from .iso9796_signer import sign

            return sign(self.aa_key, challenge, self.aa_hash or "sha1"), SW_OK
        r, s = decode_dss_signature(self.aa_key.sign(challenge, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big"), SW_OK
