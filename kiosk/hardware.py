"""Builds the device facades a hardware profile names."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from devices.idcard import IdCardReader
from devices.idcard.drivers import HARDWARE_DRIVERS, build_hardware_backend
from devices.idcard.sim import SimulatedIdCardBackend, load_demo_people
from devices.printer import ReceiptPrinter
from devices.printer.document import build_document_printer
from devices.printer.paper import PaperMeter
from devices.scanner import Scanner, build_scanner
from kiosk.config import KioskConfig
from kiosk.runtime.escpos_cache import keep_escpos_capabilities

if TYPE_CHECKING:  # named for the reader; imported where they are built (OpenCV, the speech worker)
    from devices.doccam.facade import DocumentCamera
    from devices.printer.document import CupsDocumentPrinter, FolderDocumentPrinter
    from devices.printer.emulator import PrinterEmulator
    from devices.speech.facade import Speech


@dataclass
class Devices:
    idcard: IdCardReader
    receipt_printer: ReceiptPrinter
    idcard_sim: SimulatedIdCardBackend | None = None  # the demo panel's handle on the sim
    document_printer: CupsDocumentPrinter | FolderDocumentPrinter | None = None
    scanner: Scanner | None = None
    speech: Speech | None = None  # its worker process starts on open()
    doccam: DocumentCamera | None = None  # opened by the capture screen only
    printer_emulator: PrinterEmulator | None = None  # the demo's ESC/POS emulator on loopback (driver "emulator")

    def open(self) -> None:
        """Called on the UI thread. The receipt printer connects on a thread of its own: a
        network printer that does not answer would hold the screen for its whole connect
        timeout (5 s); printing and status questions wait for that connect (its lock)."""
        self.idcard.open()
        threading.Thread(target=self.receipt_printer.open, name="receipt-printer-open", daemon=True).start()
        if self.document_printer is not None:
            self.document_printer.open()
        for device in (self.scanner, self.speech):
            if device is not None:
                device.open()

    def close(self) -> None:
        self.idcard.close()
        self.receipt_printer.close()
        if self.document_printer is not None:
            self.document_printer.close()
        for device in (self.scanner, self.speech, self.doccam):
            if device is not None:
                device.close()
        if self.printer_emulator is not None:
            self.printer_emulator.stop()


class UnknownDriver(ValueError):
    pass


def build_devices(config: KioskConfig) -> Devices:
    keep_escpos_capabilities(config.var_dir)  # before the receipt printer's first open imports python-escpos
    profile = config.profile
    sim = None
    if profile.idcard_driver == "sim":
        sim = SimulatedIdCardBackend(load_demo_people(config.demo_people_file))
        idcard_backend = sim
    elif profile.idcard_driver in HARDWARE_DRIVERS:
        idcard_backend = build_hardware_backend(profile.idcard_driver, profile.sections.get("idcard", {}))
    else:
        raise UnknownDriver(f"idcard driver {profile.idcard_driver!r} is not available yet")
    emulator = None
    if profile.receipt_printer_driver == "emulator":
        from devices.printer.emulator import PrinterEmulator

        emulator = PrinterEmulator(width=profile.receipt_printer.paper_width_px).start()
        printer = ReceiptPrinter(emulator.uri, profile.receipt_printer, paper=paper_meter(config))
    else:
        printer = ReceiptPrinter(_receipt_printer_target(profile), profile.receipt_printer, paper=paper_meter(config))
    try:
        documents = build_document_printer(profile.sections.get("document_printer", {}), config.var_dir)
    except ValueError as exc:
        raise UnknownDriver(str(exc)) from exc
    scanner, speech, doccam = _scan_speech_doccam(config)
    return Devices(idcard=IdCardReader(idcard_backend), receipt_printer=printer, idcard_sim=sim,
                   document_printer=documents, scanner=scanner, speech=speech, doccam=doccam,
                   printer_emulator=emulator)


def _scan_speech_doccam(config: KioskConfig):
    from devices.doccam import build_doccam
    from devices.speech import build_speech

    sections = config.profile.sections
    try:
        scanner = build_scanner(sections.get("scanner", {}), config.var_dir)
        doccam = build_doccam(sections.get("doccam", {"driver": "sim"}), config.var_dir)
    except ValueError as exc:
        raise UnknownDriver(str(exc)) from exc
    return scanner, build_speech(sections.get("speech", {}), config.var_dir), doccam


def paper_meter(config: KioskConfig) -> PaperMeter:
    """The count of paper left on the receipt roll, kept under the var folder."""
    printer = config.profile.receipt_printer
    return PaperMeter(printer.roll_length_m * 1000, printer.paper_width_px, config.var_dir / "printer-paper.json")


def _receipt_printer_target(profile):
    """`file` spools under var_dir; network, serial and usb printers are named by a URI."""
    driver = profile.receipt_printer_driver
    if driver == "file":
        return profile.receipt_printer_target
    if driver in ("network", "serial", "usb") and profile.receipt_printer_uri:
        return profile.receipt_printer_uri
    raise UnknownDriver(f"receipt printer driver {driver!r} needs a uri (e.g. tcp://192.168.1.50:9100)")
