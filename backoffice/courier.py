"""Results by post: the courier behind an interface. China Post's EMS runs 政务寄递
(government mail) for service centres: the centre hands over the result, EMS answers a
waybill number, then reports tracking events. `HttpCourier` speaks the courier gateway's
JSON (an order by the centre's order number, the traces of a waybill) to the emulator the
project owns (demo/courier_emulator.py) or to a gateway in front of EMS; `NoCourier` is
where none is contracted, and a posted result cannot be handed over.

The order number is the case's (one shipment per case): the courier answers a repeated
order with the waybill it made the first time, so a retried hand-over never makes two."""
from __future__ import annotations

import datetime as dt
import logging
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass

import requests

log = logging.getLogger(__name__)
STEPS = ("collected", "in_transit", "out_for_delivery", "delivered")  # in the order they happen
# UPU S10 (Identification of postal items, 13-character identifier): two letters (the
# service indicator), an eight-digit serial, a check digit, the issuing post's ISO country
# code; the check digit weighs the serial's digits 8 6 4 2 3 5 9 7, then 11 less the sum
# modulo 11, 10 giving 0 and 11 giving 5. Read in the UPU-S10 page of bwipp/postscriptbarcode's
# documentation and the npm package s10 1.0.0 (its EB000717618HK is valid, EB900717618HK not).
S10 = re.compile(r"^([A-Z]{2})(\d{8})(\d)(CN)$")
S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
S10_RESERVED = ("J", "K", "S", "T", "W")  # service indicators the standard keeps back


class CourierUnavailable(RuntimeError):
    """The courier could not be reached or refused: nothing was handed over, retry later."""


@dataclass(frozen=True)
class Order:
    order_no: str  # the centre's: one per case
    recipient: str
    phone: str
    address: str  # province, county, town, village and the detail, in one line
    contents: str  # what is sent: the item's result


@dataclass(frozen=True)
class Trace:
    step: str  # one of STEPS
    at: dt.datetime  # naive UTC
    place: str


def s10_check_digit(serial: str) -> int:
    rest = 11 - sum(int(d) * w for d, w in zip(serial, S10_WEIGHTS)) % 11
    return {10: 0, 11: 5}.get(rest, rest)


def is_ems_waybill(number: str) -> bool:
    """An EMS number as S10 gives it for China: `EA123456785CN`, its check digit right."""
    match = S10.match(number)
    return bool(match and not match.group(1).startswith(S10_RESERVED)
                and s10_check_digit(match.group(2)) == int(match.group(3)))


class Courier(ABC):
    name = ""

    @abstractmethod
    def create(self, order: Order) -> str:
        """The waybill number of the order (the same for the same order number);
        CourierUnavailable when nothing could be handed over now."""

    @abstractmethod
    def traces(self, waybill: str) -> list[Trace]:
        """Every tracking step so far; CourierUnavailable when they cannot be read now."""


class HttpCourier(Courier):
    """POST {url}orders {order_no, recipient, phone, address, contents} -> {waybill_no};
    GET {url}waybills/{no}/traces -> {traces: [{step, at (ISO 8601), place}]}."""

    name = "ems"

    def __init__(self, url: str, timeout_s: float = 5.0):
        self.url = url if url.endswith("/") else url + "/"
        self.timeout_s = timeout_s
        self._http = requests.Session()

    def create(self, order: Order) -> str:
        body = self._call("POST", "orders", json={
            "order_no": order.order_no, "recipient": order.recipient, "phone": order.phone,
            "address": order.address, "contents": order.contents})
        waybill = str(body.get("waybill_no", ""))
        if not is_ems_waybill(waybill):
            raise CourierUnavailable("the courier answered no valid waybill number")
        return waybill

    def traces(self, waybill: str) -> list[Trace]:
        body = self._call("GET", f"waybills/{waybill}/traces")
        found = []
        for trace in body.get("traces", []):
            step = str(trace.get("step", ""))
            try:
                at = dt.datetime.fromisoformat(str(trace.get("at", "")))
            except ValueError:
                continue
            if step in STEPS:
                utc = at.astimezone(dt.timezone.utc).replace(tzinfo=None) if at.tzinfo else at
                found.append(Trace(step, utc, str(trace.get("place", ""))[:100]))
        return found

    def _call(self, method: str, path: str, **kw) -> dict:
        try:
            answer = self._http.request(method, self.url + path, timeout=self.timeout_s, **kw)
            body = answer.json()
        except (requests.RequestException, ValueError) as exc:
            log.warning("courier unreachable", extra={"error": type(exc).__name__})
            raise CourierUnavailable("the courier cannot be reached") from None
        if answer.status_code != 200 or not isinstance(body, dict):
            log.warning("courier refused", extra={"status": answer.status_code})
            raise CourierUnavailable(f"the courier answered {answer.status_code}")
        return body


class NoCourier(Courier):
    """No courier contracted: results are collected, never posted."""

    name = "none"

    def create(self, order: Order) -> str:
        raise CourierUnavailable("no courier is configured (BACKOFFICE_COURIER)")

    def traces(self, waybill: str) -> list[Trace]:
        return []


def courier_from_settings(settings) -> Courier:
    choice = settings.courier
    if choice.startswith("emulator:"):
        return HttpCourier(choice.split(":", 1)[1])
    if choice == "none":
        return NoCourier()
    if choice == "ems":
        if not settings.courier_ems_url:
            raise ValueError("BACKOFFICE_COURIER=ems needs BACKOFFICE_COURIER_EMS_URL, the courier gateway's URL")
        return HttpCourier(settings.courier_ems_url)
    raise ValueError(f"unknown courier {choice!r}: emulator:URL, ems or none")
