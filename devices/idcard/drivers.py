"""The hardware backends by profile name (`[idcard] driver = ...`); the simulated reader
is built by kiosk.hardware because it needs the demo people."""
from __future__ import annotations

from typing import Any

HARDWARE_DRIVERS = ("ga467", "pcsc")


def build_hardware_backend(driver: str, section: dict[str, Any]):
    """A backend for `driver` configured from the profile's [idcard] section."""
    if driver == "ga467":
        from .ga467 import Ga467Backend, Ga467Settings

        return Ga467Backend(Ga467Settings.from_section(section))
    if driver == "pcsc":
        from .pcsc import PcscPassportBackend, PcscSettings  # pyscard only where it is used

        return PcscPassportBackend(PcscSettings.from_section(section))
    raise ValueError(f"unknown idcard driver {driver!r}")
