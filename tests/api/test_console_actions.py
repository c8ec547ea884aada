"""The comprehensive window's decisions from the console's case page (综合受理): accept, request
correction with every deficiency at once, refuse with a reason, send to the department. Each
goes through the lifecycle the API uses, so the case's state, timeline and audit are the
API's; bad input is refused and changes nothing. Over real HTTP, on SQLite and PostgreSQL."""
from __future__ import annotations

import re

import pytest

from tests.api.submissions import WANG, application
from tests.api.test_console import FOOD, audit_entries, browser, csrf_of  # noqa: F401  (browser: a fixture)

pytestmark = pytest.mark.usefixtures("server")


@pytest.fixture
def received(terminal, staff) -> str:
    """A new case from a kiosk, waiting at the front desk."""
    guide = staff("clerk01").get(f"/v1/catalogue/items/{FOOD}").json()
    answer = terminal.post("/v1/cases", application(guide, WANG))
    assert answer.status_code == 201, answer.text
    return answer.json()["case"]["number"]


def case_page(b, number: str) -> str:
    page = b.get(f"/console/cases/{number}")
    assert page.status_code == 200, page.text
    return page.text


def decide(b, number: str, action: str, **fields) -> object:
    return b.post(f"/console/cases/{number}/actions", {"csrf": csrf_of(case_page(b, number)), "action": action,
                                                      **fields})


def status_of(staff, number: str) -> dict:
    return staff("clerk01").get(f"/v1/cases/{number}").json()


def test_a_received_case_offers_the_front_desk_s_decisions(browser, received):
    page = case_page(browser("clerk01"), received)
    for button in ('id="accept"', 'id="request-correction"', 'id="refuse"'):
        assert button in page
    assert 'id="route"' not in page  # only once accepted


def test_accepting_then_sending_on_moves_the_case_as_the_api_does(browser, received, staff):
    clerk = browser("clerk01")
    answer = decide(clerk, received, "accept")
    assert answer.status_code == 303 and answer.headers["location"] == f"/console/cases/{received}"
    case = status_of(staff, received)
    assert case["status"] == "accepted" and case["timeline"][-1]["status"] == "accepted"
    assert any(e["subject"] == received and e["actor"] == "staff:clerk01" for e in audit_entries(staff, "case.accept"))
    assert 'id="route"' in case_page(clerk, received) and 'id="accept"' not in case_page(clerk, received)

    sent = decide(clerk, received, "route")
    assert sent.status_code == 303 and sent.headers["location"] == "/console/queue"  # left the front desk
    case = status_of(staff, received)
    assert case["status"] == "in_review" and case["department_code"] == "SCJG"


def test_a_correction_lists_every_ticked_material_and_the_rest_at_once(browser, received, staff):
    clerk = browser("clerk01")
    page = case_page(clerk, received)
    ticks = re.findall(r'name="deficient_(\d+)"', page)
    assert len(ticks) >= 2
    answer = decide(clerk, received, "request_correction", **{
        f"deficient_{ticks[0]}": "1", f"problem_{ticks[0]}": "签字缺失",
        f"deficient_{ticks[1]}": "1", f"problem_{ticks[1]}": "图纸不清晰",
        f"problem_{ticks[2]}": "not ticked, not sent", "other_problem": "请补充法定代表人身份证复印件"})
    assert answer.status_code == 303
    case = status_of(staff, received)
    assert case["status"] == "correction_required"
    problems = [d["problem"] for d in case["correction"]["deficiencies"]]
    assert problems == ["签字缺失", "图纸不清晰", "请补充法定代表人身份证复印件"]
    assert case["correction"]["due"]  # five working days for the applicant
    assert "签字缺失" in case_page(clerk, received)


def test_bad_decisions_are_refused_and_change_nothing(browser, received, staff):
    clerk = browser("clerk01")
    no_reason = decide(clerk, received, "refuse", reason="  ")
    assert no_reason.status_code == 422 and "不予受理须说明理由" in no_reason.text
    nothing_ticked = decide(clerk, received, "request_correction", problem_1="ignored: not ticked")
    assert nothing_ticked.status_code == 422
    not_now = decide(clerk, received, "route")  # not accepted yet
    assert not_now.status_code == 409
    unknown = decide(clerk, received, "approve")
    assert unknown.status_code == 409
    stale = clerk.post(f"/console/cases/{received}/actions", {"csrf": "stale", "action": "accept"})
    assert stale.status_code == 403
    case = status_of(staff, received)
    assert case["status"] == "received" and len(case["timeline"]) == 1

    refused = decide(clerk, received, "refuse", reason="不属于本中心受理范围")
    assert refused.status_code == 303
    case = status_of(staff, received)
    assert case["status"] == "not_accepted" and case["timeline"][-1]["note"] == "不属于本中心受理范围"


def test_only_the_front_desk_decides_there(browser, received):
    supervisor = browser("supervisor01")  # may open any case, decides none of the front desk's
    page = case_page(supervisor, received)
    assert 'id="accept"' not in page
    assert decide(supervisor, received, "accept").status_code == 409


@pytest.fixture
def in_review(received, staff) -> str:
    """The case accepted and sent to 市场监管 (SCJG) through the API, as a clerk does."""
    clerk = staff("clerk01")
    assert clerk.act(received, "accept").status_code == 200
    assert clerk.act(received, "route").status_code == 200
    return received


def test_the_department_s_queue_holds_its_cases_in_review(browser, in_review):
    approver = browser("approver-scjg")
    assert approver.sign_in("approver-scjg").headers["location"] == "/console/department"
    queue = approver.get("/console/department")
    assert queue.status_code == 200 and in_review in queue.text
    assert browser("clerk01").get("/console/department").status_code == 403  # the clerk's is the front desk's


def test_an_approver_approves_with_the_lifecycle_s_checks(browser, in_review, staff):
    approver = browser("approver-scjg")
    page = case_page(approver, in_review)
    for button in ('id="approve"', 'id="deny"', 'id="suspend"'):
        assert button in page
    assert 'id="accept"' not in page and 'id="resume"' not in page
    assert decide(approver, in_review, "approve").status_code == 303
    case = status_of(staff, in_review)
    assert case["status"] == "decided" and case["decision"] == "approved"
    assert any(e["subject"] == in_review and e["actor"] == "staff:approver-scjg"
               for e in audit_entries(staff, "case.approve"))


def test_a_denial_needs_its_reason_and_a_suspension_stops_the_clock(browser, in_review, staff):
    approver = browser("approver-scjg")
    no_reason = decide(approver, in_review, "deny", reason="")
    assert no_reason.status_code == 422 and "不予许可须说明理由" in no_reason.text
    assert decide(approver, in_review, "suspend", reason="").status_code == 422
    assert status_of(staff, in_review)["status"] == "in_review"

    assert decide(approver, in_review, "suspend", reason="现场核查").status_code == 303
    assert status_of(staff, in_review)["status"] == "suspended"
    assert 'id="resume"' in case_page(approver, in_review)
    assert decide(approver, in_review, "resume").status_code == 303
    assert decide(approver, in_review, "deny", reason="经营场所不符合要求").status_code == 303
    case = status_of(staff, in_review)
    assert case["status"] == "decided" and case["decision"] == "denied"


def test_another_department_s_approver_cannot_decide(browser, in_review):
    other = browser("approver-rs")  # 人社: not this case's department
    assert other.get(f"/console/cases/{in_review}").status_code == 403
    assert other.post(f"/console/cases/{in_review}/actions", {"csrf": "x", "action": "approve"}).status_code == 403


def test_the_department_completes_and_the_window_prints_and_hands_over(browser, in_review, staff):
    """统一出件: the approver completes (the e-licence is issued), the window prints it with
    the holder's name (audited) and records the handing over; then the case leaves the queue."""
    approver, clerk = browser("approver-scjg"), browser("clerk01")
    assert decide(approver, in_review, "approve").status_code == 303
    assert decide(approver, in_review, "complete").status_code == 303
    assert status_of(staff, in_review)["status"] == "completed"

    page = case_page(clerk, in_review)
    assert 'id="deliver"' in page
    link = re.search(r'class="print" href="([^"]+)"', page)
    assert link, "a completed case's e-licence can be printed at the window"
    pdf = clerk.get(link.group(1))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and pdf.headers["Cache-Control"] == "no-store"
    assert any(e["actor"] == "staff:clerk01" and e["detail"].get("case") == in_review
               for e in audit_entries(staff, "licence.print"))
    assert approver.get(link.group(1)).status_code == 403  # the window prints, not the department

    assert decide(clerk, in_review, "deliver").status_code == 303
    assert status_of(staff, in_review)["status"] == "delivered"
    assert in_review not in clerk.get("/console/queue").text
