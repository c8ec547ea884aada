"""The kiosk's side of the key holder: signs requests (services/api.py RequestSigner) and
seals outbox payloads (services/outbox_seal.py OutboxSealer) by asking it, and hands it a
rotated terminal secret. It never learns a key.

One connection, opened when first needed and again after the key holder restarted: a
request that finds the connection gone is sent once more on a fresh one (every request
is safe to repeat). Calls from several threads take turns.

The key holder signs only timestamps near the back office's time as the back office last
signed it (services/keyholder/keys.py): services/api.py fetches a signed time over the key
holder's challenge when a signature is refused for its timestamp, and signs again.
"""
from __future__ import annotations

import socket
import threading
from pathlib import Path
from typing import Any

from services.outbox_seal import OutboxKeyError

from . import protocol
from .protocol import KeyHolderRefused, KeyHolderUnavailable, receive_message, send_message


class KeyHolderClient:
    def __init__(self, socket_path: Path, timeout_s: float = 10.0):
        self.socket_path = Path(socket_path)
        self.timeout_s = timeout_s
        self._connection: socket.socket | None = None
        self._lock = threading.Lock()

    # --- RequestSigner -------------------------------------------------------------------
    def sign(self, method: str, path: str, query: str, timestamp: str, nonce: str, body_sha256: str) -> str:
        answer, _ = self._ask({"op": "sign", "method": method, "path": path, "query": query,
                               "timestamp": timestamp, "nonce": nonce, "body_sha256": body_sha256})
        return str(answer["signature"])

    # --- OutboxSealer --------------------------------------------------------------------
    def seal(self, associated: bytes, plain: bytes) -> bytes:
        return self._ask({"op": "seal", "associated": associated.decode()}, plain)[1]

    def open(self, associated: bytes, sealed: bytes) -> bytes:
        try:
            return self._ask({"op": "open", "associated": associated.decode()}, sealed)[1]
        except KeyHolderRefused as exc:
            if exc.code == protocol.UNOPENABLE:
                raise OutboxKeyError(exc.detail) from None
            raise

    def applicant_hash(self, normalised: str) -> str:
        return str(self._ask({"op": "applicant_hash", "value": normalised})[0]["hash"])

    # --- the back office's time -----------------------------------------------------------
    def clock_challenge(self) -> str:
        """Sixteen random bytes (hex) for the back office to sign its time over."""
        return str(self._ask({"op": "clock_challenge"})[0]["challenge"])

    def note_signed_time(self, terminal_id: str, challenge: str, server_time: str, signatures: list[str]) -> None:
        """The back office's answer to GET /v1/terminals/{id}/time; KeyHolderRefused
        clock_unsigned if it is not signed under the terminal secret over the challenge."""
        self._ask({"op": "clock", "terminal": terminal_id, "challenge": challenge, "server_time": server_time,
                   "signatures": signatures})

    # --- the rest ------------------------------------------------------------------------
    def install_secret(self, secret: str) -> None:
        """The key holder keeps it in its own file and signs with it from now on."""
        self._ask({"op": "install_secret", "secret": secret})

    def has_secret(self) -> bool:
        return bool(self._ask({"op": "status"})[0].get("terminal_secret"))

    def close(self) -> None:
        with self._lock:
            self._drop()

    def _ask(self, request: dict[str, Any], data: bytes = b"") -> tuple[dict[str, Any], bytes]:
        if len(data) > protocol.MAX_DATA_BYTES:
            raise KeyHolderRefused(protocol.TOO_LARGE, f"{len(data)} bytes of data")
        with self._lock:
            for attempt in (1, 2):
                fresh = self._connection is None
                try:
                    connection = self._connect()
                    send_message(connection, request, data)
                    message = receive_message(connection)
                    if message is None:
                        raise ConnectionError("the key holder closed the connection")
                except OSError as exc:  # ConnectionError and socket.timeout among them
                    self._drop()
                    if fresh or attempt == 2:
                        raise KeyHolderUnavailable(f"{self.socket_path}: {type(exc).__name__}") from None
                    continue
                except ValueError as exc:
                    self._drop()
                    raise KeyHolderUnavailable(f"{self.socket_path}: unreadable answer ({exc})") from None
                answer, out = message
                if "error" in answer:
                    raise KeyHolderRefused(str(answer["error"]), str(answer.get("detail", "")))
                return answer, out
        raise AssertionError("unreachable")

    def _connect(self) -> socket.socket:
        if self._connection is None:
            connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
            connection.settimeout(self.timeout_s)
            try:
                connection.connect(str(self.socket_path))
            except OSError:
                connection.close()
                raise
            self._connection = connection
        return self._connection

    def _drop(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
