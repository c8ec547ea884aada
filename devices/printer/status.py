"""Real-time status (DLE EOT n) of an ESC/POS printer, decoded without trusting silence.

Every reply byte has bit 1 and bit 4 set and bits 0 and 7 clear (ESC/POS spec); a reply
that does not fit is treated like no reply. python-escpos' paper_status() reports
"plenty" when the printer says nothing, so the kiosk asks and decodes by itself.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..health import DeviceState, MediaState

DLE_EOT = b"\x10\x04"
PRINTER, OFFLINE_CAUSE, ERROR_CAUSE, ROLL_PAPER = 1, 2, 3, 4

# Bits, per request n.
OFFLINE = 0x08  # n=1
COVER_OPEN = 0x04  # n=2
PAPER_END_STOP = 0x20  # n=2: printing stopped because the paper ran out
ERROR = 0x40  # n=2
CUTTER_ERROR = 0x08  # n=3
UNRECOVERABLE = 0x20  # n=3
AUTO_RECOVERABLE = 0x40  # n=3
NEAR_END = 0x0C  # n=4
PAPER_END = 0x60  # n=4

Query = Callable[[int], "int | None"]  # sends DLE EOT n, returns the reply byte or None


def valid_reply(byte: int | None) -> bool:
    return byte is not None and byte & 0x93 == 0x12


@dataclass(frozen=True)
class PrinterStatus:
    answered: bool
    online: bool = False
    cover_open: bool = False
    paper: MediaState = MediaState.UNKNOWN
    cutter_error: bool = False
    unrecoverable: bool = False

    @property
    def state(self) -> DeviceState:
        if not self.answered:
            return DeviceState.OFFLINE
        if self.unrecoverable or self.cutter_error:
            return DeviceState.HARDWARE_ERROR
        if self.cover_open or self.paper is MediaState.OUT:
            return DeviceState.USER_ERROR  # staff can fix it: close the cover, load paper
        return DeviceState.ONLINE if self.online else DeviceState.OFFLINE

    def describe(self) -> str:
        if not self.answered:
            return "printer did not answer a status query"
        parts = ["online" if self.online else "offline", f"paper {self.paper.value}"]
        if self.cover_open:
            parts.append("cover open")
        if self.cutter_error:
            parts.append("cutter error")
        if self.unrecoverable:
            parts.append("unrecoverable error")
        return ", ".join(parts)


def read_status(query: Query) -> PrinterStatus:
    printer = query(PRINTER)
    if not valid_reply(printer):
        return PrinterStatus(answered=False)
    cause = _valid(query(OFFLINE_CAUSE))
    error = _valid(query(ERROR_CAUSE))
    paper = _valid(query(ROLL_PAPER))
    return PrinterStatus(
        answered=True,
        online=not printer & OFFLINE,
        cover_open=bool(cause is not None and cause & COVER_OPEN),
        paper=_paper(paper, cause),
        cutter_error=bool(error is not None and error & CUTTER_ERROR),
        unrecoverable=bool(error is not None and error & UNRECOVERABLE),
    )


def _paper(roll: int | None, cause: int | None) -> MediaState:
    if (roll is not None and roll & PAPER_END) or (cause is not None and cause & PAPER_END_STOP):
        return MediaState.OUT
    if roll is None:
        return MediaState.UNKNOWN  # silence about paper is not "plenty"
    return MediaState.LOW if roll & NEAR_END else MediaState.OK


def _valid(byte: int | None) -> int | None:
    return byte if valid_reply(byte) else None
