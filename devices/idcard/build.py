"""Builds the card reader a hardware profile's [idcard] section names: `driver` is "sim"
(the demo people of the file `people`), "ga467" (a resident-ID reader on a serial port) or
"pcsc" (an ePassport reader through pcscd)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from .facade import IdCardReader

DRIVERS = ("sim", "ga467", "pcsc")


def build_idcard_reader(section: Mapping[str, Any] | None, var_dir: Path | None = None) -> IdCardReader:
    cfg = dict(section or {})
    driver = str(cfg.get("driver", "sim"))
    if driver == "sim":
        from .sim import SimulatedIdCardBackend, load_demo_people

        return IdCardReader(SimulatedIdCardBackend(load_demo_people(Path(cfg["people"]))))
    if driver == "ga467":
        from .ga467 import Ga467Backend, Ga467Settings

        return IdCardReader(Ga467Backend(Ga467Settings.from_section(cfg)))
    if driver == "pcsc":
        from .pcsc import PcscPassportBackend, PcscSettings  # pyscard only where it is used

        return IdCardReader(PcscPassportBackend(PcscSettings.from_section(cfg)))
    raise ValueError(f"unknown idcard driver {driver!r} (one of {', '.join(DRIVERS)})")
