"""The county side of the UI tests: applicants of their own (so shared demo cases stay as
they are), cases received at the window and moved on by staff, appointments booked by a
clerk — all over the back office's real HTTP API."""
from __future__ import annotations

import datetime as dt
import uuid

import requests

from domain.county import CST
from domain.identity import DocumentKind, Identity
from domain.ids import resident_id_check_char
from services.api import BackofficeClient
from tests.api.submissions import application

DEMO_PASSWORD = "chengmai-demo"
TERMINAL = "CM-KIOSK-0001"
FOOD = "469023-XK-SCJG-0031"  # 食品经营许可证核发: an e-licence result (市场监督管理局)
PENSION = "469023-GF-RS-0007"  # 城乡居民基本养老保险待遇申领: a payment, no e-licence (人社局)
APPROVERS = {"469023-XK-SCJG-0031": "approver-scjg", "469023-GF-RS-0007": "approver-rs"}


def person(birth: str, sequence: str, name: str) -> Identity:
    """A fictitious Chengmai resident with a valid GB 11643 check character."""
    first17 = f"469023{birth}{sequence}"
    number = first17 + resident_id_check_char(first17)
    return Identity(kind=DocumentKind.RESIDENT_ID, name=name, document_number=number, sex="M",
                    nation="汉", birth_date=dt.date(int(birth[:4]), int(birth[4:6]), int(birth[6:])),
                    address="海南省澄迈县金江镇测试路1号", issuing_authority="澄迈县公安局",
                    valid_from=dt.date(2020, 1, 1), valid_until=dt.date(2040, 1, 1))


class StaffDesk:
    def __init__(self, backoffice):
        self.url = backoffice.url
        self.terminal = BackofficeClient(backoffice.url, terminal_id=TERMINAL,
                                         secret=backoffice.terminal_secret_file.read_text())
        self._tokens: dict[str, str] = {}

    def _session(self, username: str) -> requests.Session:
        if username not in self._tokens:
            answer = requests.post(f"{self.url}/v1/auth/token",
                                   json={"username": username, "password": DEMO_PASSWORD}, timeout=30)
            answer.raise_for_status()
            self._tokens[username] = answer.json()["access_token"]
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {self._tokens[username]}"
        return session

    def post(self, username: str, path: str, body: dict, key: bool = True) -> requests.Response:
        headers = {"Idempotency-Key": uuid.uuid4().hex} if key else {}
        return self._session(username).post(self.url + path, json=body, headers=headers, timeout=30)

    def get(self, username: str, path: str, **params) -> requests.Response:
        return self._session(username).get(self.url + path, params=params, timeout=30)

    def act(self, username: str, number: str, action: str, **params) -> dict:
        answer = self.post(username, f"/v1/cases/{number}/actions/{action}", params, key=False)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def submit(self, applicant: Identity, item_code: str) -> str:
        """Received by a clerk at the window, the applicant there in person: the phone given
        becomes the number on file that kiosk codes go to."""
        guide = self.terminal.guide(item_code)
        who = {"kind": "person", "document_number": applicant.document_number, "name": applicant.name}
        answer = self.post("clerk01", "/v1/cases", application(guide, who))
        assert answer.status_code == 201, answer.text
        return answer.json()["case"]["number"]

    def completed_case(self, applicant: Identity, item_code: str) -> dict:
        """Submitted at the kiosk, accepted, routed, approved, completed: ready to collect."""
        number = self.submit(applicant, item_code)
        self.act("clerk01", number, "accept", note="材料齐全，受理")
        self.act("clerk01", number, "route")
        self.act(APPROVERS[item_code], number, "approve", note="准予")
        return self.act("clerk01", number, "complete")

    def case(self, number: str) -> dict:
        answer = self.get("clerk01", f"/v1/cases/{number}")
        assert answer.status_code == 200, answer.text
        return answer.json()

    def book_appointment(self, applicant: Identity, minutes_from_now: int = 20,
                         item_code: str = FOOD) -> dict:
        start = (dt.datetime.now(CST) + dt.timedelta(minutes=minutes_from_now)).replace(microsecond=0)
        answer = self.post("clerk01", "/v1/appointments", {
            "item_code": item_code, "slot_start": start.isoformat(),
            "applicant": {"document_number": applicant.document_number, "name": applicant.name}})
        assert answer.status_code == 201, answer.text
        return answer.json()

    def audit(self, action: str, subject: str) -> list[dict]:
        """Entries of the back office's audit log for one action on one subject."""
        found, after = [], 0
        while True:
            answer = self.get("admin", "/v1/audit", after_id=after, limit=1000)
            assert answer.status_code == 200, answer.text
            entries = answer.json()["entries"]
            if not entries:
                return found
            found += [e for e in entries if e["action"] == action and e["subject"] == subject]
            after = entries[-1]["id"]
