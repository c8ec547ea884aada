"""The receipt printer facade: one job at a time, status before and during each job,
every failure a PrintResult the kiosk can explain.

The job goes out block by block; between blocks the printer is asked whether it still has
paper, so a paper-out in the middle of a receipt is caught, reported as an incomplete
print, and the same document can be printed again once paper is loaded (`reprint()`).
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable

from domain.slips import SlipDocument

from ..health import DeviceState, DeviceStatus, MediaState, SelfTestResult
from .layout import FS_CHINESE_MODE_ON, escpos_segments
from .paper import PaperMeter
from .profile import ReceiptPrinterProfile
from .status import PAPER_END, ROLL_PAPER, PrinterStatus, read_status, valid_reply
from .transports import FileTransport, Transport, TransportError, open_transport

log = logging.getLogger(__name__)

__all__ = ["FS_CHINESE_MODE_ON", "PrintResult", "ReceiptPrinter", "ReceiptPrinterProfile"]

DEVICE = "receipt_printer"


@dataclass(frozen=True)
class PrintResult:
    ok: bool
    status: DeviceStatus
    job_path: Path | None = None  # where a file transport put the bytes
    detail: str = ""  # for maintenance staff; never personal data
    incomplete: bool = False  # part of the receipt came out before the failure


class ReceiptPrinter:
    def __init__(self, target: Transport | Path | str, profile: ReceiptPrinterProfile | None = None,
                 paper: PaperMeter | None = None):
        """`target` is a transport, a printer URI, or a spool folder / device path;
        `paper` keeps count of the paper left on the roll (paper.py)."""
        if isinstance(target, Transport):
            self.transport = target
        elif isinstance(target, str) and "://" in target:
            self.transport = open_transport(target)
        else:
            self.transport = FileTransport(Path(target))
        self.profile = profile or ReceiptPrinterProfile()
        self._lock = threading.Lock()  # one job at a time
        self._failed: SlipDocument | None = None
        self._listeners: list[Callable[[DeviceStatus], None]] = []
        self._last_status: DeviceStatus | None = None
        self.paper = paper
        self._paper_was_out = False
        self.emulator: Any = None  # the demo's emulator this printer prints to (build.py), or None

    @property
    def backend_name(self) -> str:
        return self.transport.name

    # --- lifecycle -----------------------------------------------------------------------
    def open(self) -> None:
        """Safe on any thread: a job or a status question started meanwhile waits for it."""
        with self._lock:
            try:
                self.transport.open()
            except TransportError as exc:  # reported by status(); the kiosk still starts
                log.warning("receipt printer not reachable: %s", exc)

    def close(self) -> None:
        with self._lock:  # after the job under way, not through it
            self.transport.close()

    # --- status --------------------------------------------------------------------------
    def status(self) -> DeviceStatus:
        with self._lock:
            return self._status()

    def poll(self) -> DeviceStatus:
        """Status, telling listeners when it changed (paper low, cover open, back online)."""
        status = self.status()
        if status != self._last_status:
            self._last_status = status
            for listener in list(self._listeners):
                listener(status)
        return status

    def on_status_change(self, listener: Callable[[DeviceStatus], None]) -> None:
        self._listeners.append(listener)

    def self_test(self) -> SelfTestResult:
        status = self.status()
        return SelfTestResult(passed=status.usable, status=status, detail=status.detail)

    def _status(self) -> DeviceStatus:
        if isinstance(self.transport, FileTransport):
            problem = self.transport.folder_problem()
            if problem:
                state = DeviceState.NO_DEVICE if "missing" in problem else DeviceState.HARDWARE_ERROR
                return DeviceStatus(DEVICE, self.backend_name, state, detail=problem)
            # A file cannot report paper; say so rather than claim "plenty".
            return DeviceStatus(DEVICE, self.backend_name, DeviceState.ONLINE, media=MediaState.UNKNOWN)
        if not self.transport.can_query:
            return DeviceStatus(DEVICE, self.backend_name, DeviceState.ONLINE, media=MediaState.UNKNOWN)
        try:
            self.transport.open()
        except TransportError as exc:
            return DeviceStatus(DEVICE, self.backend_name, DeviceState.OFFLINE, detail=str(exc))
        timeout = self.profile.status_timeout_s
        printer = read_status(lambda n: self.transport.query(n, timeout))
        return self._with_paper_level(_device_status(printer, self.backend_name))

    def _with_paper_level(self, status: DeviceStatus) -> DeviceStatus:
        """A printer back from paper out has a new roll; a ready one says what is left."""
        if self.paper is None or status.media is None:
            return status
        out = status.media is MediaState.OUT
        if self._paper_was_out and not out and status.state is DeviceState.ONLINE:
            self.paper.new_roll()
        self._paper_was_out = out
        if out:
            return status
        level = self.paper.level().describe()
        return replace(status, detail=f"{status.detail}; {level}" if status.detail else level)

    # --- printing ------------------------------------------------------------------------
    def print_slip(self, doc: SlipDocument) -> PrintResult:
        with self._lock:
            result = self._print(doc)
            self._failed = None if result.ok else doc
            return result

    def reprint(self) -> PrintResult | None:
        """Print the last document that did not come out whole again; None if there is none."""
        doc = self._failed
        return self.print_slip(doc) if doc is not None else None

    @property
    def has_failed_job(self) -> bool:
        return self._failed is not None

    def _print(self, doc: SlipDocument) -> PrintResult:
        before = self._status()
        if not before.usable:
            return PrintResult(False, before, detail=before.detail or "printer not ready")
        segments = escpos_segments(doc, self.profile)
        sent = 0
        try:
            self.transport.begin_job()
            for segment in segments:
                self.transport.write(segment)
                sent += 1
                if self.transport.can_query:
                    self._check_paper(sent, len(segments))
            self.transport.end_job()
            if self.paper is not None:
                self.paper.record(b"".join(segments))
        except _PaperOut:
            after = self._status()
            log.warning("receipt stopped: paper out after %d of %d blocks", sent, len(segments))
            return PrintResult(False, after, detail="paper ran out while printing", incomplete=True)
        except TransportError as exc:
            log.warning("receipt print failed: %s", exc)
            self.transport.close()
            status = DeviceStatus(DEVICE, self.backend_name, DeviceState.OFFLINE, detail=str(exc))
            return PrintResult(False, status, detail=str(exc), incomplete=sent > 0)
        after = self._status() if self.transport.can_query else before
        if self.transport.can_query and not after.usable:
            # The bytes went out but the printer stopped (cover opened, paper out at the end).
            return PrintResult(False, after, detail=after.detail or "printer stopped", incomplete=True)
        return PrintResult(True, after, job_path=self.transport.job_path)

    def _check_paper(self, sent: int, total: int) -> None:
        """One cheap question between blocks. Silence mid-job means the printer or the link
        went away: that is not "plenty of paper"."""
        reply = self.transport.query(ROLL_PAPER, self.profile.status_timeout_s)
        if not valid_reply(reply):
            raise TransportError(f"printer stopped answering after {sent} of {total} blocks")
        if reply & PAPER_END:
            raise _PaperOut()


class _PaperOut(Exception):
    pass


def _device_status(printer: PrinterStatus, backend: str) -> DeviceStatus:
    media = printer.paper
    return DeviceStatus(DEVICE, backend, printer.state, media=media, detail=printer.describe())
