"""The county's side of the soak, over the back office's real HTTP API and never through
the kiosk's (cut) network: fresh applicants, appointments booked for them, cases staff
carry to "ready to collect", and the final count of what the kiosk sent."""
from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

import requests

from domain.county import CST
from domain.identity import DocumentKind, Identity
from domain.ids import resident_id_check_char
from services.api import BackofficeClient

DEMO_STAFF_PASSWORD = "chengmai-demo"  # the demo seed's staff accounts
APPLY_APPROVER = "approver-mz"  # the tour's application, 最低生活保障对象认定, is 民政局's
APPOINTMENT_ITEM = "469023-XK-SCJG-0002"


def fresh_applicant(n: int, seed: int) -> Identity:
    """The n-th applicant of this run: a valid, never-seen resident ID number, so "exactly
    once" is that applicant's case count in the back office."""
    born = dt.date(1940, 1, 1) + dt.timedelta(days=(seed * 7919 + n * 37) % 20000)
    first17 = f"469023{born:%Y%m%d}{n % 1000:03d}"
    return Identity(kind=DocumentKind.RESIDENT_ID, name="浸泡测试",
                    document_number=first17 + resident_id_check_char(first17),
                    sex="F", nation="汉", birth_date=born, address="海南省澄迈县金江镇测试路2号",
                    issuing_authority="澄迈县公安局", valid_from=dt.date(2020, 1, 1), valid_until=dt.date(2040, 1, 1))


class County:
    def __init__(self, url: str, terminal_id: str, secret: str, sim_cards: Path | None = None):
        """`sim_cards`: the carriers' registry the soak's back office checks typed numbers
        against (backoffice/carrier_check.py); each new applicant's number goes in it."""
        self.url = url
        self.sim_cards = sim_cards
        self.terminal = BackofficeClient(url, timeout=30, terminal_id=terminal_id, secret=secret)
        self._http = requests.Session()
        self._tokens: dict[str, str] = {}

    def sell_sim_card(self, applicant: Identity, phone: str) -> None:
        """The applicant's mobile number, registered in their name with the carrier."""
        if self.sim_cards is None:
            return
        registry = json.loads(self.sim_cards.read_text(encoding="utf-8")) if self.sim_cards.exists() else {}
        registry.setdefault("sim_cards", []).append(
            {"name": applicant.name, "document_number": applicant.document_number, "phone": phone})
        temporary = self.sim_cards.with_suffix(".tmp")
        temporary.write_text(json.dumps(registry, ensure_ascii=False), encoding="utf-8")
        temporary.replace(self.sim_cards)

    def _staff(self, username: str) -> dict:
        if username not in self._tokens:
            answer = self._http.post(f"{self.url}/v1/auth/token", timeout=30,
                                     json={"username": username, "password": DEMO_STAFF_PASSWORD})
            answer.raise_for_status()
            self._tokens[username] = answer.json()["access_token"]
        return {"Authorization": f"Bearer {self._tokens[username]}"}

    def act(self, username: str, number: str, action: str, **body) -> dict:
        answer = self._http.post(f"{self.url}/v1/cases/{number}/actions/{action}", json=body, timeout=30,
                                 headers=self._staff(username))
        answer.raise_for_status()
        return answer.json()

    def cases_of(self, document_number: str) -> list[dict]:
        """A citizen's cases as a clerk sees them (a terminal sees them only under their grant)."""
        answer = self._http.post(f"{self.url}/v1/cases/search", json={"applicant": document_number}, timeout=30,
                                 headers=self._staff("clerk01"))
        answer.raise_for_status()
        return answer.json()["cases"]

    def case(self, number: str) -> dict:
        answer = self._http.get(f"{self.url}/v1/cases/{number}", timeout=30, headers=self._staff("clerk01"))
        answer.raise_for_status()
        return answer.json()

    def complete(self, number: str) -> dict:
        """Staff take a case the kiosk submitted to "ready to collect": accepted, routed,
        approved by the department's approver, completed."""
        self.act("clerk01", number, "accept", note="材料齐全，受理")
        self.act("clerk01", number, "route")
        self.act(APPLY_APPROVER, number, "approve", note="准予")
        return self.act("clerk01", number, "complete")

    def ratings(self) -> dict[str, int]:
        """How many ratings each case has, read from the back office's audit log (the
        admin's view: ratings have no read API of their own)."""
        counts: dict[str, int] = {}
        after = 0
        while True:
            answer = self._http.get(f"{self.url}/v1/audit", params={"after_id": after, "limit": 1000}, timeout=60,
                                    headers=self._staff("admin"))
            answer.raise_for_status()
            entries = answer.json()["entries"]
            if not entries:
                return counts
            for entry in entries:
                if entry["action"] == "rating.create":
                    counts[entry["subject"]] = counts.get(entry["subject"], 0) + 1
            after = entries[-1]["id"]

    def book_appointment(self, applicant: Identity) -> dict:
        slot = (dt.datetime.now(CST) + dt.timedelta(minutes=20)).replace(second=0, microsecond=0)
        return self.terminal._post_json("/v1/appointments", {
            "item_code": APPOINTMENT_ITEM, "slot_start": slot.isoformat(),
            "applicant": {"document_number": applicant.document_number, "name": applicant.name}},
            idempotency_key=uuid.uuid4().hex)

    def appointment(self, code: str) -> dict:
        """As the counter's clerk sees it (a terminal sees an appointment only by its signed token)."""
        answer = self._http.get(f"{self.url}/v1/appointments/{code}", timeout=30, headers=self._staff("clerk01"))
        answer.raise_for_status()
        return answer.json()
