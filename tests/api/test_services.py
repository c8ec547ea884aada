"""Bundles in parallel, ratings and rectification, appointments, the terminal fleet,
calendar, audit, catalogue, and the system endpoints — over HTTP."""
from __future__ import annotations

import datetime as dt

import pytest
import requests

from domain.county import CST
from tests.api.database import execute_sql
from tests.api.submissions import WANG, application, bundle_application


# --- catalogue -------------------------------------------------------------------------------
def test_seven_windows_and_all_six_plus_one_types(anonymous):
    windows = anonymous.get("/v1/catalogue/windows").json()["windows"]
    assert [w["name"] for w in windows][:2] == ["建设工程项目审批和联合验收", "企业开办"] and len(windows) == 7
    items = anonymous.get("/v1/catalogue/items").json()["items"]
    assert len(items) >= 40
    assert {i["type"] for i in items} == {"01", "05", "07", "08", "09", "10", "20"}


@pytest.mark.parametrize("query, expected", [("spjy", "食品经营许可证核发"), ("食品经营", "食品经营许可证核发"),
                                             ("shipinjingying", "食品经营许可证核发"), ("food", "食品经营许可证核发")])
def test_search_by_chinese_pinyin_initials_and_english(anonymous, query, expected):
    names = [i["name"] for i in anonymous.get("/v1/catalogue/items", params={"q": query}).json()["items"]]
    assert expected in names


def test_filters(anonymous):
    found = anonymous.get("/v1/catalogue/items", params={"window": "W2", "audience": "company", "kiosk": "true"}).json()
    assert found["count"] > 0
    assert all(i["window"] == "W2" and "company" in i["audience"] and i["kiosk"] for i in found["items"])
    licensing = anonymous.get("/v1/catalogue/items", params={"type": "01"}).json()["items"]
    assert licensing and all(i["type"] == "01" for i in licensing)


def test_guide_tells_everything_at_once(anonymous):
    guide = anonymous.get("/v1/catalogue/items/469023-XK-SCJG-0031").json()
    assert guide["legal_days"] >= guide["promised_days"]
    assert guide["department"]["name"] == "澄迈县市场监督管理局"
    assert {m["necessity"] for m in guide["materials"]} >= {"required", "deferrable"}
    assert any(m["source"] == "e_licence" for m in guide["materials"])
    assert guide["form"] and guide["fees"] is not None


def test_bundles(anonymous):
    bundles = {b["code"]: b for b in anonymous.get("/v1/catalogue/bundles").json()["bundles"]}
    assert {"开办企业一件事", "新生儿出生一件事"} <= {b["name"] for b in bundles.values()}
    assert len({i["department_code"] for i in bundles["B01"]["items"]}) >= 2


# --- bundles in parallel -----------------------------------------------------------------------
def test_a_bundle_fans_out_and_completes_when_every_part_is_decided(terminal, staff, anonymous):
    bundle = next(b for b in anonymous.get("/v1/catalogue/bundles").json()["bundles"] if b["code"] == "B04")
    guides = [anonymous.get(f"/v1/catalogue/items/{i['code']}").json() for i in bundle["items"]]
    answer = terminal.post("/v1/cases", bundle_application(guides, "B04"))
    assert answer.status_code == 201, answer.text
    number = answer.json()["case"]["number"]
    clerk = staff("clerk01")
    clerk.act(number, "accept")
    routed = clerk.act(number, "route").json()
    assert {p["status"] for p in routed["parts"]} == {"in_review"}
    departments = {p["department_code"] for p in routed["parts"]}
    assert departments == {"RS", "JY"}
    assert routed["item_name_en"] == bundle["name_en"]
    assert all(p["item_name_en"] for p in routed["parts"])
    assert routed["department_en"] == ("Chengmai County Bureau of Human Resources and Social Security; "
                                       "Chengmai County Education Bureau")
    assert routed["timeline"][-1]["note_en"] == "Parallel review: " + routed["department_en"]
    rs_parts = [p["item_code"] for p in routed["parts"] if p["department_code"] == "RS"]
    jy_parts = [p["item_code"] for p in routed["parts"] if p["department_code"] == "JY"]
    assert staff("approver-jy").act(number, "approve", part=rs_parts[0]).status_code == 403
    for code in rs_parts:
        state = staff("approver-rs").act(number, "approve", part=code).json()
        assert state["status"] == "in_review"  # waits for the education bureau
    final = staff("approver-jy").act(number, "approve", part=jy_parts[0]).json()
    assert final["status"] == "decided" and final["decision"] == "approved"
    assert staff("approver-jy").act(number, "approve", part=jy_parts[0]).status_code == 409


# --- ratings -------------------------------------------------------------------------------------
def _fresh_case(terminal, anonymous, code="469023-GG-RS-0033"):
    guide = anonymous.get(f"/v1/catalogue/items/{code}").json()
    return terminal.post("/v1/cases", application(guide)).json()["case"]["number"]


def test_one_rating_per_case(terminal, anonymous, presence):
    number = _fresh_case(terminal, anonymous)
    wang = presence(WANG["document_number"])
    assert terminal.post(f"/v1/cases/{number}/rating", {"level": 5}).status_code == 403  # not on the secret alone
    first = terminal.post(f"/v1/cases/{number}/rating", {"level": 5}, headers=wang)
    assert first.status_code == 201 and first.json()["label"] == "非常满意" and first.json()["rectification"] is None
    second = terminal.post(f"/v1/cases/{number}/rating", {"level": 4}, headers=wang)
    assert second.status_code == 409


def test_bad_rating_needs_a_reason_and_opens_a_rectification(terminal, staff, anonymous, presence):
    number = _fresh_case(terminal, anonymous)
    wang = presence(WANG["document_number"])
    assert terminal.post(f"/v1/cases/{number}/rating", {"level": 1}, headers=wang).status_code == 422
    rated = terminal.post(f"/v1/cases/{number}/rating", {"level": 1, "reasons": ["办理时间长"], "comment": "等太久"},
                          headers=wang)
    assert rated.status_code == 201
    rect = rated.json()["rectification"]
    assert rect["status"] == "open" and rect["callback_due"] < rect["rectify_due"]
    supervisor = staff("supervisor01")
    rid = rect["id"]
    assert staff("clerk01").post(f"/v1/rectifications/{rid}/callback", key=None).status_code == 403
    assert supervisor.post(f"/v1/rectifications/{rid}/callback", key=None).json()["status"] == "called_back"
    assert supervisor.post(f"/v1/rectifications/{rid}/rectify", {}, key=None).status_code == 422
    done = supervisor.post(f"/v1/rectifications/{rid}/rectify", {"response": "已优化审批流程"}, key=None).json()
    assert done["status"] == "rectified"
    appealed = terminal.post(f"/v1/rectifications/{rid}/appeal", {"reason": "评价系误操作"}, key=None,
                             headers=wang).json()
    assert appealed["status"] == "appealed"
    reviewed = supervisor.post(f"/v1/rectifications/{rid}/review", {"decision": "overturned"}, key=None).json()
    assert reviewed["status"] == "closed"
    listed = supervisor.get("/v1/rectifications").json()["rectifications"]
    assert any(r["id"] == rid for r in listed)


def test_invalid_level(terminal, anonymous):
    number = _fresh_case(terminal, anonymous)
    assert terminal.post(f"/v1/cases/{number}/rating", {"level": 6}).status_code == 422


# --- appointments ----------------------------------------------------------------------------------
def test_appointment_check_in_gives_a_ticket(terminal, staff):
    slot = (dt.datetime.now(CST) + dt.timedelta(minutes=20)).replace(microsecond=0).isoformat()
    booked = staff("clerk01").post("/v1/appointments", {"item_code": "469023-XK-SCJG-0002", "applicant": WANG,
                                                         "slot_start": slot})
    assert booked.status_code == 201, booked.text
    token = booked.json()["token"]
    checked = terminal.post("/v1/appointments/check-in", {"token": token}, key=None).json()
    assert checked["status"] == "checked_in" and checked["ticket_number"].startswith("B")
    assert checked["window"] == "企业开办"
    # English names beside the Chinese, for a ticket printed on an English screen.
    assert checked["window_en"] == "Starting a business"
    assert (checked["item_name"], checked["item_name_en"]) == ("企业设立登记", "Registering a new enterprise")
    again = terminal.post("/v1/appointments/check-in", {"token": token}, key=None).json()
    assert again["already"] and again["ticket_number"] == checked["ticket_number"]
    assert again["window_en"] == "Starting a business"


def test_forged_appointment_code_is_refused(terminal, staff):
    slot = (dt.datetime.now(CST) + dt.timedelta(minutes=10)).replace(microsecond=0).isoformat()
    token = staff("clerk01").post("/v1/appointments", {"item_code": "469023-XK-SCJG-0002", "applicant": WANG,
                                                       "slot_start": slot}).json()["token"]
    prefix, payload, signature = token.split(".")
    forged = ".".join((prefix, payload, signature[:-4] + ("AAAA" if signature[-4:] != "AAAA" else "BBBB")))
    answer = terminal.post("/v1/appointments/check-in", {"token": forged}, key=None)
    assert answer.status_code == 422 and "bad signature" in answer.json()["detail"]
    assert terminal.post("/v1/appointments/check-in", {"token": "garbage"}, key=None).status_code == 422


def test_check_in_outside_the_window_is_refused(terminal, staff):
    slot = (dt.datetime.now(CST) + dt.timedelta(days=2)).replace(microsecond=0).isoformat()
    token = staff("clerk01").post("/v1/appointments", {"item_code": "469023-XK-SCJG-0002", "applicant": WANG,
                                                       "slot_start": slot}).json()["token"]
    assert terminal.post("/v1/appointments/check-in", {"token": token}, key=None).status_code == 409


# --- terminals -------------------------------------------------------------------------------------
def test_register_heartbeat_command_and_alerts(server, staff):
    from services.api import TerminalSignature

    admin = staff("admin")
    registered = admin.post("/v1/terminals", {"id": "CM-KIOSK-0042", "name": "老城镇便民服务中心"})
    assert registered.status_code == 201
    secret = registered.json()["secret"]
    kiosk = requests.Session()
    kiosk.auth = TerminalSignature("CM-KIOSK-0042", secret)
    beat = kiosk.post(f"{server.url}/v1/terminals/heartbeat", json={
        "app_version": "0.2.0", "uptime_s": 120, "outbox_length": 3,
        "devices": {"receipt_printer": {"state": "online", "media": "out"}}}, timeout=10).json()
    assert beat["commands"] == [] and beat["in_service"]
    alerts = staff("supervisor01").get("/v1/supervision/alerts").json()["alerts"]
    assert any(a["kind"] == "paper_out" and a["subject"] == "CM-KIOSK-0042" for a in alerts)

    queued = admin.post("/v1/terminals/CM-KIOSK-0042/commands", {"command": "out_of_service"}, key="cmd-1")
    assert queued.status_code == 201
    retried = admin.post("/v1/terminals/CM-KIOSK-0042/commands", {"command": "out_of_service"}, key="cmd-1")
    assert retried.json()["id"] == queued.json()["id"]  # a retried click queues it once
    assert admin.post("/v1/terminals/CM-KIOSK-0042/commands", {"command": "format_disk"}).status_code == 422
    beat = kiosk.post(f"{server.url}/v1/terminals/heartbeat", json={"devices": {}}, timeout=10).json()
    (command,) = beat["commands"]
    assert command["command"] == "out_of_service"
    assert kiosk.post(f"{server.url}/v1/terminals/commands/{command['id']}/ack", json={"result": "ok"},
                      timeout=10).status_code == 200
    fleet = {t["id"]: t for t in staff("supervisor01").get("/v1/terminals").json()["terminals"]}
    assert fleet["CM-KIOSK-0042"]["in_service"] is False and fleet["CM-KIOSK-0042"]["outbox_length"] == 0
    alerts = staff("supervisor01").get("/v1/supervision/alerts").json()["alerts"]
    assert not any(a["kind"] == "paper_out" and a["subject"] == "CM-KIOSK-0042" for a in alerts)


# --- calendar, audit, system ---------------------------------------------------------------------------
def test_working_days_and_the_unknown_year(anonymous, staff):
    days = anonymous.get("/v1/calendar/working-days", params={"start": "2026-09-28", "end": "2026-10-09"}).json()
    assert "2026-10-01" not in days["working_days"] and "2026-09-28" in days["working_days"]
    unknown = anonymous.get("/v1/calendar/working-days", params={"start": "2035-01-01", "end": "2035-01-31"})
    assert unknown.status_code == 422 and unknown.json()["year"] == 2035
    # A day set by hand does not make the year known: only an imported arrangement does.
    admin = staff("admin")
    assert admin.put("/v1/calendar/overrides/2035-01-01", {"working": False, "reason": "元旦"}).status_code == 200
    assert anonymous.get("/v1/calendar/working-days",
                         params={"start": "2035-01-01", "end": "2035-01-07"}).status_code == 422


def test_audit_chain_is_intact_and_detects_tampering(server, staff):
    admin = staff("admin")
    verdict = admin.get("/v1/audit/verify").json()
    assert verdict["intact"] and verdict["checked"] > 10
    entries = admin.get("/v1/audit", params={"limit": 5}).json()["entries"]
    assert entries and all(e["hash"] for e in entries)
    execute_sql(server, "UPDATE audit_log SET action = 'case.erased' WHERE id = 3")
    broken = admin.get("/v1/audit/verify").json()
    assert not broken["intact"] and broken["first_broken_id"] == 3
    execute_sql(server, "UPDATE audit_log SET action = :a WHERE id = 3", a=entries[2]["action"])  # put it back
    assert admin.get("/v1/audit/verify").json()["intact"]


def test_supervision_summary(staff):
    departments = staff("supervisor01").get("/v1/supervision/summary").json()["departments"]
    by_code = {d["department_code"]: d for d in departments}
    assert by_code["RS"]["completed"] >= 1 and by_code["RS"]["on_time_rate"] is not None


def test_system_endpoints(anonymous):
    assert anonymous.get("/health").json()["status"] == "ok"
    ready = anonymous.get("/ready").json()
    assert ready["ready"] and ready["revision"] == ready["head"]
    spec = anonymous.get("/openapi.json").json()
    assert "/v1/cases" in spec["paths"] and "/v1/terminals/heartbeat" in spec["paths"]
    metrics = anonymous.get("/metrics").text
    assert 'backoffice_requests_total{method="GET",route="/health",status="200"}' in metrics
    assert "469023" not in metrics  # route templates only, never concrete case numbers


def test_metrics_carry_the_fleet_alerts_cases_calendar_and_sweep(server, staff):
    """What an operator's alert rules read (deploy/prometheus/chengmai-alerts.yml)."""
    assert staff("supervisor01").post("/v1/supervision/sweep", {}, key=None).status_code == 200
    text = requests.get(f"{server.url}/metrics", timeout=10).text
    for series in ('backoffice_terminals{state="in_service"}', 'backoffice_terminals{state="silent"}',
                   'backoffice_terminals{state="disabled"}', 'backoffice_kiosk_outbox_items{state="pending"}',
                   "backoffice_cases_overdue ", "backoffice_calendar_horizon_days ",
                   "backoffice_calendar_next_year_known "):
        assert series in text, series
    swept = next(line for line in text.splitlines() if line.startswith("backoffice_sweep_last_run_timestamp_seconds "))
    assert float(swept.split()[1]) > 1.7e9
    assert "# TYPE backoffice_alerts_open gauge" in text
