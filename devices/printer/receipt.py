"""The receipt printer: lays a SlipDocument out as ESC/POS through python-escpos.

Chinese is sent as GB18030 (python-escpos does this for strings with CJK ideographs), and
FS & (Chinese character mode) is sent first where the printer model needs it, because
python-escpos never sends it.
"""
from __future__ import annotations

import copy
import datetime as dt
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from escpos.escpos import Escpos
from escpos.printer import File

from kiosk.domain.slips import Field, Heading, Line, QrCode, Rule, SlipDocument

from ..health import DeviceState, DeviceStatus, MediaState, SelfTestResult

log = logging.getLogger(__name__)

FS_CHINESE_MODE_ON = b"\x1c\x26"


@dataclass(frozen=True)
class ReceiptPrinterProfile:
    """Per-model facts, from the kiosk's hardware profile."""

    model: str = "generic-80mm"
    paper_width_px: int = 576  # 80 mm paper at 203 dpi
    columns: int = 48  # font A; a CJK character takes two columns
    chinese_mode: bool = True
    native_qr: bool = False  # raster QR works on every printer; GS ( k only on some
    qr_module_size: int = 6
    cutter: bool = True


@dataclass(frozen=True)
class PrintResult:
    ok: bool
    status: DeviceStatus
    job_path: Path | None = None  # where a file backend put the bytes
    detail: str = ""


class ReceiptPrinter:
    """File backend: each job is written to a new file in a spool directory (or to a
    device node such as /dev/usb/lp0 when `target` is not a directory)."""

    def __init__(self, target: Path, profile: ReceiptPrinterProfile | None = None):
        self.target = Path(target)
        self.profile = profile or ReceiptPrinterProfile()
        self._lock = threading.Lock()  # one job at a time
        self._jobs = 0

    @property
    def backend_name(self) -> str:
        return "escpos-file"

    def open(self) -> None:
        if not self.target.suffix:  # a spool directory
            self.target.mkdir(parents=True, exist_ok=True)

    def close(self) -> None:
        pass

    def status(self) -> DeviceStatus:
        folder = self.target if self.target.is_dir() else self.target.parent
        if not folder.exists():
            return DeviceStatus("receipt_printer", self.backend_name, DeviceState.NO_DEVICE,
                                detail=f"{folder} missing")
        if not os.access(folder, os.W_OK):
            return DeviceStatus("receipt_printer", self.backend_name, DeviceState.HARDWARE_ERROR,
                                detail=f"{folder} not writable")
        # A file cannot report paper; say so rather than claim "plenty".
        return DeviceStatus("receipt_printer", self.backend_name, DeviceState.ONLINE,
                            media=MediaState.UNKNOWN)

    def self_test(self) -> SelfTestResult:
        status = self.status()
        return SelfTestResult(passed=status.state is DeviceState.ONLINE, status=status)

    def print_slip(self, doc: SlipDocument) -> PrintResult:
        with self._lock:
            status = self.status()
            if not status.usable:
                return PrintResult(False, status, detail="printer not ready")
            path = self._job_path()
            try:
                printer = File(devfile=str(path), profile="default")
                _set_paper_width(printer, self.profile.paper_width_px)
                write_escpos(printer, doc, self.profile)
                printer.close()
            except OSError as exc:
                log.warning("receipt print failed: %s", type(exc).__name__)
                return PrintResult(False, self.status(), detail=type(exc).__name__)
            return PrintResult(True, status, job_path=path)

    def _job_path(self) -> Path:
        if not self.target.is_dir():
            return self.target
        self._jobs += 1
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        return self.target / f"job-{stamp}-{os.getpid()}-{self._jobs:04d}.escpos"


def _set_paper_width(printer: Escpos, pixels: int) -> None:
    """python-escpos centres images by the profile's paper width; its profile data is shared
    between instances, so give this printer its own copy before changing it."""
    data = copy.deepcopy(printer.profile.profile_data)
    data.setdefault("media", {}).setdefault("width", {})["pixels"] = pixels
    printer.profile.profile_data = data


def write_escpos(printer: Escpos, doc: SlipDocument, profile: ReceiptPrinterProfile) -> None:
    """Lay the document out on any python-escpos printer object."""
    printer.hw("INIT")
    if profile.chinese_mode:
        printer._raw(FS_CHINESE_MODE_ON)
    printer.set(align="center", bold=True, double_height=True, double_width=True)
    printer.text(doc.title + "\n")
    printer.set(align="left", normal_textsize=True)
    for block in doc.blocks:
        if isinstance(block, Heading):
            printer.set(align="left", bold=True, normal_textsize=True)
            printer.text(block.text + "\n")
            printer.set(align="left", bold=False, normal_textsize=True)
        elif isinstance(block, Line):
            printer.set(align=block.align, normal_textsize=True)
            printer.text(block.text + "\n")
            printer.set(align="left", normal_textsize=True)
        elif isinstance(block, Field):
            printer.text(f"{block.label}：{block.value}\n")
        elif isinstance(block, Rule):
            printer.text("-" * profile.columns + "\n")
        elif isinstance(block, QrCode):
            printer.set(align="center")
            printer.qr(block.payload, native=profile.native_qr, size=profile.qr_module_size, center=True)
            printer.set(align="left")
    printer.text("\n\n")
    if profile.cutter:
        printer.cut()
