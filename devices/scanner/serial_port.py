"""Serial (RS-232 or USB-CDC) scanners through pyserial: each payload ends with CR and/or
LF. Bytes are kept as sent; Chinese scanners often send GB18030, which ScannedCode.text reads."""
from __future__ import annotations

import logging
import time

import serial

from ..health import DeviceState, DeviceStatus, SelfTestResult
from .codes import ScannedCode

log = logging.getLogger(__name__)
MAX_PAYLOAD = 8192  # line noise without a terminator must not grow a buffer forever


class SerialScannerBackend:
    name = "serial"

    def __init__(self, port: str, baudrate: int = 9600, *, device: str = "scanner", reopen_s: float = 2.0):
        self.port = port
        self.baudrate = baudrate
        self.device = device
        self.reopen_s = reopen_s
        self._serial: serial.Serial | None = None
        self._buffer = b""
        self._next_open = 0.0
        self.error = ""

    def open(self) -> None:
        try:
            self._serial = serial.Serial(self.port, self.baudrate, timeout=0)
            self.error = ""
        except (serial.SerialException, OSError, ValueError) as exc:
            self._serial = None
            self.error = f"cannot open {self.port}: {exc}"
            self._next_open = time.monotonic() + self.reopen_s

    def close(self) -> None:
        if self._serial is not None:
            try:
                self._serial.close()
            except (serial.SerialException, OSError):
                pass
            self._serial = None

    def poll(self, timeout: float) -> list[ScannedCode]:
        if self._serial is None:
            if time.monotonic() >= self._next_open:
                self.open()
            if self._serial is None:
                time.sleep(timeout)
                return []
        try:
            self._serial.timeout = timeout
            first = self._serial.read(1)
            rest = self._serial.read(self._serial.in_waiting) if first else b""
        except (serial.SerialException, OSError) as exc:  # unplugged USB-serial adapter
            self.error = f"read failed: {exc}"
            self.close()
            self._next_open = time.monotonic() + self.reopen_s
            return []
        self._buffer += first + rest
        return self._split()

    def _split(self) -> list[ScannedCode]:
        codes = []
        data = self._buffer.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        *lines, self._buffer = data.split(b"\n")
        for line in lines:
            if line.strip():
                codes.append(ScannedCode(line.strip(b" \t\x00"), "unknown", self.name))
        if len(self._buffer) > MAX_PAYLOAD:
            log.warning("discarding %d bytes from %s without a terminator", len(self._buffer), self.port)
            self._buffer = b""
        return codes

    def status(self) -> DeviceStatus:
        if self._serial is None:
            return DeviceStatus(self.device, self.name, DeviceState.NO_DEVICE, detail=self.error or "not open")
        return DeviceStatus(self.device, self.name, DeviceState.ONLINE, detail=f"{self.port} {self.baudrate} baud")

    def self_test(self) -> SelfTestResult:
        status = self.status()
        return SelfTestResult(status.state is DeviceState.ONLINE, status, status.detail)
