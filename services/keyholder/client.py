"""The kiosk's side of the key holder: signs requests (services/api.py RequestSigner) and
seals outbox payloads (services/outbox_seal.py OutboxSealer) by asking it, and hands it a
rotated terminal secret. It never learns a key.

One connection, opened when first needed and again after the key holder restarted: a
request that finds the connection gone is sent once more on a fresh one (every request
is safe to repeat). Calls from several threads take turns.

The key holder signs only timestamps near the back office's time as it was last told
(services/keyholder/keys.py): the kiosk's ServerClock tells it here whenever it learns
that time, and a fresh connection tells it again first (a restarted key holder knows
nothing), so a kiosk whose clock is off keeps signing.
"""
from __future__ import annotations

import logging
import socket
import threading
import time
from pathlib import Path
from typing import Any

from services.outbox_seal import OutboxKeyError

from . import protocol
from .protocol import KeyHolderError, KeyHolderRefused, KeyHolderUnavailable, receive_message, send_message

log = logging.getLogger("keyholder.client")


class KeyHolderClient:
    def __init__(self, socket_path: Path, timeout_s: float = 10.0):
        self.socket_path = Path(socket_path)
        self.timeout_s = timeout_s
        self._connection: socket.socket | None = None
        self._lock = threading.Lock()
        self._server_time: tuple[float, float] | None = None  # the back office's time, time.monotonic() then

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
    def note_server_time(self, server_time: float) -> None:
        """The back office's time as the kiosk just learnt it (a ServerClock listener). A
        key holder out of reach is told again on the next connection."""
        self._server_time = (float(server_time), time.monotonic())
        try:
            self._ask({"op": "clock", "server_time": float(server_time)})
        except KeyHolderError as exc:
            log.warning("the key holder was not told the back office's time: %s", exc)

    def _told_server_time(self) -> float | None:
        if self._server_time is None:
            return None
        told, at = self._server_time
        return told + (time.monotonic() - at)

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
                server_time = self._told_server_time()
                if server_time is not None:  # first: a restarted key holder has not heard it
                    send_message(connection, {"op": "clock", "server_time": server_time})
                    if receive_message(connection) is None:
                        raise ConnectionError("the key holder closed the connection")
            except (OSError, ValueError):
                connection.close()
                raise
            self._connection = connection
        return self._connection

    def _drop(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
