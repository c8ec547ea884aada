"""The key holder's wire format, both sides: a message is an 8-byte prefix (the JSON
header's length, the data's length, big-endian), a JSON object, then raw data (an outbox
payload; empty for most requests). Raw data spares a base64 copy of a submission's pages.

Requests name an `op`; answers are {"ok": true, ...} or {"error": code, "detail": ...}.
Nothing in the protocol carries a key out: the ops are sign, seal, open, applicant_hash,
install_secret (in only), clock_challenge and clock (the back office's signed time,
in only) and status.
"""
from __future__ import annotations

import json
import socket
import struct
from typing import Any

PREFIX = struct.Struct(">II")
MAX_HEADER_BYTES = 64 * 1024
# A submission with its pages as base64 (backoffice/body_limits.py SUBMISSION_BODY) fits.
MAX_DATA_BYTES = 96 * 1024 * 1024

# Error codes a server answers with.
TOO_LARGE = "too_large"
BAD_REQUEST = "bad_request"
NO_SECRET = "no_secret"
UNOPENABLE = "unopenable"
TIMESTAMP_OUT_OF_BOUNDS = "timestamp_out_of_bounds"
CLOCK_UNSIGNED = "clock_unsigned"


class KeyHolderError(Exception):
    """The key holder did not do what was asked."""


class KeyHolderUnavailable(KeyHolderError):
    """No answer: the key holder is not running, restarting, or hung up."""


class KeyHolderRefused(KeyHolderError):
    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


class MessageTooLarge(Exception):
    """A prefix announced more than the limits allow: nothing of it is read."""


def send_message(sock: socket.socket, header: dict[str, Any], data: bytes = b"") -> None:
    encoded = json.dumps(header, separators=(",", ":")).encode()
    sock.sendall(PREFIX.pack(len(encoded), len(data)) + encoded)
    if data:
        sock.sendall(data)


def receive_message(sock: socket.socket) -> tuple[dict[str, Any], bytes] | None:
    """The next message, or None when the other side closed between messages. Raises
    MessageTooLarge before reading an oversized body, ValueError for a header that is
    not a JSON object, ConnectionError when the peer hangs up mid-message."""
    prefix = _read_exactly(sock, PREFIX.size, eof_ok=True)
    if prefix is None:
        return None
    header_length, data_length = PREFIX.unpack(prefix)
    if header_length > MAX_HEADER_BYTES or data_length > MAX_DATA_BYTES:
        raise MessageTooLarge(f"{header_length} + {data_length} bytes")
    header = json.loads(_read_exactly(sock, header_length) or b"")
    if not isinstance(header, dict):
        raise ValueError("a message header is a JSON object")
    return header, _read_exactly(sock, data_length) or b""


def _read_exactly(sock: socket.socket, count: int, eof_ok: bool = False) -> bytes | None:
    chunks = bytearray()
    while len(chunks) < count:
        chunk = sock.recv(min(count - len(chunks), 1 << 20))
        if not chunk:
            if eof_ok and not chunks:
                return None
            raise ConnectionError("the peer closed the connection mid-message")
        chunks += chunk
    return bytes(chunks)
