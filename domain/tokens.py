"""Compact signed tokens carried by QR codes (appointments, case tracking, e-licence
verification): `CM1.<payload>.<signature>`, both parts base64url without padding.

The payload is compact JSON: {"k": kind, "s": subject, "iat": issued, "exp": expiry,
"kid": the signing key's id, ...}.
Signing (Ed25519) happens in the back office; verification on the kiosk, offline, with the
published public key. This module only knows the format; the crypto is injected, so the
domain stays free of third-party code.
"""
from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Callable

PREFIX = "CM1"
KINDS = ("appointment", "case", "licence")


class TokenInvalid(ValueError):
    """Malformed, forged, or of the wrong kind; the reason is for logs, not for citizens."""


class TokenExpired(TokenInvalid):
    """Genuine but past its expiry; `kind` says what it was for (what to tell the citizen)."""

    def __init__(self, message: str, kind: str = ""):
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Token:
    kind: str
    subject: str  # appointment code, case number or licence identifier
    issued_at: int
    expires_at: int | None
    claims: dict[str, Any]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode(kind: str, subject: str, issued_at: int, sign: Callable[[bytes], bytes],
           expires_at: int | None = None, **claims: Any) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown token kind {kind!r}")
    payload = {"k": kind, "s": subject, "iat": issued_at, **claims}
    if expires_at is not None:
        payload["exp"] = expires_at
    body = b64url(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode())
    signed = f"{PREFIX}.{body}".encode("ascii")
    return f"{PREFIX}.{body}.{b64url(sign(signed))}"


def decode(token: str, verify: Callable[[bytes, bytes], bool], now: int,
           kind: str | None = None) -> Token:
    """`verify(signature, message)` returns True for a good signature."""
    if not isinstance(token, str) or len(token) > 2048:
        raise TokenInvalid("not a token")
    parts = token.strip().split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        raise TokenInvalid("not a CM1 token")
    try:
        signature, body = unb64url(parts[2]), unb64url(parts[1])
    except ValueError:
        raise TokenInvalid("undecodable") from None
    # The signature first: nothing a forger wrote is parsed (deeply nested JSON would
    # exhaust the parser's recursion).
    if not verify(signature, f"{parts[0]}.{parts[1]}".encode("ascii")):
        raise TokenInvalid("bad signature")
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):
        raise TokenInvalid("undecodable") from None
    if not isinstance(payload, dict) or payload.get("k") not in KINDS or not isinstance(payload.get("s"), str):
        raise TokenInvalid("bad payload")
    issued, expires = payload.get("iat", 0), payload.get("exp")
    if not _is_int(issued) or not (expires is None or _is_int(expires)):
        raise TokenInvalid("bad payload")  # JSON also allows 1e999, 1.5, "12" and true
    if kind is not None and payload["k"] != kind:
        raise TokenInvalid(f"expected a {kind} token")
    if expires is not None and now > expires:
        raise TokenExpired("expired", payload["k"])
    claims = {k: v for k, v in payload.items() if k not in ("k", "s", "iat", "exp")}
    return Token(payload["k"], payload["s"], issued, expires, claims)


def decode_with_keys(token: str, keys: Mapping[str, Callable[[bytes, bytes], bool]], now: int,
                     kind: str | None = None) -> Token:
    """Verified by whichever of `keys` (key id -> verify, the current key first) signed it.
    A token naming its key (`kid`) must have been signed by that very key; one signed by
    a key no longer in `keys` (retired and dropped) is refused."""
    signed_by: list[str] = []

    def verify(signature: bytes, message: bytes) -> bool:
        for kid, check in keys.items():
            if check(signature, message):
                signed_by.append(kid)
                return True
        return False

    parsed = decode(token, verify, now, kind)
    named = parsed.claims.get("kid")
    if named is not None and named != signed_by[0]:
        raise TokenInvalid("signed by another key than the one it names")
    return parsed


def _is_int(value: Any) -> bool:
    return type(value) is int
