"""运营商三要素核验: whether a mobile number is registered to a name and an ID number (SIM
cards in China are sold under real names). A number the citizen types at the kiosk may
receive a one-time code only when it is theirs; carriers and cloud providers sell the
check, reached through an adapter. `RegistryCarrierCheck` answers from a file (the demo's
people and the tests); `AliyunCarrierCheck` asks Alibaba Cloud's 号码百科 (dytnsapi,
ThreeElementsVerification)."""
from __future__ import annotations

import hashlib
import json
import logging
from abc import ABC, abstractmethod
from pathlib import Path

import requests

from .aliyun_rpc import signed_form

log = logging.getLogger(__name__)


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


# Mobile virtual network operators' prefixes: the carriers' check does not cover them.
MVNO_PREFIXES = ("162", "165", "167", "170", "171")
# dytnsapi's IsConsistent: 1 the three belong together, 0 they do not, 2 no record.
CONSISTENT, INCONSISTENT, NO_RECORD = 1, 0, 2


class AliyunCarrierCheck(CarrierCheck):
    """ThreeElementsVerification (version 2020-02-17) with Mask=SHA256: the provider gets
    the SHA-256 of the name, the ID number and the phone, never the values themselves.
    "No record" is a no (the number cannot be confirmed as theirs, now or later); a fault
    of the line or the service is None (the check cannot be made now)."""

    name = "aliyun"

    def __init__(self, access_key_id: str, access_key_secret: str, auth_code: str,
                 endpoint: str = "https://dytnsapi.aliyuncs.com/", timeout_s: float = 5.0):
        self.access_key_id, self._secret, self.auth_code = access_key_id, access_key_secret, auth_code
        self.endpoint, self.timeout_s = endpoint, timeout_s
        self._http = requests.Session()

    def registered_to(self, name: str, id_number: str, phone: str) -> bool | None:
        if phone.startswith(MVNO_PREFIXES):
            return False
        form = signed_form("ThreeElementsVerification", "2020-02-17", {
            "AuthCode": self.auth_code, "Mask": "SHA256", "Name": _sha256(name.strip()),
            "CertCode": _sha256(id_number.strip().upper()), "InputNumber": _sha256(phone.strip()),
        }, self.access_key_id, self._secret)
        try:
            answer = self._http.post(self.endpoint, data=form, timeout=self.timeout_s)
            body = answer.json()
        except (requests.RequestException, ValueError) as exc:
            log.warning("carriers' check unreachable", extra={"error": type(exc).__name__})
            return None
        code = str(body.get("Code", "")) if isinstance(body, dict) else ""
        if answer.status_code != 200 or code != "OK":
            log.warning("carriers' check refused", extra={"status": answer.status_code, "code": code[:80]})
            return None
        try:
            verdict = int((body.get("Data") or {}).get("IsConsistent"))
        except (TypeError, ValueError):
            log.warning("carriers' check answered without a verdict")
            return None
        return verdict == CONSISTENT


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


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
    if choice == "aliyun":
        return AliyunCarrierCheck(settings.sms_aliyun_key_id, settings.sms_aliyun_key_secret,
                                  settings.carrier_aliyun_auth_code, endpoint=settings.carrier_aliyun_endpoint)
    raise ValueError(f"unknown carrier check {choice!r}: aliyun, registry:PATH or none")
