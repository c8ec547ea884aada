"""BAC mutual authentication and secure messaging (ICAO 9303 Part 11, sections 4.3, 9.8).

Everything here is pure computation on bytes, shared by the reader (the terminal side)
and our card emulator (the chip side), so both are checked against the worked example.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import crypto
from .tlv import TlvError, parse_all


class SecureMessagingError(Exception):
    """A protected response failed its MAC or structure check."""


@dataclass
class SessionKeys:
    ks_enc: bytes
    ks_mac: bytes
    ssc: int  # send sequence counter, 8 bytes big-endian on the wire

    def next_ssc(self) -> bytes:
        self.ssc = (self.ssc + 1) % (1 << 64)
        return self.ssc.to_bytes(8, "big")


def derive_session(k_ifd: bytes, k_ic: bytes, rnd_ic: bytes, rnd_ifd: bytes) -> SessionKeys:
    seed = bytes(a ^ b for a, b in zip(k_ifd, k_ic))
    ssc = int.from_bytes(rnd_ic[-4:] + rnd_ifd[-4:], "big")
    return SessionKeys(crypto.kdf(seed, crypto.ENC), crypto.kdf(seed, crypto.MAC), ssc)


# The terminal's half of mutual authentication.

def external_authenticate_data(k_enc: bytes, k_mac: bytes, rnd_ifd: bytes, rnd_ic: bytes, k_ifd: bytes) -> bytes:
    e_ifd = crypto.encrypt(k_enc, rnd_ifd + rnd_ic + k_ifd)
    return e_ifd + crypto.retail_mac(k_mac, crypto.pad(e_ifd))


def check_card_answer(k_enc: bytes, k_mac: bytes, answer: bytes, rnd_ifd: bytes) -> tuple[bytes, bytes]:
    """Verify the chip's E_IC || M_IC; return (RND.IC, K.IC)."""
    if len(answer) != 40 or crypto.retail_mac(k_mac, crypto.pad(answer[:32])) != answer[32:]:
        raise SecureMessagingError("mutual authentication answer failed its MAC")
    plain = crypto.decrypt(k_enc, answer[:32])
    if plain[8:16] != rnd_ifd:
        raise SecureMessagingError("mutual authentication answer is for another challenge")
    return plain[:8], plain[16:32]


# Protecting commands (terminal) and unwrapping them (chip).

def _do(tag: int, value: bytes) -> bytes:
    from .tlv import encode

    return encode(tag, value)


def protect_command(keys: SessionKeys, apdu: bytes) -> bytes:
    """Wrap a plain case 1-4 APDU (CLA INS P1 P2 [Lc data] [Le]), short or extended (00
    then a two-byte Lc, or 00 and a two-byte Le alone); an extended one stays extended."""
    header = bytes([apdu[0] | 0x0C]) + apdu[1:4]
    body = apdu[4:]
    data, le = b"", None
    extended = len(body) >= 3 and body[0] == 0  # a short Lc is never 0
    if extended and len(body) == 3:
        le = body[1:]
    elif extended:
        lc = int.from_bytes(body[1:3], "big")
        data = body[3 : 3 + lc]
        le = body[3 + lc :] or None
    elif len(body) == 1:
        le = body
    elif body:
        lc = body[0]
        data = body[1 : 1 + lc]
        if len(body) > 1 + lc:
            le = body[1 + lc :]
    do87 = _do(0x87, b"\x01" + crypto.encrypt(keys.ks_enc, crypto.pad(data))) if data else b""
    do97 = _do(0x97, le) if le is not None else b""
    ssc = keys.next_ssc()
    mac = crypto.retail_mac(keys.ks_mac, crypto.pad(ssc + crypto.pad(header) + do87 + do97))
    payload = do87 + do97 + _do(0x8E, mac)
    if extended:
        return header + b"\x00" + len(payload).to_bytes(2, "big") + payload + b"\x00\x00"
    return header + bytes([len(payload)]) + payload + b"\x00"


def is_extended(apdu: bytes) -> bool:
    """A protected command in extended form: a short one always has an Lc (its MAC at least)."""
    return len(apdu) >= 7 and apdu[4] == 0


def unprotect_response(keys: SessionKeys, response: bytes) -> tuple[bytes, bytes]:
    """Verify and decrypt a protected response; return (data, SW). DO99 may be absent."""
    if len(response) < 2:
        raise SecureMessagingError("response shorter than a status word")
    sw, body = response[-2:], response[:-2]
    ssc = keys.next_ssc()
    if not body:  # the chip answered in plain, e.g. 6988 for a broken SM
        return b"", sw
    try:
        objects = parse_all(body)
    except TlvError as exc:
        raise SecureMessagingError(f"protected response is not TLV: {exc}") from exc
    tags = {tag: (value, raw) for tag, value, raw in objects}
    if 0x8E not in tags:
        raise SecureMessagingError("protected response has no MAC")
    covered = b"".join(raw for tag, _, raw in objects if tag in (0x85, 0x87, 0x99))
    if crypto.retail_mac(keys.ks_mac, crypto.pad(ssc + covered)) != tags[0x8E][0]:
        raise SecureMessagingError("protected response failed its MAC")
    data = b""
    if 0x87 in tags:
        value = tags[0x87][0]
        if not value or value[0] != 0x01:
            raise SecureMessagingError("unsupported padding indicator")
        try:
            data = crypto.unpad(crypto.decrypt(keys.ks_enc, value[1:]))
        except ValueError as exc:
            raise SecureMessagingError(str(exc)) from exc
    if 0x99 in tags:
        sw = tags[0x99][0]
    return data, sw


# The chip's side, for the emulator.

def unprotect_command(keys: SessionKeys, apdu: bytes) -> bytes:
    """Check a protected command's MAC and return the plain APDU; raise on any fault."""
    header = apdu[:4]
    if len(apdu) < 6:
        raise SecureMessagingError("protected command too short")
    lc, start = (int.from_bytes(apdu[5:7], "big"), 7) if is_extended(apdu) else (apdu[4], 5)
    try:
        objects = parse_all(apdu[start : start + lc])
    except TlvError as exc:
        raise SecureMessagingError(str(exc)) from exc
    tags = {tag: value for tag, value, _ in objects}
    covered = b"".join(raw for tag, _, raw in objects if tag in (0x85, 0x87, 0x97))
    ssc = keys.next_ssc()
    if 0x8E not in tags or crypto.retail_mac(keys.ks_mac, crypto.pad(ssc + crypto.pad(header) + covered)) != tags[0x8E]:
        raise SecureMessagingError("protected command failed its MAC")
    plain = bytes([header[0] & ~0x0C & 0xFF]) + header[1:]
    if 0x87 in tags:
        data = crypto.unpad(crypto.decrypt(keys.ks_enc, tags[0x87][1:]))
        plain += bytes([len(data)]) + data
    if 0x97 in tags:
        plain += tags[0x97]
    return plain


def protect_response(keys: SessionKeys, data: bytes, sw: bytes, include_do99: bool = True) -> bytes:
    do87 = _do(0x87, b"\x01" + crypto.encrypt(keys.ks_enc, crypto.pad(data))) if data else b""
    do99 = _do(0x99, sw) if include_do99 else b""
    ssc = keys.next_ssc()
    mac = crypto.retail_mac(keys.ks_mac, crypto.pad(ssc + do87 + do99))
    return do87 + do99 + _do(0x8E, mac) + sw
