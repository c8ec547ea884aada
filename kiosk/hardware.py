"""Builds the device facades a hardware profile names."""
from __future__ import annotations

from dataclasses import dataclass

from devices.idcard import IdCardReader
from devices.idcard.drivers import HARDWARE_DRIVERS, build_hardware_backend
from devices.idcard.sim import SimulatedIdCardBackend, load_demo_people
from devices.printer import ReceiptPrinter

from .config import KioskConfig


@dataclass
class Devices:
    idcard: IdCardReader
    receipt_printer: ReceiptPrinter
    idcard_sim: SimulatedIdCardBackend | None = None  # the demo panel's handle on the sim

    def open(self) -> None:
        self.idcard.open()
        self.receipt_printer.open()

    def close(self) -> None:
        self.idcard.close()
        self.receipt_printer.close()


class UnknownDriver(ValueError):
    pass


def build_devices(config: KioskConfig) -> Devices:
    profile = config.profile
    sim = None
    if profile.idcard_driver == "sim":
        sim = SimulatedIdCardBackend(load_demo_people(config.demo_people_file))
        idcard_backend = sim
    elif profile.idcard_driver in HARDWARE_DRIVERS:
        idcard_backend = build_hardware_backend(profile.idcard_driver, profile.sections.get("idcard", {}))
    else:
        raise UnknownDriver(f"idcard driver {profile.idcard_driver!r} is not available yet")
    if profile.receipt_printer_driver != "file":
        raise UnknownDriver(f"receipt printer driver {profile.receipt_printer_driver!r} is not available yet")
    printer = ReceiptPrinter(profile.receipt_printer_target, profile.receipt_printer)
    return Devices(idcard=IdCardReader(idcard_backend), receipt_printer=printer, idcard_sim=sim)
