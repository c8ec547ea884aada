"""Builds applications the way the kiosk will: from an item's published guide."""
from __future__ import annotations

from backoffice.seed import demo_answers
from domain.ids import make_licence_id

WANG = {"kind": "person", "document_number": "469023195801041234", "name": "王建国"}
ZHAO = {"kind": "person", "document_number": "11010519491231002X", "name": "赵敏"}
ISSUER = "11469023MB12345676"


def answers_for(guide: dict, person: dict) -> dict:
    return demo_answers(guide["form"], person["document_number"])


def application(guide: dict, person: dict = WANG, defer: bool = False, skip: tuple[str, ...] = (),
                prefix: str = "") -> dict:
    materials, deferred = [], []
    for serial, m in enumerate(guide["materials"]):
        code = prefix + m["code"]
        if m["code"] in skip:
            continue
        if defer and m["necessity"] == "deferrable":
            deferred.append(code)
        elif m["source"] == "e_licence" and m["licence_type_code"]:
            materials.append({"code": code, "form": "electronic",
                              "licence_id": make_licence_id(m["licence_type_code"], ISSUER, f"2020{serial:07d}", 1)})
        elif m["source"] != "data_sharing" and m["necessity"] != "optional":
            materials.append({"code": code, "form": m["forms"][0], "copies": m["copies"]})
    return {"item_code": guide["code"], "applicant": person, "contact_phone": "13907561234",
            "answers": answers_for(guide, person), "materials": materials, "deferred": deferred,
            "commitment_signed": bool(deferred)}


def bundle_application(guides: list[dict], bundle_code: str, person: dict = WANG) -> dict:
    payload = {"bundle_code": bundle_code, "applicant": person, "contact_phone": "13907561234",
               "answers": {}, "materials": [], "deferred": [], "commitment_signed": False}
    for guide in guides:
        part = application(guide, person, prefix=f"{guide['code']}/")
        payload["answers"].update(part["answers"])
        payload["materials"] += part["materials"]
    return payload


class CounterClerk:
    """A clerk over plain HTTP at the back office on `url`: submits a food business licence
    for 王建国 at the counter and lists his case numbers, so a test can see which cases a
    backup, a restore, an upgrade or a rollback kept."""

    FOOD = "469023-XK-SCJG-0031"

    def __init__(self, url: str, username: str = "clerk01", password: str = "chengmai-demo"):
        self.url, self.username, self.password = url, username, password

    def headers(self) -> dict[str, str]:
        import requests

        answer = requests.post(f"{self.url}/v1/auth/token", json={"username": self.username,
                                                                  "password": self.password}, timeout=30)
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    def submit(self) -> str:
        import uuid

        import requests

        guide = requests.get(f"{self.url}/v1/catalogue/items/{self.FOOD}", timeout=30).json()
        made = requests.post(f"{self.url}/v1/cases", json=application(guide), timeout=60,
                             headers={**self.headers(), "Idempotency-Key": uuid.uuid4().hex})
        assert made.status_code == 201, made.text
        return made.json()["case"]["number"]

    def cases(self) -> set[str]:
        import requests

        answer = requests.post(f"{self.url}/v1/cases/search", json={"applicant": WANG["document_number"],
                                                                    "limit": 200},
                               headers=self.headers(), timeout=30)
        assert answer.status_code == 200, answer.text
        return {c["number"] for c in answer.json()["cases"]}
