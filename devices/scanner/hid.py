"""Keyboard-wedge USB scanners through evdev. The device is grabbed exclusively where the
kernel allows it, so the scanner's keystrokes never reach a text field or the UI toolkit
(Kivy once took such a scanner for a touch device: kivy #5331)."""
from __future__ import annotations

import errno
import logging
import os
import select
import struct

from ..health import DeviceState, DeviceStatus, SelfTestResult
from .codes import ScannedCode
from .wedge import KeyDecoder

log = logging.getLogger(__name__)

# struct input_event: struct timeval (two longs), __u16 type, __u16 code, __s32 value
EVENT = struct.Struct("llHHi")


def find_scanner(name_contains: str) -> str | None:
    """The /dev/input/event* path of the first input device whose name contains the text."""
    import evdev

    for path in evdev.list_devices():
        try:
            device = evdev.InputDevice(path)
        except OSError:
            continue
        try:
            if name_contains.lower() in device.name.lower():
                return path
        finally:
            device.close()
    return None


class HidScannerBackend:
    name = "hid"

    def __init__(self, path: str = "", *, name_contains: str = "", grab: bool = True,
                 fd: int | None = None, device: str = "scanner"):
        """`path` (/dev/input/eventN) or `name_contains` finds the device; `fd` is an
        already open event stream (a launcher may open the device and hand it over)."""
        self.path = path
        self.name_contains = name_contains
        self.grab = grab
        self.device = device
        self._fd = fd
        self._given_fd = fd is not None
        self._input = None  # evdev.InputDevice when we opened it
        self._decoder = KeyDecoder()
        self._buffer = b""
        self.grabbed = False
        self.error = ""

    def open(self) -> None:
        if self._given_fd:
            return
        import evdev

        path = self.path or (find_scanner(self.name_contains) if self.name_contains else "")
        if not path:
            self.error = "no keyboard-wedge scanner found"
            return
        try:
            self._input = evdev.InputDevice(path)
        except OSError as exc:
            self.error = f"cannot open {path}: {exc.strerror}"
            return
        self._fd = self._input.fd
        self.error = ""
        if self.grab:
            try:
                self._input.grab()
                self.grabbed = True
            except OSError as exc:  # another process holds it; keep reading, say so
                log.warning("could not grab %s: %s", path, exc)

    def close(self) -> None:
        if self._input is not None:
            if self.grabbed:
                try:
                    self._input.ungrab()
                except OSError:
                    pass
            self._input.close()
            self._input = None
            self._fd = None
        self.grabbed = False

    def poll(self, timeout: float) -> list[ScannedCode]:
        if self._fd is None:
            if not self._given_fd:
                self.open()  # plugged in later
            if self._fd is None:
                select.select([], [], [], timeout)
                return []
        ready, _, _ = select.select([self._fd], [], [], timeout)
        if not ready:
            return []
        try:
            chunk = os.read(self._fd, EVENT.size * 1024)
        except OSError as exc:
            if exc.errno in (errno.ENODEV, errno.EIO, errno.EBADF):  # unplugged
                self.error = "scanner unplugged"
                self.close()
                return []
            raise
        if not chunk:
            self.error = "event stream closed"
            self._fd = None
            return []
        self._buffer += chunk
        codes = []
        whole = len(self._buffer) - len(self._buffer) % EVENT.size
        for _sec, _usec, ev_type, code, value in EVENT.iter_unpack(self._buffer[:whole]):
            payload = self._decoder.feed(ev_type, code, value)
            if payload:
                codes.append(ScannedCode(payload, "unknown", self.name))
        self._buffer = self._buffer[whole:]
        return codes

    def status(self) -> DeviceStatus:
        if self._fd is None:
            return DeviceStatus(self.device, self.name, DeviceState.NO_DEVICE, detail=self.error or "not open")
        detail = "grabbed" if self.grabbed else (
            "not grabbed: keystrokes may reach the UI" if not self._given_fd else "")
        return DeviceStatus(self.device, self.name, DeviceState.ONLINE, detail=detail)

    def self_test(self) -> SelfTestResult:
        status = self.status()
        return SelfTestResult(status.state is DeviceState.ONLINE, status, status.detail)
