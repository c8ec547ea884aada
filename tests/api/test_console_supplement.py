"""The two console actions past the decisions, over real HTTP on SQLite and PostgreSQL:
materials brought to the counter (a 容缺 material promised at submission, or the corrected
materials a correction notice asked for), recorded by the clerk through the lifecycle's
supplement; and the supervisor working a bad rating's rectification from the dashboard
(callback, rectification, review of an appeal), each step with its note on the case's
timeline and in the audit. Bad forms are refused and change nothing."""
from __future__ import annotations

import re

import pytest

from tests.api.submissions import WANG, application
from tests.api.test_console import FOOD, audit_entries, browser, csrf_of  # noqa: F401  (browser: a fixture)
from tests.api.test_console_actions import case_page, decide, status_of

pytestmark = pytest.mark.usefixtures("server")


@pytest.fixture(scope="module")
def food_guide(staff) -> dict:
    return staff("clerk01").get(f"/v1/catalogue/items/{FOOD}").json()


def submitted(terminal, guide: dict, defer: bool = False) -> dict:
    answer = terminal.post("/v1/cases", application(guide, WANG, defer=defer))
    assert answer.status_code == 201, answer.text
    return answer.json()["case"]


def offered(page: str) -> dict[str, str]:
    """The materials the counter's form offers: {index: name}."""
    return {i: name.strip() for i, name in re.findall(r'<label class="material" for="brought_(\d+)">([^<]+)', page)}


def bring(b, number: str, **fields) -> object:
    return b.post(f"/console/cases/{number}/supplement", {"csrf": csrf_of(case_page(b, number)), **fields})


# --- materials brought to the counter ----------------------------------------------------------

def test_a_deferred_material_brought_to_the_counter_ends_its_commitment(browser, terminal, staff, food_guide):
    case = submitted(terminal, food_guide, defer=True)
    number = case["number"]
    assert case["deferred_pending"] and case["deferred_due"]
    assert staff("clerk01").act(number, "accept").status_code == 200
    clerk = browser("clerk01")
    page = case_page(clerk, number)
    deferred = [m for m in case["materials"] if m["deferred"]]
    choices = offered(page)
    assert sorted(choices.values()) == sorted(m["name"] for m in deferred)  # only the promised ones
    first, *rest = choices
    assert rest, "the food licence defers two materials"

    answer = bring(clerk, number, **{f"brought_{first}": "1", f"form_{first}": "original", f"copies_{first}": "2"})
    assert answer.status_code == 303 and answer.headers["location"] == f"/console/cases/{number}"
    after = status_of(staff, number)
    assert after["status"] == "accepted" and after["deferred_pending"]  # the other is still promised
    supplied = [m for m in after["materials"] if m["deferred"] and m["supplied"]]
    assert [(m["name"], m["form"], m["copies"]) for m in supplied] == [(choices[first], "original", 2)]
    last = after["timeline"][-1]
    assert last["action"] == "supplement" and last["note"] == f"窗口补交：{choices[first]}"
    assert any(e["subject"] == number and e["actor"] == "staff:clerk01"
               for e in audit_entries(staff, "case.supplement"))
    page = case_page(clerk, number)
    assert list(offered(page)) == rest and "已于" in page  # the deferred list says when it came

    assert bring(clerk, number, **{f"brought_{i}": "1" for i in rest}).status_code == 303
    after = status_of(staff, number)
    assert not after["deferred_pending"] and after["deferred_due"] is None  # no termination threatens it
    page = case_page(clerk, number)
    assert 'id="brought"' not in page and f"窗口补交：{choices[rest[0]]}" in page  # nothing left; on the timeline
    assert 'id="route"' in page  # and the case goes on to the department as before


def test_corrected_materials_brought_to_the_counter_send_the_case_back_to_acceptance(browser, terminal, staff,
                                                                                      food_guide):
    number = submitted(terminal, food_guide)["number"]
    clerk = browser("clerk01")
    ticks = re.findall(r'name="deficient_(\d+)"', case_page(clerk, number))
    assert decide(clerk, number, "request_correction", **{f"deficient_{ticks[0]}": "1",
                                                          f"problem_{ticks[0]}": "复印件不清晰"}).status_code == 303
    page = case_page(clerk, number)
    choices = offered(page)
    assert choices and 'id="brought"' in page
    first = ticks[0]
    assert first in choices
    answer = bring(clerk, number, **{f"brought_{first}": "1", f"form_{first}": "copy"})
    assert answer.status_code == 303
    after = status_of(staff, number)
    assert after["status"] == "received" and after["correction"] is None
    brought = after["materials"][-1]
    assert brought["name"] == choices[first] and brought["supplied"] and brought["form"] == "copy"
    assert after["timeline"][-1]["note"] == f"窗口补交：{choices[first]}"
    page = case_page(clerk, number)
    assert 'id="accept"' in page and 'id="brought"' not in page  # to be accepted again; nothing to bring


def test_bad_counter_records_are_refused_and_change_nothing(browser, terminal, staff, food_guide):
    case = submitted(terminal, food_guide, defer=True)
    number = case["number"]
    clerk = browser("clerk01")
    assert 'id="brought"' not in case_page(clerk, number)  # received: a 容缺 material waits for acceptance
    assert bring(clerk, number, brought_1="1").status_code == 409
    assert staff("clerk01").act(number, "accept").status_code == 200
    index = next(iter(offered(case_page(clerk, number))))
    nothing = bring(clerk, number, **{f"form_{index}": "original"})
    assert nothing.status_code == 422 and "请勾选申请人带来的材料" in nothing.text
    stale = clerk.post(f"/console/cases/{number}/supplement", {"csrf": "0" * 64, f"brought_{index}": "1"})
    assert stale.status_code == 403
    supervisor = browser("supervisor01")  # may open the case, not record what the counter took
    assert 'id="brought"' not in case_page(supervisor, number)
    assert bring(supervisor, number, **{f"brought_{index}": "1"}).status_code == 409
    approver = browser("approver-scjg")  # the front desk's case is not the department's yet
    assert approver.post(f"/console/cases/{number}/supplement", {"csrf": "x", f"brought_{index}": "1"}
                         ).status_code == 403
    after = status_of(staff, number)
    assert after["deferred_pending"] and [e["action"] for e in after["timeline"]] == ["submit", "accept"]


# --- rectifications of bad ratings -------------------------------------------------------------

@pytest.fixture
def bad_rating(terminal, staff, food_guide) -> dict:
    """A kiosk's case rated 非常不满意 at the window: a rectification opens."""
    number = submitted(terminal, food_guide)["number"]
    rated = staff("clerk01").post(f"/v1/cases/{number}/rating", {"level": 1, "reasons": ["等候时间长"]})
    assert rated.status_code == 201, rated.text
    return {"number": number, "id": rated.json()["rectification"]["id"]}


def rectification(staff, rect_id: int) -> dict:
    found = staff("supervisor01").get("/v1/rectifications").json()["rectifications"]
    return next(r for r in found if r["id"] == rect_id)


def work(b, rect_id: int, step: str, **fields) -> object:
    page = b.get("/console/supervision")
    assert page.status_code == 200
    return b.post(f"/console/supervision/rectifications/{rect_id}", {"csrf": csrf_of(page.text), "step": step,
                                                                     **fields})


def row_of(b, number: str) -> str:
    found = re.search(rf'<tr class="rectification" data-number="{number}" data-status="(\w+)"[^>]*>(.*?)</tr>',
                      b.get("/console/supervision").text, re.S)
    return found.group(1) if found else ""


def test_a_supervisor_calls_back_and_rectifies_from_the_dashboard(browser, staff, bad_rating):
    supervisor = browser("supervisor01")
    number, rect_id = bad_rating["number"], bad_rating["id"]
    assert row_of(supervisor, number) == "open"
    assert f'id="callback-{rect_id}"' in supervisor.get("/console/supervision").text

    answer = work(supervisor, rect_id, "callback", note="已电话回访，申请人反映窗口等候超过一小时")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/console/supervision#rectification-{rect_id}"
    assert rectification(staff, rect_id)["status"] == "called_back" and row_of(supervisor, number) == "called_back"
    last = status_of(staff, number)["timeline"][-1]
    assert last["action"] == "rectification" and last["note"] == "差评回访：已电话回访，申请人反映窗口等候超过一小时"
    assert any(e["subject"] == str(rect_id) and e["actor"] == "staff:supervisor01"
               and e["detail"]["note"].startswith("已电话回访") for e in audit_entries(staff, "rectification.callback"))

    rectified = work(supervisor, rect_id, "rectify", note="增开午间窗口，分流取号")
    assert rectified.status_code == 303 and rectified.headers["location"] == "/console/supervision#rectifications"
    done = rectification(staff, rect_id)
    assert done["status"] == "rectified" and done["response"] == "增开午间窗口，分流取号"
    assert row_of(supervisor, number) == ""  # no longer in progress
    assert "差评整改：增开午间窗口，分流取号" in supervisor.get(f"/console/cases/{number}").text
    assert status_of(staff, number)["timeline"][-1]["note_en"] == "Bad rating rectified: 增开午间窗口，分流取号"


def test_an_appeal_is_reviewed_from_the_dashboard(browser, staff, bad_rating):
    supervisor = browser("supervisor01")
    number, rect_id = bad_rating["number"], bad_rating["id"]
    appealed = staff("clerk01").post(f"/v1/rectifications/{rect_id}/appeal", {"reason": "办件已按时办结"}, key=None)
    assert appealed.status_code == 200 and appealed.json()["status"] == "appealed"
    assert status_of(staff, number)["timeline"][-1]["note"] == "差评申诉：办件已按时办结"  # the API's step too
    page = supervisor.get("/console/supervision").text
    assert f'id="review-{rect_id}"' in page and f'id="callback-{rect_id}"' not in page
    undecided = work(supervisor, rect_id, "review", note="核实")
    assert undecided.status_code == 422 and rectification(staff, rect_id)["status"] == "appealed"
    assert work(supervisor, rect_id, "review", note="核实办结记录，属实", decision="overturned").status_code == 303
    closed = rectification(staff, rect_id)
    assert closed["status"] == "closed" and closed["appeal_decision"] == "overturned"
    assert status_of(staff, number)["timeline"][-1]["note"] == "申诉复核：撤销差评：核实办结记录，属实"


def test_rectification_steps_are_the_supervisor_s_and_bad_ones_change_nothing(browser, staff, bad_rating):
    supervisor, clerk = browser("supervisor01"), browser("clerk01")
    rect_id, number = bad_rating["id"], bad_rating["number"]
    csrf = csrf_of(clerk.get("/console/welcome").text)
    assert clerk.post(f"/console/supervision/rectifications/{rect_id}",
                      {"csrf": csrf, "step": "callback", "note": "x"}).status_code == 403
    assert supervisor.post(f"/console/supervision/rectifications/{rect_id}",
                           {"csrf": "0" * 64, "step": "callback", "note": "x"}).status_code == 403
    assert work(supervisor, rect_id, "callback", note="  ").status_code == 422  # a note at every step
    assert work(supervisor, rect_id, "appeal", note="x").status_code == 400  # the applicant's step
    assert work(supervisor, rect_id, "review", note="x", decision="upheld").status_code == 409  # not appealed
    assert work(supervisor, 999999, "callback", note="x").status_code == 404
    assert rectification(staff, rect_id)["status"] == "open"
    assert [e["action"] for e in status_of(staff, number)["timeline"]] == ["submit"]
    assert work(supervisor, rect_id, "callback", note="已回访").status_code == 303
    assert work(supervisor, rect_id, "callback", note="again").status_code == 409  # once


def test_the_api_s_steps_are_written_on_the_timeline_too(staff, bad_rating):
    number, rect_id = bad_rating["number"], bad_rating["id"]
    called = staff("supervisor01").post(f"/v1/rectifications/{rect_id}/callback", {"note": "已短信回访"}, key=None)
    assert called.status_code == 200 and called.json()["status"] == "called_back"
    last = status_of(staff, number)["timeline"][-1]
    assert (last["action"], last["note"], last["note_en"]) == (
        "rectification", "差评回访：已短信回访", "Bad rating: applicant called back: 已短信回访")
    refused = staff("clerk01").post(f"/v1/rectifications/{rect_id}/rectify", {"response": "x"}, key=None)
    assert refused.status_code == 403 and rectification(staff, rect_id)["status"] == "called_back"
