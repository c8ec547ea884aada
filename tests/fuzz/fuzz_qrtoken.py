"""Fuzz harness: a scanned QR code's text through the kiosk's offline verifier
(services.qrtokens.QrVerifier, a real Ed25519 key; domain.tokens.decode).

Contract: anything scanned either is a Token the key signed, with a known kind (the one
asked for, if any), a string subject, integer times and not expired, or raises
TokenInvalid (TokenExpired for an expired one). Nothing else: the controller catches
only those.

Input: the first byte picks the mode (bits 0-1), the kind asked for (bits 2-3) and the
clock (bit 4: far in the future).
  0: the rest is the scanned text (forged, malformed, anything);
  1: the rest is a payload the back office's key signed (CM1.<payload>.<signature>);
  2: the rest is the scanned text with a signature of the key appended.
"""
from __future__ import annotations

import hashlib
import sys
from pathlib import Path

if __name__ == "__main__":  # run as the fuzzer: the repository on the path
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.fuzz.support import instrumented, run_fuzzer, text  # noqa: E402

with instrumented(__name__):
    from backoffice.security.qr import QrSigner
    from domain import tokens
    from services.qrtokens import QrVerifier

SIGNER = QrSigner(hashlib.sha256(b"chengmai kiosk fuzzing key").digest())
VERIFIER = QrVerifier({SIGNER.key_id: SIGNER.public_key_raw_b64()})
ISSUED = 1_790_000_000  # the seeds' tokens were issued at this time, valid for a day
KIND_ASKED = (None, "appointment", "case", "licence")


def _sign(message: bytes) -> str:
    return tokens.b64url(SIGNER._key.sign(message))


def scanned_text(mode: int, rest: bytes) -> str:
    if mode == 1:
        signed = f"{tokens.PREFIX}.{tokens.b64url(rest)}"
        return f"{signed}.{_sign(signed.encode('ascii'))}"
    code = text(rest)
    if mode == 2:
        code = f"{code}.{_sign(code.encode('utf-8', 'surrogatepass'))}"
    return code


def test_one_input(data: bytes) -> None:
    if not data:
        return
    mode, kind = data[0] % 3, KIND_ASKED[(data[0] >> 2) % 4]
    now = ISSUED + (10**9 if data[0] & 0x10 else 60)
    code = scanned_text(mode, data[1:])
    try:
        token = VERIFIER.verify(code, kind=kind, now=now)
    except tokens.TokenInvalid:
        return
    assert token.kind in tokens.KINDS and (kind is None or token.kind == kind)
    assert isinstance(token.subject, str)
    assert type(token.issued_at) is int, "issued_at is not an integer"
    assert token.expires_at is None or (type(token.expires_at) is int and now <= token.expires_at)
    assert isinstance(token.claims, dict)


if __name__ == "__main__":
    run_fuzzer(test_one_input)
