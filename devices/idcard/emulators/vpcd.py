"""Our card on Debian's vsmartcard-vpcd reader driver: vpcd (inside pcscd) listens on a
TCP port; a card is "inserted" by connecting to it and "removed" by closing the socket.

vpcd protocol (vsmartcard docs): every message is a 2-byte big-endian length and a
payload; a 1-byte payload is a control (0 power off, 1 power on, 2 reset, 4 get ATR),
anything longer is a command APDU answered with a response APDU.
"""
from __future__ import annotations

import socket
import struct
import threading
import time

from .epassport import ATR, EPassportChip

POWER_OFF, POWER_ON, RESET, GET_ATR = 0, 1, 2, 4
DEFAULT_PORT = 35963  # vpcd's default (0x8C7B)


class VpcdCard:
    """Runs `chip` on a thread while inserted. Controls: insert(), remove()."""

    def __init__(self, chip: EPassportChip, host: str = "127.0.0.1", port: int = DEFAULT_PORT):
        self.chip = chip
        self.host, self.port = host, port
        self.pull_after_apdus: int | None = None  # remove the card after this many APDUs
        self.delay_s = 0.0
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._want_inserted = threading.Event()
        self._lock = threading.Lock()
        self.connected = threading.Event()

    def insert(self) -> None:
        """Keep the card on the reader (reconnecting if pcscd restarts) until remove()."""
        self._want_inserted.set()
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="vpcd-card", daemon=True)
            self._thread.start()

    def remove(self) -> None:
        self._want_inserted.clear()
        self._close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _close(self) -> None:
        with self._lock:
            sock, self._sock = self._sock, None
        self.connected.clear()
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def _run(self) -> None:
        while self._want_inserted.is_set():
            try:
                sock = socket.create_connection((self.host, self.port), timeout=1)
            except OSError:
                time.sleep(0.1)  # no vpcd yet (pcscd starting or restarting)
                continue
            sock.settimeout(None)
            with self._lock:
                self._sock = sock
            self.chip.reset()
            self.connected.set()
            try:
                self._serve(sock)
            except OSError:
                pass
            self._close()

    def _recv(self, sock: socket.socket, n: int) -> bytes:
        buf = b""
        while len(buf) < n:
            chunk = sock.recv(n - len(buf))
            if not chunk:
                raise OSError("vpcd closed the connection")
            buf += chunk
        return buf

    def _send(self, sock: socket.socket, payload: bytes) -> None:
        sock.sendall(struct.pack(">H", len(payload)) + payload)

    def _serve(self, sock: socket.socket) -> None:
        while self._want_inserted.is_set():
            (length,) = struct.unpack(">H", self._recv(sock, 2))
            payload = self._recv(sock, length)
            if len(payload) == 1:
                if payload[0] == GET_ATR:
                    self._send(sock, ATR)
                elif payload[0] in (POWER_OFF, RESET):
                    self.chip.reset()
                continue
            if self.pull_after_apdus is not None and self.chip.apdus >= self.pull_after_apdus:
                self.pull_after_apdus = None
                self._want_inserted.clear()  # pulled mid-read: the socket just goes away
                return
            if self.delay_s:
                time.sleep(self.delay_s)
            self._send(sock, self.chip.process(payload))
