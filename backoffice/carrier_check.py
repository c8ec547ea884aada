"""运营商三要素核验: whether a mobile number is registered to a name and an ID number (SIM
cards in China are sold under real names). A number the citizen types at the kiosk may
receive a one-time code only when it is theirs; carriers and cloud providers sell the
check, reached through an adapter. `RegistryCarrierCheck` answers from a file (the demo's
people and the tests); a provider's adapter implements the same method."""
from __future__ import annotations

import json
from abc import ABC, abstractmethod
from pathlib import Path


class CarrierCheck(ABC):
    name = ""

    @abstractmethod
    def registered_to(self, name: str, id_number: str, phone: str) -> bool | None:
        """True when `phone` is registered to that name and ID number, False when it is
        not, None when the check cannot be made now (the service is unreachable)."""


class RegistryCarrierCheck(CarrierCheck):
    """From a JSON file's `sim_cards` list of {name, document_number, phone}, read again
    when the file changes (new numbers are sold while the server runs)."""

    name = "registry"

    def __init__(self, path: Path):
        self.path = Path(path)
        self._read_at: int | None = None
        self._registered: set[tuple[str, str, str]] = set()

    def registered_to(self, name: str, id_number: str, phone: str) -> bool | None:
        try:
            changed = self.path.stat().st_mtime_ns
        except OSError:
            return None  # the registry cannot be read: the check cannot be made
        if changed != self._read_at:
            cards = json.loads(self.path.read_text(encoding="utf-8")).get("sim_cards", [])
            self._registered = {(c["name"], c["document_number"], c["phone"]) for c in cards if c.get("phone")}
            self._read_at = changed
        return (name.strip(), id_number.strip().upper(), phone.strip()) in self._registered


class NoCarrierCheck(CarrierCheck):
    """Where no provider is contracted: typed numbers are never confirmed."""

    name = "none"

    def registered_to(self, name: str, id_number: str, phone: str) -> bool | None:
        return None


def carrier_check_from_settings(settings) -> CarrierCheck:
    choice = settings.carrier_check
    if choice.startswith("registry:"):
        return RegistryCarrierCheck(Path(choice.split(":", 1)[1]))
    if choice == "none":
        return NoCarrierCheck()
    raise ValueError(f"unknown carrier check {choice!r}: registry:PATH or none")
