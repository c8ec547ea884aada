"""GA 467 resident-ID reader backend (the public-security SAM, over a serial port).

One poll cycle: find card -> (new card) select -> read text+photo -> parse. The reader is
found on the configured port or by probing the usual USB serial devices with a status
command; when the port disappears (unplugged, EIO on a pty) the backend reports
`no_device` and keeps probing, so a replugged reader comes back without a restart.
"""
from __future__ import annotations

import glob
import logging
import termios
import threading
import time
from dataclasses import dataclass
from typing import Any

import serial

from ..health import DeviceState, DeviceStatus, SelfTestResult
from . import ga467_frame as f
from .facade import CardEvent, CardInserted, CardReadError, CardRemoved
from .ga467_card import CardDataError, parse_text

log = logging.getLogger(__name__)

# Message ids a person can be told (English; the kiosk translates).
MSG_READ_FAILED = "The card could not be read. Please place it on the reader again."
MSG_CARD_INVALID = "This card could not be recognised. Please ask staff for help."

DEFAULT_CANDIDATES = ("/dev/ttyUSB*", "/dev/ttyACM*")


@dataclass
class Ga467Settings:
    port: str = ""  # empty: probe `candidates`
    baudrate: int = 115200
    candidates: tuple[str, ...] = DEFAULT_CANDIDATES
    response_timeout_s: float = 3.0  # a text+photo read takes up to ~1 s on real readers
    poll_interval_s: float = 0.2
    reconnect_interval_s: float = 1.0

    @classmethod
    def from_section(cls, section: dict[str, Any]) -> "Ga467Settings":
        s = cls()
        for key in ("port", "baudrate", "response_timeout_s", "poll_interval_s", "reconnect_interval_s"):
            if key in section:
                setattr(s, key, type(getattr(s, key))(section[key]))
        if "candidates" in section:
            s.candidates = tuple(section["candidates"])
        return s


class ReaderGone(Exception):
    """The serial device went away (unplugged)."""


class NoAnswer(Exception):
    """No complete, valid frame within the response timeout."""


@dataclass
class CycleTiming:
    """Where the last successful read spent its time (for the benchmark)."""

    total_s: float = 0.0
    waiting_s: float = 0.0  # blocked in serial reads/writes


class Ga467Session:
    """One open serial port: send a command, get its checked response."""

    def __init__(self, port: serial.Serial, timeout: float):
        self.port = port
        self.timeout = timeout
        self.decoder = f.FrameDecoder()
        self.waiting_s = 0.0

    def transact(self, cmd: tuple[int, int], timeout: float | None = None) -> f.Frame:
        deadline = time.monotonic() + (timeout or self.timeout)
        t0 = time.perf_counter()
        try:
            self.port.reset_input_buffer()  # stale bytes belong to an earlier, abandoned answer
            self.decoder.reset()
            self.port.write(f.encode_command(*cmd))
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise NoAnswer(f"no answer to command {cmd[0]:02X} {cmd[1]:02X}")
                self.port.timeout = min(remaining, 0.05)
                chunk = self.port.read(max(1, self.port.in_waiting))
                if chunk:
                    frames = self.decoder.feed(chunk)
                    if frames:
                        return frames[-1]
        except (serial.SerialException, OSError, termios.error) as exc:
            raise ReaderGone(str(exc)) from exc
        finally:
            self.waiting_s += time.perf_counter() - t0


def probe(path: str, settings: Ga467Settings) -> Ga467Session | None:
    """Open `path` and ask for the reader status; a session if a GA 467 SAM answered."""
    try:
        port = serial.Serial(path, settings.baudrate, timeout=0.05, write_timeout=1)
    except (serial.SerialException, OSError, ValueError):
        return None
    session = Ga467Session(port, settings.response_timeout_s)
    try:
        frame = session.transact(f.READER_STATUS, timeout=min(1.0, settings.response_timeout_s))
        if frame.sw3 == f.SW3_OK:
            return session
        log.info("idcard: %s answered reader status with SW3 %02X", path, frame.sw3)
    except (NoAnswer, ReaderGone):
        pass
    port.close()
    return None


class Ga467Backend:
    name = "ga467"

    def __init__(self, settings: Ga467Settings | None = None):
        self.settings = settings or Ga467Settings()
        self._session: Ga467Session | None = None
        self._path = ""
        self._lock = threading.Lock()
        self._opened = False
        self._card_present = False  # a card is on the reader (read or failed)
        self._next_cycle = 0.0
        self._next_reconnect = 0.0
        self._detail = "not opened"
        self.last_timing = CycleTiming()

    # Backend protocol.
    def open(self) -> None:
        self._opened = True
        self._connect()

    def close(self) -> None:
        self._opened = False
        with self._lock:
            self._drop_session("closed")

    def status(self) -> DeviceStatus:
        if not self._opened:
            return DeviceStatus("idcard", self.name, DeviceState.OFFLINE, detail="not opened")
        if self._session is None:
            return DeviceStatus("idcard", self.name, DeviceState.NO_DEVICE, detail=self._detail)
        return DeviceStatus("idcard", self.name, DeviceState.ONLINE, detail=f"SAM on {self._path}")

    def self_test(self) -> SelfTestResult:
        with self._lock:
            if self._session is None:
                self._connect_locked()
            if self._session is None:
                return SelfTestResult(False, self.status(), detail=self._detail)
            try:
                frame = self._session.transact(f.READER_STATUS)
            except (NoAnswer, ReaderGone) as exc:
                self._lost(exc)
                return SelfTestResult(False, self.status(), detail=str(exc))
            ok = frame.sw3 == f.SW3_OK
            return SelfTestResult(ok, self.status(), detail=f"SAM status SW3 {frame.sw3:02X}")

    def poll(self, timeout: float) -> CardEvent | None:
        # Pace the cycles: at most one find-card every poll_interval_s.
        wait = self._next_cycle - time.monotonic()
        if wait > 0:
            time.sleep(min(wait, timeout))
            if wait > timeout:
                return None
        self._next_cycle = time.monotonic() + self.settings.poll_interval_s
        with self._lock:
            if self._session is None:
                if time.monotonic() >= self._next_reconnect:
                    self._connect_locked()
                if self._session is None:
                    return self._removed_if_present()
            try:
                return self._cycle()
            except ReaderGone as exc:
                self._lost(exc)
                return self._removed_if_present()

    # Internals.
    def _cycle(self) -> CardEvent | None:
        session = self._session
        assert session is not None
        try:
            found = session.transact(f.FIND_CARD)
        except NoAnswer:
            return None  # a lost command; the next cycle asks again
        if found.sw3 != f.SW3_CARD_FOUND:
            return self._removed_if_present()
        if self._card_present:
            return None
        # A new card: everything from here to the identity is one read.
        self._card_present = True
        t0 = time.perf_counter()
        session.waiting_s = 0.0
        try:
            selected = session.transact(f.SELECT_CARD)
            if selected.sw3 != f.SW3_OK:
                return CardReadError(MSG_READ_FAILED)
            frame = session.transact(f.READ_TEXT_PHOTO)
        except NoAnswer:
            return CardReadError(MSG_READ_FAILED)
        if frame.sw3 != f.SW3_OK:
            return CardReadError(MSG_READ_FAILED)
        event = self._identity_event(frame.data)
        self.last_timing = CycleTiming(total_s=time.perf_counter() - t0, waiting_s=session.waiting_s)
        return event

    @staticmethod
    def _identity_event(data: bytes) -> CardEvent:
        if len(data) < 4:
            return CardReadError(MSG_READ_FAILED)
        text_len = int.from_bytes(data[0:2], "big")
        photo_len = int.from_bytes(data[2:4], "big")
        if len(data) != 4 + text_len + photo_len:
            return CardReadError(MSG_READ_FAILED)
        text = data[4 : 4 + text_len]
        photo = data[4 + text_len :]  # WLT: only a vendor decoder exists; kept as bytes
        try:
            return CardInserted(parse_text(text, photo))
        except CardDataError as exc:
            log.warning("idcard: unreadable text block (%s)", exc)  # names a field, not a value
            return CardReadError(MSG_CARD_INVALID)

    def _removed_if_present(self) -> CardEvent | None:
        if self._card_present:
            self._card_present = False
            return CardRemoved()
        return None

    def _connect(self) -> None:
        with self._lock:
            self._connect_locked()

    def _connect_locked(self) -> None:
        self._next_reconnect = time.monotonic() + self.settings.reconnect_interval_s
        paths = [self.settings.port] if self.settings.port else self._candidates()
        for path in paths:
            session = probe(path, self.settings)
            if session is not None:
                self._session, self._path = session, path
                self._detail = f"SAM on {path}"
                log.info("idcard: GA 467 reader on %s", path)
                return
        self._detail = "no GA 467 reader on " + (", ".join(paths) or "any candidate port")

    def _candidates(self) -> list[str]:
        found: list[str] = []
        for pattern in self.settings.candidates:
            found.extend(sorted(glob.glob(pattern)))
        return found

    def _lost(self, exc: Exception) -> None:
        log.warning("idcard: reader on %s lost (%s)", self._path, exc)
        self._drop_session(f"reader lost: {exc}")

    def _drop_session(self, detail: str) -> None:
        if self._session is not None:
            try:
                self._session.port.close()
            except Exception:  # closing a vanished device can fail; nothing to do
                pass
        self._session = None
        self._detail = detail
        self._next_reconnect = time.monotonic() + self.settings.reconnect_interval_s
