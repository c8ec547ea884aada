"""A simulated scanner for the demo and tests: codes are 'scanned' by calls (the demo
panel, a test) and reach the facade through the same poll loop as a real scanner."""
from __future__ import annotations

import queue

from ..health import DeviceState, DeviceStatus, SelfTestResult
from .codes import ScannedCode


class SimulatedScannerBackend:
    name = "sim"

    def __init__(self, device: str = "scanner"):
        self.device = device
        self._codes: queue.Queue[ScannedCode] = queue.Queue()
        self._open = False

    def scan(self, payload: bytes | str, symbology: str = "QRCode") -> None:
        data = payload.encode("utf-8") if isinstance(payload, str) else bytes(payload)
        self._codes.put(ScannedCode(data, symbology, self.name))

    def open(self) -> None:
        self._open = True

    def close(self) -> None:
        self._open = False

    def poll(self, timeout: float) -> list[ScannedCode]:
        try:
            codes = [self._codes.get(timeout=timeout)]
        except queue.Empty:
            return []
        while not self._codes.empty():
            codes.append(self._codes.get_nowait())
        return codes

    def status(self) -> DeviceStatus:
        state = DeviceState.ONLINE if self._open else DeviceState.OFFLINE
        return DeviceStatus(self.device, self.name, state)

    def self_test(self) -> SelfTestResult:
        return SelfTestResult(self._open, self.status(), "simulated scanner")
