"""Opening the kiosk's devices (kiosk/hardware.py Devices.open) runs on the UI thread; a
receipt printer slow to connect must not hold it. The printer here is the ESC/POS
emulator on loopback, reached through the real network transport, whose connect is held
back until the test lets it go, as a printer that does not answer would hold it."""
from __future__ import annotations

import datetime as dt
import threading

from devices.idcard import IdCardReader
from devices.idcard.sim import SimulatedIdCardBackend
from devices.printer import ReceiptPrinter
from devices.printer.emulator import PrinterEmulator
from devices.printer.transports import NetworkTransport
from domain.slips import Line, SlipDocument
from kiosk.hardware import Devices

WAIT = 10.0


class HeldConnect(NetworkTransport):
    """The real network transport whose connect starts only once `release` is set."""

    def __init__(self, host: str, port: int):
        super().__init__(host, port)
        self.connecting = threading.Event()
        self.release = threading.Event()
        self.connect_threads: list[str] = []

    def open(self) -> None:
        if not self._open:
            self.connect_threads.append(threading.current_thread().name)
            self.connecting.set()
            assert self.release.wait(WAIT), "the test never let the connect go"
        super().open()


def test_open_returns_while_the_printer_connects_and_a_job_waits_for_the_connect():
    with PrinterEmulator() as emulator:
        transport = HeldConnect(emulator.host, emulator.port)
        printer = ReceiptPrinter(transport)
        devices = Devices(idcard=IdCardReader(SimulatedIdCardBackend({})), receipt_printer=printer)
        try:
            devices.open()  # returns with the connect still held
            assert transport.connecting.wait(WAIT)
            assert transport.connect_threads == ["receipt-printer-open"]
            assert emulator.connections == 0

            slip = SlipDocument("测试", [Line("第一行")], dt.datetime(2026, 11, 27, 22, 0))
            job = threading.Thread(target=lambda: results.append(printer.print_slip(slip)))
            results: list = []
            job.start()
            job.join(0.2)
            assert job.is_alive() and not results  # the job waits for the connect under way

            transport.release.set()
            job.join(WAIT)
            assert results and results[0].ok, results
            receipt = emulator.wait_for_receipt(WAIT)
            assert "第一行" in receipt.text
            assert emulator.connections == 1  # one connection: the job used the one opened
            assert transport.connect_threads == ["receipt-printer-open"]
        finally:
            transport.release.set()
            devices.close()


def test_an_unreachable_printer_leaves_open_quick_and_reports_offline():
    with PrinterEmulator() as emulator:
        port = emulator.port
    printer = ReceiptPrinter(NetworkTransport("127.0.0.1", port))  # nothing listens there now
    devices = Devices(idcard=IdCardReader(SimulatedIdCardBackend({})), receipt_printer=printer)
    try:
        devices.open()
        status = printer.status()
        assert status.state.value == "offline", status
        assert f"127.0.0.1:{port}" in status.detail
    finally:
        devices.close()
