"""Builds the printers a hardware profile names: the receipt printer from its
[receipt_printer] section, the A4 document printer from its [document_printer] section."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from .paper import PaperMeter
from .profile import ReceiptPrinterProfile
from .receipt import ReceiptPrinter

RECEIPT_DRIVERS = ("file", "network", "serial", "usb", "emulator")
DOCUMENT_DRIVERS = ("cups", "folder")


def build_receipt_printer(section: Mapping[str, Any] | None, var_dir: Path) -> ReceiptPrinter:
    """`emulator` starts the project's ESC/POS emulator on loopback (the demo's printer,
    kept as the printer's `emulator` and stopped by its owner); the paper count is kept
    under `var_dir`."""
    cfg = dict(section or {})
    profile = ReceiptPrinterProfile.from_section(cfg)
    paper = paper_meter(profile, var_dir)
    if cfg.get("driver", "file") == "emulator":
        from .emulator import PrinterEmulator

        emulator = PrinterEmulator(width=profile.paper_width_px).start()
        printer = ReceiptPrinter(emulator.uri, profile, paper=paper)
        printer.emulator = emulator
        return printer
    return ReceiptPrinter(receipt_printer_target(cfg, var_dir), profile, paper=paper)


def paper_meter(profile: ReceiptPrinterProfile, var_dir: Path) -> PaperMeter:
    """The count of paper left on the receipt roll, kept under `var_dir`."""
    return PaperMeter(profile.roll_length_m * 1000, profile.paper_width_px, Path(var_dir) / "printer-paper.json")


def receipt_printer_target(section: Mapping[str, Any], var_dir: Path) -> Path | str:
    """`file` spools under `var_dir`; network, serial and usb printers are named by a URI."""
    driver = str(section.get("driver", "file"))
    if driver == "file":
        return Path(var_dir) / str(section.get("target", "printer"))
    if driver in ("network", "serial", "usb") and section.get("uri"):
        return str(section["uri"])
    if driver == "emulator":
        raise ValueError("the receipt printer is the demo's emulator; name a printer by its uri")
    if driver in RECEIPT_DRIVERS:
        raise ValueError(f"receipt printer driver {driver!r} needs a uri (e.g. tcp://192.168.1.50:9100)")
    raise ValueError(f"unknown receipt printer driver {driver!r} (one of {', '.join(RECEIPT_DRIVERS)})")


def build_document_printer(section: Mapping[str, Any] | None, var_dir: Path):
    """`cups` prints to a CUPS queue; `folder` keeps the PDFs under `var_dir` (the demo)."""
    from .document import CupsDocumentPrinter, FolderDocumentPrinter

    cfg = dict(section or {})
    driver = str(cfg.get("driver", "folder"))
    if driver == "cups":
        return CupsDocumentPrinter(str(cfg.get("queue", "KioskA4")), cfg.get("server") or None,
                                   {k: str(v) for k, v in cfg.get("options", {}).items()},
                                   float(cfg.get("job_timeout_s", 120)))
    if driver == "folder":
        return FolderDocumentPrinter(Path(var_dir) / str(cfg.get("target", "documents")))
    raise ValueError(f"unknown document printer driver {driver!r} (one of {', '.join(DOCUMENT_DRIVERS)})")
