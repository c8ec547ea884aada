"""Reading an ePassport over any APDU transport: BAC, then EF.COM, DG1 and DG2 under
secure messaging. `transmit(apdu) -> response incl. SW` is the only I/O; the PC/SC
backend gives it pyscard, tests may give it the card emulator directly.

`read_chip_evidence` also reads EF.SOD and DG15 and has the chip sign a challenge
(Active Authentication: ECDSA, or ISO/IEC 9796-2 with an RSA key; asked again with an
extended-length command when the answer does not fit a short one), returning the bytes
as read: the back office verifies them, the kiosk decides nothing from them."""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Callable

from domain.identity import Identity

from . import crypto, lds, sm
from .tlv import TlvError, read_header

Transmit = Callable[[bytes], bytes]

SELECT_LDS_APP = bytes.fromhex("00A4040C07A0000002471001")
GET_CHALLENGE = bytes.fromhex("0084000008")
INTERNAL_AUTHENTICATE = bytes.fromhex("00880000")
SW_NOT_FOUND = b"\x6a\x82"
SW_WRONG_LENGTH = b"\x67\x00"
CHUNK = 0xDF  # fits a short APDU answer with secure-messaging overhead


class AccessDenied(Exception):
    """BAC failed: the MRZ information does not match this passport."""


class ChipError(Exception):
    """The chip answered with an error status or a malformed / unauthentic answer."""


@dataclass
class PassportData:
    identity: Identity
    data_groups: list[str]
    apdus: int  # how many APDUs the read took


@dataclass(frozen=True)
class ChipEvidence:
    """A chip's files and its signature over a challenge, unverified. None: the chip has no
    such file, or refused to sign (no Active Authentication)."""
    dg1: bytes
    sod: bytes | None
    dg2: bytes | None
    dg15: bytes | None
    aa_signature: bytes | None
    apdus: int


class PassportSession:
    def __init__(self, transmit: Transmit, random: Callable[[int], bytes] = os.urandom):
        self._transmit = transmit
        self._random = random
        self.keys: sm.SessionKeys | None = None
        self.apdus = 0

    def _plain(self, apdu: bytes) -> tuple[bytes, bytes]:
        self.apdus += 1
        response = self._transmit(apdu)
        if len(response) < 2:
            raise ChipError("answer shorter than a status word")
        return response[:-2], response[-2:]

    def _exchange(self, apdu: bytes) -> tuple[bytes, bytes]:
        """A command under secure messaging: (data, status word)."""
        assert self.keys is not None
        self.apdus += 1
        try:
            return sm.unprotect_response(self.keys, self._transmit(sm.protect_command(self.keys, apdu)))
        except sm.SecureMessagingError as exc:
            raise ChipError(str(exc)) from exc

    def _protected(self, apdu: bytes) -> bytes:
        data, sw = self._exchange(apdu)
        if sw not in (b"\x90\x00", b"\x62\x82"):  # 6282: end of file reached early
            raise ChipError(f"status {sw.hex().upper()} to {apdu[:4].hex().upper()}")
        return data

    def authenticate(self, mrz_information: str) -> None:
        _, sw = self._plain(SELECT_LDS_APP)
        if sw != b"\x90\x00":
            raise ChipError(f"no ePassport application (status {sw.hex().upper()})")
        seed = crypto.key_seed(mrz_information)
        k_enc, k_mac = crypto.kdf(seed, crypto.ENC), crypto.kdf(seed, crypto.MAC)
        rnd_ic, sw = self._plain(GET_CHALLENGE)
        if sw != b"\x90\x00" or len(rnd_ic) != 8:
            raise ChipError(f"GET CHALLENGE failed (status {sw.hex().upper()})")
        rnd_ifd, k_ifd = self._random(8), self._random(16)
        data = sm.external_authenticate_data(k_enc, k_mac, rnd_ifd, rnd_ic, k_ifd)
        answer, sw = self._plain(bytes.fromhex("0082000028") + data + b"\x28")
        if sw != b"\x90\x00":
            # 6300 / 6982: the chip could not verify our cryptogram: wrong MRZ information.
            raise AccessDenied(f"status {sw.hex().upper()}")
        try:
            rnd_ic2, k_ic = sm.check_card_answer(k_enc, k_mac, answer, rnd_ifd)
        except sm.SecureMessagingError as exc:
            raise ChipError(str(exc)) from exc
        self.keys = sm.derive_session(k_ifd, k_ic, rnd_ic2, rnd_ifd)

    def internal_authenticate(self, challenge: bytes) -> bytes | None:
        """The chip's Active Authentication signature over an 8-byte challenge; None when
        the chip refuses (it has no Active Authentication key)."""
        if len(challenge) != 8:
            raise ValueError("an Active Authentication challenge is 8 bytes")
        # Short first: chips without an answer too long for it need not support extended length.
        signature, sw = self._exchange(INTERNAL_AUTHENTICATE + b"\x08" + challenge + b"\x00")
        if sw == SW_WRONG_LENGTH or sw[:1] == b"\x6c":
            # An RSA key of 2048 bits: its answer under secure messaging outgrows 256 bytes.
            signature, sw = self._exchange(INTERNAL_AUTHENTICATE + b"\x00\x00\x08" + challenge + b"\x00\x00")
        return signature if sw == b"\x90\x00" and signature else None

    def read_file_if_present(self, fid: bytes) -> bytes | None:
        _, sw = self._exchange(b"\x00\xA4\x02\x0C\x02" + fid)
        if sw == SW_NOT_FOUND:
            return None
        if sw != b"\x90\x00":
            raise ChipError(f"status {sw.hex().upper()} to SELECT {fid.hex().upper()}")
        return self._read_selected(fid)

    def read_file(self, fid: bytes) -> bytes:
        self._protected(b"\x00\xA4\x02\x0C\x02" + fid)
        return self._read_selected(fid)

    def _read_selected(self, fid: bytes) -> bytes:
        head = self._protected(b"\x00\xB0\x00\x00\x04")
        try:
            _, length, offset = read_header(head + b"\x00" * 4)
        except TlvError as exc:
            raise ChipError(f"file {fid.hex()} does not start with a TLV") from exc
        total = offset + length
        content = bytearray(head)
        while len(content) < total:
            want = min(CHUNK, total - len(content))
            pos = len(content)
            chunk = self._protected(b"\x00\xB0" + pos.to_bytes(2, "big") + bytes([want]))
            if not chunk:
                raise ChipError(f"file {fid.hex()} ended early")
            content += chunk
        return bytes(content[:total])


def read_passport(transmit: Transmit, mrz_information: str, with_face: bool = True,
                  random: Callable[[int], bytes] = os.urandom) -> PassportData:
    """Raises AccessDenied (wrong MRZ), ChipError (chip fault), lds.LdsError (bad file)."""
    session = PassportSession(transmit, random)
    session.authenticate(mrz_information)
    groups = lds.data_groups(session.read_file(lds.FILES["COM"]))
    identity = lds.parse_dg1(session.read_file(lds.FILES["DG1"]))
    if with_face and "DG2" in groups:
        identity = replace(identity, photo=lds.face_image(session.read_file(lds.FILES["DG2"])))
    return PassportData(identity=identity, data_groups=groups, apdus=session.apdus)


def read_chip_evidence(transmit: Transmit, mrz_information: str, challenge: bytes, with_face: bool = True,
                       random: Callable[[int], bytes] = os.urandom) -> ChipEvidence:
    """What the back office needs to verify the chip: DG1, EF.SOD, DG15, DG2 if wanted and
    the chip's signature over the back office's `challenge`. Raises as read_passport."""
    session = PassportSession(transmit, random)
    session.authenticate(mrz_information)
    groups = lds.data_groups(session.read_file(lds.FILES["COM"]))
    dg1 = session.read_file(lds.FILES["DG1"])
    dg2 = session.read_file(lds.FILES["DG2"]) if with_face and "DG2" in groups else None
    sod = session.read_file_if_present(lds.FILES["SOD"])
    dg15 = session.read_file_if_present(lds.FILES["DG15"])
    signature = session.internal_authenticate(challenge)
    return ChipEvidence(dg1=dg1, sod=sod, dg2=dg2, dg15=dg15, aa_signature=signature, apdus=session.apdus)
