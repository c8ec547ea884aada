"""Fuzz harness: ePassport secure messaging, the LDS files (DG1's MRZ, EF.COM, DG2) and
a whole read against our chip emulator serving fuzzed files.

Contract: unprotect_response raises only SecureMessagingError, and a response the chip
sealed properly comes back as the data and status it sealed; the LDS parsers raise only
LdsError; the MRZ a citizen types raises only MrzError; read_passport raises only
AccessDenied, ChipError or LdsError (what the PC/SC backend turns into a message).

Input: the first byte picks the mode, the rest is its material.
  0: a protected response APDU, as the chip's answer to SELECT in the ICAO worked example;
  1: flags, SW1 SW2 and data that a chip holding the session keys seals (properly, or
     with a DO87 whose plaintext is the raw data, unpadded);
  2: DG1 / EF.COM / DG2 file contents;
  3: MRZ text: two TD3 lines in DG1, and the MRZ information a citizen types;
  4: the chip's DG1 (or EF.COM, by the next byte) for a whole BAC + SM read.
"""
from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":  # run as the fuzzer: the repository on the path
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.fuzz.support import instrumented, run_fuzzer, text  # noqa: E402

with instrumented(__name__):
    from devices.idcard.emulators.epassport import EPassportChip, PassportHolder
    from devices.idcard.icao import crypto, lds, sm
    from devices.idcard.icao.mrz import MrzError, normalise_mrz_information
    from devices.idcard.icao.reader import AccessDenied, ChipError, read_passport
    from devices.idcard.icao.tlv import encode

H = bytes.fromhex
# ICAO 9303 Part 11 worked example: K.IFD, K.IC, RND.IC, RND.IFD.
EXAMPLE = (H("0B795240CB7049B01C19B33E32804F0B"), H("0B4F80323EB3191CB04970CB4052790B"),
           H("4608F91988702212"), H("781723860C06C226"))
MRZ_CHARACTERS = set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<")
HOLDER = PassportHolder()
CHIP = EPassportChip(HOLDER, face=b"\xff\xd8\xff\xe0 a face")
FILES = dict(CHIP.files)


def _terminal_and_chip() -> tuple[sm.SessionKeys, sm.SessionKeys]:
    terminal, chip = sm.derive_session(*EXAMPLE), sm.derive_session(*EXAMPLE)
    chip.next_ssc()  # the command the chip answers (SELECT EF.COM) counted on both sides
    terminal.next_ssc()
    return terminal, chip


def _unprotect(keys: sm.SessionKeys, response: bytes):
    try:
        return sm.unprotect_response(keys, response)
    except sm.SecureMessagingError:
        return None


def _sealed_raw(keys: sm.SessionKeys, ciphertext: bytes, sw: bytes) -> bytes:
    """What a faulty chip with the right keys sends: a good MAC over a DO87 whose
    content was never padded or encrypted as the standard says."""
    do87, do99 = encode(0x87, b"\x01" + ciphertext), encode(0x99, sw)
    mac = crypto.retail_mac(keys.ks_mac, crypto.pad(keys.next_ssc() + do87 + do99))
    return do87 + do99 + encode(0x8E, mac) + sw


def _secure_messaging(rest: bytes) -> None:
    terminal, chip = _terminal_and_chip()
    if len(rest) < 3:
        return
    flags, sw, data = rest[0], rest[1:3], rest[3:]
    if flags & 1:
        answer = _unprotect(terminal, _sealed_raw(chip, data[: len(data) // 8 * 8], sw))
        assert answer is None or answer[1] == sw
        return
    sealed = sm.protect_response(chip, data, sw, include_do99=bool(flags & 2))
    assert sm.unprotect_response(terminal, sealed) == (data, sw), "a sealed answer did not survive"


def _lds(rest: bytes) -> None:
    for parse in (lds.parse_dg1, lds.data_groups, lds.face_image):
        try:
            parse(rest)
        except lds.LdsError:
            pass


def _mrz(rest: bytes) -> None:
    lines = text(rest)
    try:
        lds.parse_dg1(encode(0x61, encode(0x5F1F, lines.encode("latin-1", "replace"))))
    except lds.LdsError:
        pass
    try:
        information = normalise_mrz_information(lines)
    except MrzError:
        return
    assert set(information) <= MRZ_CHARACTERS, "MRZ information the BAC key cannot be made of"
    crypto.key_seed(information)


def _whole_read(rest: bytes) -> None:
    if not rest:
        return
    fid = b"\x01\x1E" if rest[0] & 1 else b"\x01\x01"
    CHIP.files = {**FILES, fid: rest[1:]}
    CHIP.reset()
    try:
        data = read_passport(CHIP.process, HOLDER.mrz_information, with_face=bool(rest[0] & 2))
    except (AccessDenied, ChipError, lds.LdsError):
        return
    assert data.identity.kind.value == "passport"


def test_one_input(data: bytes) -> None:
    if not data:
        return
    mode, rest = data[0] % 5, data[1:]
    if mode == 0:
        _unprotect(_terminal_and_chip()[0], rest)
    elif mode == 1:
        _secure_messaging(rest)
    elif mode == 2:
        _lds(rest)
    elif mode == 3:
        _mrz(rest)
    else:
        _whole_read(rest)


if __name__ == "__main__":
    run_fuzzer(test_one_input)
