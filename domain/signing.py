"""The canonical string a terminal signs (HMAC-SHA256) for every request to the back office.

Shared by the kiosk's client and the server so both build it byte for byte the same way.
"""
from __future__ import annotations

import hashlib
import hmac

HEADER_TERMINAL = "X-Terminal-Id"
HEADER_TIMESTAMP = "X-Timestamp"
HEADER_NONCE = "X-Nonce"
HEADER_SIGNATURE = "X-Signature"
# The citizen's presence grant (backoffice/presence.py), on requests for their data.
HEADER_PRESENCE_GRANT = "X-Presence-Grant"


def canonical_request(method: str, path: str, query: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    return canonical_request_of_digest(method, path, query, timestamp, nonce, hashlib.sha256(body).hexdigest())


def canonical_request_of_digest(method: str, path: str, query: str, timestamp: str, nonce: str,
                                body_sha256: str) -> bytes:
    """The same string from the body's SHA-256 (hex): what a signer that never sees the body signs."""
    return "\n".join((method.upper(), path, query, timestamp, nonce, body_sha256)).encode()


def sign(secret: str, method: str, path: str, query: str, timestamp: str, nonce: str, body: bytes) -> str:
    return sign_digest(secret, method, path, query, timestamp, nonce, hashlib.sha256(body).hexdigest())


def sign_digest(secret: str, method: str, path: str, query: str, timestamp: str, nonce: str,
                body_sha256: str) -> str:
    message = canonical_request_of_digest(method, path, query, timestamp, nonce, body_sha256)
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def server_time_message(terminal_id: str, challenge: str, server_time: str) -> bytes:
    """What the back office signs when it tells a terminal's key holder its time. The first
    line is lower case, so it is never a request's canonical string (whose method is
    upper case): a signed time cannot be taken for a signed request, nor the reverse."""
    return "\n".join(("server-time", terminal_id, challenge, server_time)).encode()


def sign_server_time(secret: str, terminal_id: str, challenge: str, server_time: str) -> str:
    return hmac.new(secret.encode(), server_time_message(terminal_id, challenge, server_time),
                    hashlib.sha256).hexdigest()
