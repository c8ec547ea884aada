"""Builds the device facades a hardware profile names."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from devices.idcard import IdCardReader
from devices.idcard.build import build_idcard_reader
from devices.idcard.sim import SimulatedIdCardBackend
from devices.printer import ReceiptPrinter
from devices.printer.build import build_document_printer, build_receipt_printer
from devices.scanner import Scanner, build_scanner
from kiosk.config import KioskConfig
from kiosk.runtime.escpos_cache import keep_escpos_capabilities

if TYPE_CHECKING:  # named for the reader; imported where they are built (OpenCV, the speech worker)
    from devices.doccam.facade import DocumentCamera
    from devices.face.facade import FaceCamera
    from devices.printer.document import CupsDocumentPrinter, FolderDocumentPrinter
    from devices.printer.emulator import PrinterEmulator
    from devices.speech.facade import Speech


@dataclass
class Devices:
    idcard: IdCardReader
    receipt_printer: ReceiptPrinter
    document_printer: CupsDocumentPrinter | FolderDocumentPrinter | None = None
    scanner: Scanner | None = None
    speech: Speech | None = None  # its worker process starts on open()
    doccam: DocumentCamera | None = None  # opened by the capture screen only
    face: FaceCamera | None = None  # opened by the face verification screens only; optional

    @property
    def idcard_sim(self) -> SimulatedIdCardBackend | None:
        """The demo panel's handle on the simulated reader (driver "sim")."""
        backend = self.idcard.backend
        return backend if isinstance(backend, SimulatedIdCardBackend) else None

    @property
    def printer_emulator(self) -> PrinterEmulator | None:
        """The demo's ESC/POS emulator on loopback (driver "emulator")."""
        return self.receipt_printer.emulator

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
        for device in (self.scanner, self.speech, self.doccam, self.face):
            if device is not None:
                device.close()
        if self.printer_emulator is not None:
            self.printer_emulator.stop()


class UnknownDriver(ValueError):
    pass


def build_devices(config: KioskConfig) -> Devices:
    """Each device package builds its facade from the profile's section of the same name
    (`build_*(section, var_dir)`); a driver the package does not know stops the start."""
    keep_escpos_capabilities(config.var_dir)  # before the receipt printer's first open imports python-escpos
    from devices.doccam import build_doccam
    from devices.face import build_face_camera
    from devices.speech import build_speech

    sections, var_dir = config.profile.sections, config.var_dir
    try:
        idcard = build_idcard_reader({"driver": "sim", "people": str(config.demo_people_file),
                                      **sections.get("idcard", {})}, var_dir)
        documents = build_document_printer(sections.get("document_printer", {}), var_dir)
        scanner = build_scanner(sections.get("scanner", {}), var_dir)
        doccam = build_doccam(sections.get("doccam", {"driver": "sim"}), var_dir)
        receipt = build_receipt_printer(sections.get("receipt_printer", {}), var_dir)
        # A kiosk without a face camera serves all the same (the SMS code, the staffed window).
        face = build_face_camera(sections["face"], var_dir) if "face" in sections else None
    except ValueError as exc:
        raise UnknownDriver(str(exc)) from exc
    return Devices(idcard=idcard, receipt_printer=receipt, document_printer=documents, scanner=scanner,
                   speech=build_speech(sections.get("speech", {}), var_dir), doccam=doccam, face=face)
