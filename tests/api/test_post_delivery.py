"""Results by post, through the real back office and the courier emulator the project owns
(demo/courier_emulator.py, EMS government mail on loopback): the address checked against
Chengmai's towns and villages at submission and refused with every problem at once; the
address stored encrypted and shown masked in the case, the receipt and the console; at
`deliver` one waybill however often it is retried, and one text naming it; tracking polled
by the sweep to delivered, on the case and its timeline. On SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
import requests

from backoffice.courier import is_ems_waybill
from demo import courier_emulator
from demo.embedded_backoffice import EmbeddedBackoffice
from kiosk.demo import phone_texts
from tests.api.database import stored_bytes
from tests.api.submissions import WANG, application
from tests.api.test_console import FOOD

TOWNS = ("金江镇", "老城镇", "瑞溪镇", "永发镇", "加乐镇", "文儒镇", "中兴镇", "仁兴镇", "福山镇", "桥头镇", "大丰镇")
JINJIANG, JIANGUO = "469023100000", "469023100001"  # 金江镇, its 建国社区居委会
LAOCHENG_VILLAGE = "469023101001"  # in 老城镇, not in 金江镇
DETAIL, RECIPIENT, PHONE = "文化北路88号3栋502室", "符海燕", "13876543210"
ADDRESS = {"method": "post", "town_code": JINJIANG, "village_code": JIANGUO, "detail": DETAIL,
           "recipient": RECIPIENT, "phone": PHONE}
MASKED = "金江镇建国社区居委会****"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request, tmp_path_factory):
    """The back office with a courier emulator of its own (case numbers start again on the
    other database, and the courier keys its orders by them): conftest's, plus that."""
    var = tmp_path_factory.mktemp("bo")
    url = None
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_server").create_database("api_test_post_delivery")
    with courier_emulator.serving() as courier:
        bo = EmbeddedBackoffice(database=var / "backoffice.db", log_file=var / "backoffice.log", database_url=url,
                                environ={"BACKOFFICE_COURIER": f"emulator:{courier[0]}"})
        bo.start()
        bo.kind, bo.courier = request.param, courier
        yield bo
        bo.stop()


@pytest.fixture(scope="module")
def courier(server):
    """The courier emulator's URL and state."""
    return server.courier


def guide(staff) -> dict:
    return staff("clerk01").get(f"/v1/catalogue/items/{FOOD}").json()


def posted(staff, delivery: dict | None = None, **extra) -> dict:
    body = application(guide(staff), WANG)
    body["answers"]["delivery"] = "post"
    return {**body, "delivery": ADDRESS if delivery is None else delivery, "sms_notices": True, **extra}


def sweep(staff) -> dict:
    answer = staff("supervisor01").post("/v1/supervision/sweep", key=None)
    assert answer.status_code == 200, answer.text
    return answer.json()


def act(staff, who: str, number: str, action: str, **params) -> requests.Response:
    return staff(who).act(number, action, **params)


def completed(terminal, staff) -> str:
    made = terminal.post("/v1/cases", posted(staff))
    assert made.status_code == 201, made.text
    number = made.json()["case"]["number"]
    for who, action in (("clerk01", "accept"), ("clerk01", "route"), ("approver-scjg", "approve"),
                        ("approver-scjg", "complete")):
        assert act(staff, who, number, action).status_code == 200, action
    return number


def test_kiosks_read_the_towns_and_their_villages_with_their_codes_and_source(anonymous):
    answer = anonymous.get("/v1/addresses/towns")
    assert answer.status_code == 200
    body = answer.json()
    names = [t["name"] for t in body["towns"]]
    assert set(TOWNS) <= set(names)
    assert body["source"]["year"] == 2023 and "国家统计局" in body["source"]["publisher"]
    for town in body["towns"]:
        assert len(town["code"]) == 12 and town["code"].startswith("469023") and town["villages"]
        assert all(len(v["code"]) == 12 and v["code"][:9] == town["code"][:9] for v in town["villages"])
    jinjiang = next(t for t in body["towns"] if t["name"] == "金江镇")
    assert {"code": JIANGUO, "name": "建国社区居委会"} in jinjiang["villages"]
    # Cacheable: public, and not sent again while the kiosk's copy is current.
    assert "public" in answer.headers["Cache-Control"]
    again = anonymous.get("/v1/addresses/towns", headers={"If-None-Match": answer.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""


def test_a_wrong_address_is_refused_with_every_problem_at_once(terminal, staff):
    wrong = {"method": "post", "town_code": JINJIANG, "village_code": LAOCHENG_VILLAGE, "detail": "1",
             "recipient": "", "phone": "0898-6762"}
    answer = terminal.post("/v1/cases", posted(staff, wrong))
    assert answer.status_code == 422, answer.text
    fields = {p["field"]: p["problem"] for p in answer.json()["problems"]}
    assert fields["delivery.village_code"] == "not in the town given"
    assert {"delivery.detail", "delivery.recipient", "delivery.phone"} <= set(fields)
    unknown = terminal.post("/v1/cases", posted(staff, {**ADDRESS, "town_code": "469023999000",
                                                        "village_code": "110101001001"}))
    assert {p["field"] for p in unknown.json()["problems"]} == {"delivery.town_code", "delivery.village_code"}
    # Post chosen on the form but no address given; a method the form did not choose.
    body = posted(staff)
    del body["delivery"]
    assert [p["field"] for p in terminal.post("/v1/cases", body).json()["problems"]] == ["delivery"]
    other = terminal.post("/v1/cases", posted(staff, {**ADDRESS, "method": "window"}))
    assert [p["field"] for p in other.json()["problems"]] == ["delivery.method"]


def test_a_posted_case_from_submission_to_delivered(server, terminal, staff, courier):
    url, state = courier
    made = terminal.post("/v1/cases", posted(staff))
    assert made.status_code == 201, made.text
    case, receipt = made.json()["case"], made.json()["receipt"]
    number = case["number"]
    assert case["delivery"] == {"method": "post", "town_code": JINJIANG, "village_code": JIANGUO,
                                "address_masked": MASKED, "recipient_masked": "符*", "phone_masked": "138****3210"}
    assert case["shipment"] is None
    assert (receipt["delivery_method"], receipt["delivery_address_masked"]) == ("post", MASKED)
    assert terminal.get(f"/v1/cases/{number}/receipt").status_code == 403  # the citizen's, under a grant
    assert staff("clerk01").get(f"/v1/cases/{number}/receipt").json()["delivery_address_masked"] == MASKED
    for who, action in (("clerk01", "accept"), ("clerk01", "route"), ("approver-scjg", "approve"),
                        ("approver-scjg", "complete")):
        assert act(staff, who, number, action).status_code == 200, action

    # The courier takes the order but its answer is lost: nothing changes, and the retry
    # gets the waybill of that same order, not a second one.
    orders_before = len(state.orders)
    state.lose_answer = 1
    lost = act(staff, "clerk01", number, "deliver")
    assert lost.status_code == 503 and lost.json()["code"] == "courier_unavailable"
    assert staff("clerk01").get(f"/v1/cases/{number}").json()["status"] == "completed"
    delivered = act(staff, "clerk01", number, "deliver")
    assert delivered.status_code == 200, delivered.text
    shipment = delivered.json()["shipment"]
    assert len(state.orders) == orders_before + 1
    assert shipment["waybill"] == state.orders[number]["waybill_no"] and is_ems_waybill(shipment["waybill"])
    assert shipment["status"] == "created" and shipment["steps"] == []
    assert act(staff, "clerk01", number, "deliver").status_code == 409  # delivered already
    assert len(state.orders) == orders_before + 1
    # The courier got the whole address; the back office shows it masked.
    order = state.orders[number]
    assert order["address"] == f"海南省澄迈县金江镇建国社区居委会{DETAIL}"
    assert (order["recipient"], order["phone"]) == (RECIPIENT, PHONE)
    timeline = delivered.json()["timeline"]
    assert timeline[-1]["action"] == "deliver" and shipment["waybill"] in timeline[-1]["note"]

    # One text naming the waybill, none saying "come and collect".
    sweep(staff)
    sweep(staff)
    texts = [t for t in phone_texts(server.phone_inbox) if number in t["text"]]
    assert [t["template"] for t in texts].count("case_shipped") == 1
    assert "case_ready" not in [t["template"] for t in texts]
    shipped = next(t for t in texts if t["template"] == "case_shipped")
    assert shipped["params"]["waybill"] == shipment["waybill"] and DETAIL not in shipped["text"]

    # Tracking: each step the courier reports is kept once and put on the timeline.
    for _ in range(4):
        requests.post(f"{url}waybills/{shipment['waybill']}/advance", timeout=10)
        sweep(staff)
    sweep(staff)
    detail = staff("clerk01").get(f"/v1/cases/{number}").json()
    assert detail["shipment"]["status"] == "delivered"
    assert [s["step"] for s in detail["shipment"]["steps"]] == ["collected", "in_transit", "out_for_delivery",
                                                                 "delivered"]
    tracking = [e for e in detail["timeline"] if e["action"] == "tracking"]
    assert [e["note_en"].split(" (")[0] for e in tracking] == ["Collected by EMS", "In transit", "Out for delivery",
                                                               "Delivered"]
    assert detail["delivery"]["address_masked"] == MASKED

    # Nothing of the address is kept in clear.
    held = stored_bytes(server)
    for secret in (DETAIL, RECIPIENT, PHONE):
        assert secret.encode() not in held, secret


def test_a_courier_that_cannot_be_reached_leaves_the_case_to_deliver_later(terminal, staff, courier):
    _url, state = courier
    number = completed(terminal, staff)
    state.fail_next = 1
    refused = act(staff, "clerk01", number, "deliver")
    assert refused.status_code == 503 and number not in state.orders
    case = staff("clerk01").get(f"/v1/cases/{number}").json()
    assert case["status"] == "completed" and case["shipment"] is None
    assert "deliver" not in [n["event"] for n in case["notices"]]
    assert act(staff, "clerk01", number, "deliver").status_code == 200


def test_a_posted_result_is_not_collected_at_a_kiosk(terminal, staff, presence):
    number = completed(terminal, staff)
    refused = terminal.act(number, "deliver", headers=presence(WANG["document_number"]))
    assert refused.status_code == 409 and refused.json()["code"] == "result_by_post"


def test_a_result_collected_at_the_window_records_the_choice_and_ships_nothing(terminal, staff, courier):
    body = application(guide(staff), WANG)  # the form's first choice: the window
    made = terminal.post("/v1/cases", body)
    assert made.status_code == 201, made.text
    assert made.json()["case"]["delivery"] == {"method": "window"}
    assert made.json()["receipt"]["delivery_method"] == "window"
    assert made.json()["receipt"]["delivery_address_masked"] == ""


def test_the_console_shows_the_masked_address_and_the_waybill(server, terminal, staff, courier):
    from tests.api.test_console import Browser, audit_entries, csrf_of

    number = completed(terminal, staff)
    # In full only through the applicant's audited showing, with a reason.
    clerk = Browser(server.url)
    assert clerk.sign_in("clerk01").status_code == 303
    page = clerk.get(f"/console/cases/{number}").text
    assert "免费邮寄（EMS）" in page and MASKED in page and DETAIL not in page
    shown = clerk.post(f"/console/cases/{number}/applicant", {"csrf": csrf_of(page), "reason": "contact"},
                       headers={"HX-Request": "true"})
    assert shown.status_code == 200 and f"金江镇建国社区居委会{DETAIL} {RECIPIENT} {PHONE}" in shown.text
    assert [e for e in audit_entries(staff, "applicant.reveal") if e["subject"] == number]
    waybill = act(staff, "clerk01", number, "deliver").json()["shipment"]["waybill"]
    requests.post(f"{courier[0]}waybills/{waybill}/advance", timeout=10)
    sweep(staff)
    supervisor = Browser(server.url)
    assert supervisor.sign_in("supervisor01").status_code == 303
    page = supervisor.get(f"/console/cases/{number}").text
    post = page[page.index('id="post"'):]
    assert MASKED in post and waybill in post and "已揽收" in post
    for secret in (DETAIL, RECIPIENT, PHONE):
        assert secret not in page
