"""A case's whole life over HTTP: a terminal submits, staff move it through the state
machine, an e-licence comes out at the end; the rules that guard each step."""
from __future__ import annotations

import copy
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from domain import tokens
from domain.ids import is_valid_licence_id
from services.api import TerminalSignature
from tests.api.conftest import TERMINAL
from tests.api.submissions import WANG, ZHAO, application
from tests.e2e.outbox_support import applicant

FOOD = "469023-XK-SCJG-0031"  # 食品经营许可证核发 (市场监督管理局, e-licence result, 容缺 allowed)


@pytest.fixture(scope="module")
def food_guide(anonymous):
    answer = anonymous.get(f"/v1/catalogue/items/{FOOD}")
    assert answer.status_code == 200
    return answer.json()


def submit(terminal, guide, **kw):
    answer = terminal.post("/v1/cases", application(guide, **kw))
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_full_life_from_kiosk_to_e_licence(terminal, staff, anonymous, food_guide, presence):
    body = submit(terminal, food_guide)
    case, receipt = body["case"], body["receipt"]
    number = case["number"]
    assert number.startswith("469023-")
    assert case["status"] == "received" and case["channel"] == "kiosk"
    assert case["applicant_masked"] == "王*" and case["applicant_id_masked"] == "4690**********1234"
    assert receipt["terminal_id"] == "CM-KIOSK-0001"
    assert receipt["promised_days"] == food_guide["promised_days"] and receipt["promised_date"]
    assert {m["name"] for m in receipt["materials"]} and all("licence_id" in m for m in receipt["materials"])
    assert receipt["item_name_en"] == case["item_name_en"] == food_guide["name_en"]
    assert {m["name_en"] for m in receipt["materials"]} <= {m["name_en"] for m in food_guide["materials"]}
    assert case["timeline"][0]["note_en"] == "Received at a self-service kiosk"

    # The receipt's QR token verifies offline with the published public key.
    key = anonymous.get("/v1/keys/qr").json()
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    public = Ed25519PublicKey.from_public_bytes(tokens.unb64url(key["public_key"]))

    def verify(signature, message):
        try:
            public.verify(signature, message)
            return True
        except Exception:
            return False

    parsed = tokens.decode(receipt["tracking_token"], verify, now=int(time.time()), kind="case")
    assert parsed.subject == number and parsed.expires_at and parsed.claims["kid"]
    assert terminal.get("/v1/track", params={"token": receipt["tracking_token"]}).json()["number"] == number

    clerk, approver = staff("clerk01"), staff("approver-scjg")
    assert clerk.act(number, "accept", note="材料齐全，受理").status_code == 200
    routed = clerk.act(number, "route")
    assert routed.status_code == 200 and routed.json()["department"] == "澄迈县市场监督管理局"
    assert routed.json()["department_en"] == "Chengmai County Administration for Market Regulation"
    assert routed.json()["timeline"][-1]["note_en"] == (
        "Sent to Chengmai County Administration for Market Regulation for review")
    assert approver.act(number, "approve", note="准予许可").json()["decision"] == "approved"
    completed = clerk.act(number, "complete").json()
    assert completed["status"] == "completed"
    (licence,) = completed["licences"]
    assert is_valid_licence_id(licence["identifier"])
    assert licence["name_en"] == food_guide["result"]["name_en"]
    assert completed["timeline"][-1]["note_en"] == f"Completed; e-licences issued: {licence['name_en']}"
    assert completed["next_step"]["action"] == "collect"

    verified = anonymous.post("/v1/licences/verify", {"identifier": licence["identifier"]}, key=None).json()
    assert verified["valid"] and verified["licence"]["holder_masked"] == "王*"
    wang = presence(WANG["document_number"])  # the holder at the glass, to collect
    pdf = terminal.get(f"/v1/licences/{licence['identifier']}/pdf", headers=wang)
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")

    delivered = terminal.act(number, "deliver", headers=wang, note="自助终端领取",
                             note_en="Collected at a kiosk").json()
    assert delivered["status"] == "delivered"
    assert delivered["timeline"][-1]["note_en"] == "Collected at a kiosk"
    assert delivered["timeline"][1]["note_en"] == ""  # the clerk wrote the acceptance in Chinese only
    assert [e["status"] for e in delivered["timeline"]] == [
        "received", "accepted", "in_review", "decided", "completed", "delivered"]


def test_illegal_transitions_answer_409(terminal, staff, food_guide):
    number = submit(terminal, food_guide)["case"]["number"]
    answer = staff("admin").act(number, "approve")  # the admin may act; the state forbids it
    assert answer.status_code == 409
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert "received" in answer.json()["detail"]
    assert staff("clerk01").act(number, "deliver").status_code == 409


def test_roles_are_checked_on_every_action(terminal, staff, food_guide):
    number = submit(terminal, food_guide)["case"]["number"]
    assert terminal.act(number, "accept").status_code == 403  # a kiosk cannot accept its own case
    assert staff("approver-scjg").act(number, "accept").status_code == 403
    staff("clerk01").act(number, "accept")
    staff("clerk01").act(number, "route")
    assert staff("clerk01").act(number, "approve").status_code == 403
    assert staff("approver-rs").act(number, "approve").status_code == 403  # another department
    assert staff("approver-scjg").act(number, "approve").status_code == 200


def test_idempotent_retries(terminal, food_guide):
    payload = application(food_guide)
    first = terminal.post("/v1/cases", payload, key="retry-1")
    again = terminal.post("/v1/cases", payload, key="retry-1")
    assert first.status_code == again.status_code == 201
    assert again.json()["case"]["number"] == first.json()["case"]["number"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    other = copy.deepcopy(payload)
    other["contact_phone"] = "13600000000"
    refused = terminal.post("/v1/cases", other, key="retry-1")
    assert refused.status_code == 422 and "different request" in refused.json()["detail"]
    assert terminal.post("/v1/cases", payload, key=None).status_code == 422  # the key is required


def test_a_retry_its_checks_would_now_refuse_still_gets_the_first_answer(server, terminal, food_guide):
    """A kiosk's outbox may deliver a retry long after the first try went through, and an
    e-licence in it may have been revoked meanwhile: the retry is answered with the case
    made, never refused by the checks the first try passed."""
    from domain.ids import make_licence_id
    from tests.api.database import execute_sql
    from tests.api.submissions import ISSUER

    payload = application(food_guide, applicant(690))
    material = next(m for m in payload["materials"] if m.get("licence_id"))
    kind = next(m["licence_type_code"] for m in food_guide["materials"] if m["code"] == material["code"])
    # A licence of this test's own: the one application() names is every test's.
    licence = material["licence_id"] = make_licence_id(kind, ISSUER, "2026" + f"{uuid.uuid4().int % 10**7:07d}", 1)
    first = terminal.post("/v1/cases", payload, key="retry-after-revocation")
    assert first.status_code == 201, first.text
    execute_sql(server, "INSERT INTO licences (identifier, case_id, type_code, name, holder_lookup, holder_masked, "
                "issuer_name, issuer_uscc, issued_at, version, status) SELECT :identifier, id, 'JY', '食品经营许可证', "
                "applicant_lookup, applicant_masked, '澄迈县市场监督管理局', '11469023MB0000000X', received_at, 1, "
                "'revoked' FROM cases WHERE number = :number",
                identifier=licence, number=first.json()["case"]["number"])
    assert terminal.post("/v1/cases", payload).status_code == 422  # a new key: the checks refuse it now
    again = terminal.post("/v1/cases", payload, key="retry-after-revocation")
    assert again.status_code == 201, again.text
    assert again.json()["case"]["number"] == first.json()["case"]["number"]
    assert again.headers.get("Idempotent-Replayed") == "true"


def test_retries_arriving_together_make_one_case(server, staff, food_guide):
    """A kiosk whose first try timed out sends again while the back office is still at
    work on the first: however the tries interleave, one case results and every answer
    names it."""
    secret = server.terminal_secret_file.read_text()
    for round_ in range(6):
        person = applicant(700 + round_)
        body, key = application(food_guide, person), uuid.uuid4().hex
        together = threading.Barrier(3)

        def send(_):
            with requests.Session() as http:
                http.auth = TerminalSignature(TERMINAL, secret)
                together.wait()
                return http.post(f"{server.url}/v1/cases", json=body, headers={"Idempotency-Key": key}, timeout=30)

        with ThreadPoolExecutor(3) as pool:
            answers = list(pool.map(send, range(3)))
        assert [a.status_code for a in answers] == [201] * 3, [a.text for a in answers]
        assert len({a.json()["case"]["number"] for a in answers}) == 1
        found = staff("clerk01").post("/v1/cases/search", {"applicant": person["document_number"]}, key=None)
        assert len(found.json()["cases"]) == 1, round_


def test_incomplete_application_lists_every_problem_at_once(terminal, food_guide):
    required = [m["code"] for m in food_guide["materials"]
                if m["necessity"] == "required" and m["source"] != "data_sharing"]
    payload = application(food_guide, skip=tuple(required))
    payload["contact_phone"] = "12345"
    answer = terminal.post("/v1/cases", payload)
    assert answer.status_code == 422
    problems = answer.json()["problems"]
    assert {p["material"] for p in problems if "material" in p} >= set(required)
    assert any(p.get("field") == "contact_phone" for p in problems)


def test_deferred_material_needs_the_signed_commitment(terminal, staff, food_guide):
    payload = application(food_guide, defer=True)
    assert payload["deferred"], "the food licence allows a 容缺 material"
    unsigned = dict(payload, commitment_signed=False)
    assert terminal.post("/v1/cases", unsigned).status_code == 422
    body = terminal.post("/v1/cases", payload).json()
    case = body["case"]
    assert case["deferred_pending"] and case["deferred_due"]
    assert case["next_step"]["action"] == "supply_deferred"
    assert body["receipt"]["deferred"] and body["receipt"]["commitment_signed"]
    clerk = staff("clerk01")
    clerk.act(case["number"], "accept")
    supplied = clerk.act(case["number"], "supplement",
                         materials=[{"code": c, "form": "copy"} for c in payload["deferred"]]).json()
    assert supplied["status"] == "accepted" and not supplied["deferred_pending"]


def test_correction_notice_lists_deficiencies_and_supplement_resubmits(terminal, staff, food_guide, presence):
    number = submit(terminal, food_guide)["case"]["number"]
    clerk = staff("clerk01")
    assert clerk.act(number, "request_correction").status_code == 422  # must list deficiencies
    corrected = clerk.act(number, "request_correction", deficiencies=[
        {"material": "营业执照", "problem": "复印件不清晰"},
        {"material": "经营场所证明", "problem": "缺少盖章"}]).json()
    assert corrected["status"] == "correction_required"
    wang = presence(WANG["document_number"])
    assert terminal.get(f"/v1/cases/{number}/correction-notice").status_code == 403  # not on the secret alone
    notice = terminal.get(f"/v1/cases/{number}/correction-notice", headers=wang).json()
    assert len(notice["deficiencies"]) == 2 and notice["due"]
    back = terminal.act(number, "supplement", headers=wang, materials=[{"code": "M01", "form": "original"}]).json()
    assert back["status"] == "received" and back["correction"] is None


def test_company_only_items_refuse_a_person(terminal, anonymous):
    guide = anonymous.get("/v1/catalogue/items/469023-XK-ZJ-0044").json()  # construction permit
    answer = terminal.post("/v1/cases", application(guide, ZHAO))
    assert answer.status_code == 422 and "not available to a person" in answer.json()["detail"]


def test_items_not_for_kiosks_say_where_to_go(terminal, anonymous):
    guide = anonymous.get("/v1/catalogue/items/469023-QR-MZ-0002").json()  # marriage registration
    assert guide["kiosk"] is False
    answer = terminal.post("/v1/cases", application(guide, WANG))
    assert answer.status_code == 422 and answer.json()["where_instead"]


def test_withdraw_from_the_kiosk(terminal, food_guide, presence):
    number = submit(terminal, food_guide)["case"]["number"]
    wang = presence(WANG["document_number"])
    assert terminal.act(number, "withdraw", headers=wang, note="申请人撤回").json()["status"] == "withdrawn"
    assert terminal.act(number, "withdraw", headers=wang).status_code == 409
