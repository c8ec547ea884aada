"""Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP) for the second factor of
administrators and supervisors: six digits from an authenticator app, 30-second steps,
the step before and after accepted for clocks a little apart, each step usable once."""
from __future__ import annotations

import base64
import hmac
import secrets
import struct
import time
from urllib.parse import quote, urlencode

STEP_S = 30
DIGITS = 6
SKEW_STEPS = 1  # a phone's clock half a minute off still works
ISSUER = "澄迈政务后台"


def new_secret() -> str:
    """160 random bits in base32, as authenticator apps take them (RFC 4226 recommends 160)."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii")


def hotp(key: bytes, counter: int, digits: int = DIGITS, digest: str = "sha1") -> str:
    mac = hmac.new(key, struct.pack(">Q", counter), digest).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10 ** digits).zfill(digits)


def code_at(secret: str, at: float, digits: int = DIGITS, digest: str = "sha1") -> str:
    return hotp(_key(secret), int(at) // STEP_S, digits, digest)


def matching_step(secret: str, code: str, after_step: int, now: float | None = None) -> int | None:
    """The time step `code` belongs to, if it is one of the steps around now and later than
    `after_step` (the last one used: a code seen once, on the wire or over a shoulder,
    cannot be used again); None otherwise."""
    code = code.strip()
    if len(code) != DIGITS or not code.isdigit():
        return None
    current = int(time.time() if now is None else now) // STEP_S
    key = _key(secret)
    for step in range(current - SKEW_STEPS, current + SKEW_STEPS + 1):
        if step > after_step and hmac.compare_digest(hotp(key, step), code):
            return step
    return None


def provisioning_uri(secret: str, account: str) -> str:
    """The otpauth:// address an authenticator app reads from a QR code."""
    label = quote(f"{ISSUER}:{account}")
    query = urlencode({"secret": secret, "issuer": ISSUER, "digits": DIGITS, "period": STEP_S}, quote_via=quote)
    return f"otpauth://totp/{label}?{query}"


def _key(secret: str) -> bytes:
    cleaned = secret.replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
