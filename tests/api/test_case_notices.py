"""Texts to the applicant as the case moves, through the real back office and the recording
provider (the demo's phone): each lifecycle step the applicant asked to hear about sends
exactly one text with its registered template and masked parameters; nothing for those who
did not ask. On SQLite and PostgreSQL (the quiet hours, the gateway's: tests/api/test_sms.py)."""
from __future__ import annotations

import datetime as dt
import re
import time

from domain.county import CST
from kiosk.demo import phone_texts
from tests.api.database import execute_sql
from tests.api.submissions import WANG, application
from tests.api.test_console import FOOD

PHONE = "13907561234"  # what submissions.application gives


def submit(terminal, staff, *, notices: bool = True, language: str = "zh_CN", defer: bool = False) -> str:
    guide = staff("clerk01").get(f"/v1/catalogue/items/{FOOD}").json()
    body = {**application(guide, WANG, defer=defer), "sms_notices": notices, "notice_language": language}
    made = terminal.post("/v1/cases", body)
    assert made.status_code == 201, made.text
    return made.json()["case"]["number"]


def sweep(staff) -> dict:
    answer = staff("supervisor01").post("/v1/supervision/sweep", key=None)
    assert answer.status_code == 200, answer.text
    return answer.json()


def texts_about(server, staff, number: str, expect: int = 0) -> list[dict]:
    """The texts the phone got about the case once every due one was handed over: the sweep
    and each server's sender thread both hand them over, so the last may come a moment
    after the sweep; awaited up to `expect` of them."""
    deadline = time.monotonic() + 20
    while True:
        sweep(staff)
        texts = [t for t in phone_texts(server.phone_inbox) if number in t["text"]]
        if len(texts) >= expect or time.monotonic() > deadline:
            return texts
        time.sleep(0.2)


def act(staff, who: str, number: str, action: str, **params) -> dict:
    done = staff(who).act(number, action, **params)
    assert done.status_code == 200, (action, done.text)
    return done.json()


def test_each_step_of_a_case_texts_once_with_its_template(server, terminal, staff):
    number = submit(terminal, staff)
    assert texts_about(server, staff, number) == []  # received: the slip says it all
    accepted = act(staff, "clerk01", number, "accept")
    act(staff, "clerk01", number, "route")
    act(staff, "approver-scjg", number, "suspend", note="现场核查")
    act(staff, "approver-scjg", number, "resume")
    act(staff, "approver-scjg", number, "approve")
    act(staff, "approver-scjg", number, "complete")
    texts = texts_about(server, staff, number, expect=5)
    assert [t["template"] for t in texts] == ["case_accepted", "case_suspended", "case_resumed", "case_approved",
                                              "case_ready"]
    promised = dt.date.fromisoformat(accepted["promised_date"])
    first = texts[0]
    assert first["phone"] == PHONE and first["params"]["number"] == number
    assert first["params"]["date"] == f"{promised.month}月{promised.day}日"
    assert first["text"].startswith("您申请的食品经营许可证核发（办件号")
    for text in texts:  # no name, no ID number, in any text
        assert WANG["name"] not in text["text"] and WANG["document_number"] not in text["text"]
        assert not re.search(r"\d{15,}", text["text"])
    assert "统一出件窗口" in texts[-1]["text"]
    # Sweeping again sends nothing more: one text per case and event.
    assert len(texts_about(server, staff, number, expect=5)) == 5
    detail = staff("clerk01").get(f"/v1/cases/{number}").json()
    assert detail["sms_notices"] is True
    # The timeline says what was texted and when, as My cases and the console show it.
    sent = [e for e in detail["timeline"] if e["action"] == "notice"]
    assert [e["note"] for e in sent][:1] == ["短信已发送至139****1234：已受理及承诺办结日期"] and len(sent) == 5
    assert sent[0]["note_en"] == "Text sent to 139****1234: accepted, with the promised date"
    assert [(n["event"], n["status"], n["receipt"], n["phone_masked"]) for n in detail["notices"]][0] == \
        ("accept", "sent", "delivered", "139****1234")


def test_a_correction_names_every_deficiency_and_its_deadline(server, terminal, staff):
    number = submit(terminal, staff)
    deficiencies = [{"material": "食品经营许可申请书", "problem": "缺少签名"},
                    {"material": "营业执照", "problem": "复印件不清晰"}]
    asked = act(staff, "clerk01", number, "request_correction", deficiencies=deficiencies, due_days=5)
    text = texts_about(server, staff, number, expect=1)[-1]
    assert text["template"] == "case_correction"
    assert text["params"]["what"] == "食品经营许可申请书、营业执照"
    due = dt.date.fromisoformat(asked["correction"]["due"])
    assert text["params"]["date"] == f"{due.month}月{due.day}日"


def test_a_refusal_and_a_denial_are_told(server, terminal, staff):
    refused = submit(terminal, staff)
    act(staff, "clerk01", refused, "refuse", note="不属于本中心受理范围")
    denied = submit(terminal, staff)
    for who, action in (("clerk01", "accept"), ("clerk01", "route"), ("approver-scjg", "deny")):
        act(staff, who, denied, action, **({"note": "经营场所不符合要求"} if action == "deny" else {}))
    assert [t["template"] for t in texts_about(server, staff, refused, expect=1)] == ["case_refused"]
    assert [t["template"] for t in texts_about(server, staff, denied, expect=2)] == ["case_accepted", "case_denied"]


def test_nothing_is_texted_to_an_applicant_who_did_not_ask(server, terminal, staff):
    number = submit(terminal, staff, notices=False)
    act(staff, "clerk01", number, "accept")
    act(staff, "clerk01", number, "route")
    assert texts_about(server, staff, number) == []
    assert staff("clerk01").get(f"/v1/cases/{number}").json()["notices"] == []


def test_a_foreign_applicant_is_texted_in_english(server, terminal, staff):
    number = submit(terminal, staff, language="en")
    act(staff, "clerk01", number, "accept")
    text = texts_about(server, staff, number, expect=1)[-1]
    assert text["text"].startswith("Your application for") and number in text["text"]
    assert re.search(r"by \d{1,2} [A-Z][a-z]{2} \d{4}\.", text["text"])


def test_a_bad_rating_announces_its_call_back(server, terminal, staff):
    number = submit(terminal, staff)
    for who, action in (("clerk01", "accept"), ("clerk01", "route"), ("approver-scjg", "approve"),
                        ("approver-scjg", "complete"), ("clerk01", "deliver")):
        act(staff, who, number, action)
    rated = staff("clerk01").post(f"/v1/cases/{number}/rating", {"level": 1, "reasons": ["态度差"]})  # at the window
    assert rated.status_code == 201, rated.text
    text = texts_about(server, staff, number, expect=4)[-1]
    assert text["template"] == "rating_callback" and text["params"]["days"] == "1"


def test_a_deferred_material_due_soon_is_reminded_once(server, terminal, staff):
    number = submit(terminal, staff, defer=True)
    act(staff, "clerk01", number, "accept")
    soon = dt.date.today() + dt.timedelta(days=1)
    execute_sql(server, "UPDATE cases SET deferred_due = :due WHERE number = :number", due=soon, number=number)
    assert sweep(staff)["sms_reminders"] >= 1
    texts = [t for t in texts_about(server, staff, number, expect=2) if t["template"] == "deferred_due_soon"]
    assert len(texts) == 1 and texts[0]["params"]["date"] == f"{soon.month}月{soon.day}日"
    # Past its due date the sweep ends the case, as the commitment says, and says so.
    execute_sql(server, "UPDATE cases SET deferred_due = :due WHERE number = :number",
                due=dt.date.today() - dt.timedelta(days=1), number=number)
    sweep(staff)
    assert texts_about(server, staff, number, expect=3)[-1]["template"] == "deferred_expired"


def test_the_console_shows_what_was_texted_and_when(server, terminal, staff):
    from tests.api.test_console import Browser

    number = submit(terminal, staff)
    act(staff, "clerk01", number, "accept")
    sweep(staff)
    supervisor = Browser(server.url)
    assert supervisor.sign_in("supervisor01").status_code == 303
    page = supervisor.get(f"/console/cases/{number}").text
    texts = page[page.index('id="texts"'):page.index('id="timeline"')]
    # 已送达: the demo phone's receipt, collected by the sweep
    assert "已受理（含承诺办结日期）" in texts and "139****1234" in texts and "已送达" in texts
    assert PHONE not in page
    silent = submit(terminal, staff, notices=False)
    assert "申请人未选择短信通知" in supervisor.get(f"/console/cases/{silent}").text


def test_an_appointment_tomorrow_is_reminded_once_when_asked(server, staff):
    clerk = staff("clerk01")
    tomorrow = dt.datetime.now(CST).date() + dt.timedelta(days=1)  # the county's tomorrow
    booked = []
    for reminder in (True, False):
        answer = clerk.post("/v1/appointments", {"item_code": FOOD, "applicant": WANG, "contact_phone": PHONE,
                                                 "slot_start": f"{tomorrow.isoformat()}T15:30:00",
                                                 "sms_reminder": reminder})
        assert answer.status_code == 201, answer.text
        booked.append(answer.json()["code"])
    refused = clerk.post("/v1/appointments", {"item_code": FOOD, "applicant": WANG, "sms_reminder": True,
                                              "slot_start": f"{tomorrow.isoformat()}T16:00:00"})
    assert refused.status_code == 422  # a reminder needs a phone to go to
    sweep(staff)
    sweep(staff)
    reminders = [t for t in phone_texts(server.phone_inbox) if t["template"] == "appointment_reminder"
                 and t["params"]["time"] == f"{tomorrow.month}月{tomorrow.day}日15:30"]
    assert len(reminders) == 1  # the one who asked, once
    assert "食品经营许可证核发" in reminders[0]["text"] and WANG["name"] not in reminders[0]["text"]
