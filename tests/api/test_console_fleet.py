"""The fleet pages of the console over real HTTP: a terminal heartbeats over the signed API
and shows up with its devices, a silent one is flagged by the back office's own rule, a
command queued from the console reaches the kiosk's next heartbeat, disabling from the
console makes the terminal's next signed call answer 403, the diagnostics bundle is handed
out and audited; clerks and stale forms are refused. On SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
import io
import re
import time
import uuid
import zipfile

import pytest

from backoffice.console.fleet import _covered
from services.api import BackofficeClient, BackofficeRefused
from tests.api.database import execute_sql
from tests.api.test_console import audit_entries, browser, csrf_of  # noqa: F401  (browser: a fixture)

pytestmark = pytest.mark.usefixtures("server")


def report(media: str = "ok") -> dict:
    return {"app_version": "0.9.7", "uptime_s": 60, "heartbeat_s": 30, "outbox_length": 4,
            "outbox": {"pending": 3, "parked": 1, "oldest_pending_s": 12.0}, "disk_free_mb": 20480,
            "catalogue_version": 1,
            "devices": {"receipt_printer": {"state": "online", "media": media, "backend": "tcp"},
                        "idcard": {"state": "online", "media": None, "backend": "sim"}},
            "in_service": True, "screen": "attract", "ui_responsive": True, "commands_waiting": []}


@pytest.fixture
def kiosk(server, staff):
    """A freshly registered terminal and a signed client for it: (id, client)."""
    terminal_id = f"CM-F-{uuid.uuid4().hex[:8]}"
    answer = staff("admin").post("/v1/terminals", {"id": terminal_id, "name": "大厅一号机", "location": "一楼大厅"})
    assert answer.status_code == 201, answer.text
    client = BackofficeClient(server.url, timeout=10, terminal_id=terminal_id, secret=answer.json()["secret"])
    yield terminal_id, client
    client.close()


def row_of(html: str, terminal_id: str) -> str:
    found = re.search(rf'<tr class="terminal[^"]*" data-terminal="{re.escape(terminal_id)}">(.*?)</tr>', html, re.S)
    assert found, f"{terminal_id} is on the fleet page"
    return found.group(0)


def terminal_page(b, terminal_id: str) -> str:
    page = b.get(f"/console/fleet/{terminal_id}")
    assert page.status_code == 200, page.text
    return page.text


def test_a_heartbeating_terminal_shows_with_its_devices(kiosk, browser):
    terminal_id, client = kiosk
    client.heartbeat(report(media="low"))
    page = browser("supervisor01").get("/console/fleet")
    assert page.status_code == 200 and "终端管理" in page.text
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    row = row_of(page.text, terminal_id)
    assert 'class="terminal silent"' not in row and "心跳中断" not in row
    assert "大厅一号机" in row and "一楼大厅" in row and "服务中" in row
    assert "凭条打印机" in row and "身份证阅读器" in row and "正常" in row
    assert "receipt_printer" not in row and "online" not in row  # the staff's words, not the kiosk's keys
    assert "将尽" in row  # the paper running low
    assert ">4 " in row and "搁置 1 件" in row and "20.0 GB" in row and "0.9.7" in row
    assert "100.0%" in row  # in service since it was registered a moment ago
    details = terminal_page(browser("supervisor01"), terminal_id)
    assert "凭条打印机" in details and "receipt_printer" in details and "暂无指令" in details
    assert 'action="/console/fleet/' not in details  # a supervisor sees, an admin changes


def test_a_silent_terminal_is_flagged(kiosk, browser):
    terminal_id, _ = kiosk  # registered, never heard from
    row = row_of(browser("supervisor01").get("/console/fleet").text, terminal_id)
    assert 'class="terminal silent"' in row and "心跳中断" in row and "从未" in row


def test_a_command_queued_in_the_console_reaches_the_next_heartbeat(kiosk, browser, staff):
    terminal_id, client = kiosk
    client.heartbeat(report())
    admin = browser("admin")
    form = {"csrf": csrf_of(terminal_page(admin, terminal_id)), "command": "send_outbox", "argument": ""}
    queued = admin.post(f"/console/fleet/{terminal_id}/commands", form)
    assert queued.status_code == 303 and queued.headers["location"] == f"/console/fleet/{terminal_id}"
    assert "待送达" in terminal_page(admin, terminal_id)
    (command,) = client.heartbeat(report())["commands"]
    assert command["command"] == "send_outbox"
    assert "已送达" in terminal_page(admin, terminal_id)
    client.ack_command(command["id"], "sent 3", "done")
    page = terminal_page(admin, terminal_id)
    assert "已确认：已完成" in page and "sent 3" in page
    assert any(e["subject"] == terminal_id and e["actor"] == "staff:admin" and e["detail"]["command"] == "send_outbox"
               for e in audit_entries(staff, "terminal.command"))  # as if queued over the API
    update = admin.post(f"/console/fleet/{terminal_id}/commands",
                        {**form, "command": "update", "argument": "9.9.9"})
    assert update.status_code == 422 and "已发布的版本" in update.text  # no such release
    assert client.heartbeat(report())["commands"] == []


def test_disabling_in_the_console_refuses_the_terminal(kiosk, browser, staff):
    terminal_id, client = kiosk
    client.heartbeat(report())
    admin = browser("admin")
    csrf = csrf_of(terminal_page(admin, terminal_id))
    no_reason = admin.post(f"/console/fleet/{terminal_id}/disabled", {"csrf": csrf, "disabled": "1", "reason": ""})
    assert no_reason.status_code == 422
    client.heartbeat(report())  # still in
    off = admin.post(f"/console/fleet/{terminal_id}/disabled",
                     {"csrf": csrf, "disabled": "1", "reason": "机身被撬"})
    assert off.status_code == 303
    with pytest.raises(BackofficeRefused) as refused:
        client.heartbeat(report())
    assert refused.value.status == 403
    page = terminal_page(admin, terminal_id)
    assert "已停用" in page and "机身被撬" in page and 'id="enable"' in page
    assert any(e["subject"] == terminal_id and e["actor"] == "staff:admin" and e["detail"]["reason"] == "机身被撬"
               for e in audit_entries(staff, "terminal.disable"))
    back = admin.post(f"/console/fleet/{terminal_id}/disabled", {"csrf": csrf, "disabled": "0", "reason": "已修复"})
    assert back.status_code == 303
    assert client.heartbeat(report())["in_service"] is True


def test_the_latest_diagnostics_bundle_is_downloaded_and_audited(kiosk, browser, staff):
    terminal_id, client = kiosk
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as z:
        z.writestr("readiness.json", '{"verdict": "ready"}')
    stored = client.upload_diagnostics(data.getvalue())
    b = browser("supervisor01")
    link = f"/console/fleet/{terminal_id}/diagnostics/{stored['id']}"
    assert f'href="{link}"' in terminal_page(b, terminal_id)
    download = b.get(link)
    assert download.status_code == 200 and download.content == data.getvalue()
    assert download.headers["content-type"] == "application/zip"
    assert f"diagnostics-{terminal_id}-" in download.headers["content-disposition"]
    assert any(e["subject"] == str(stored["id"]) and e["actor"] == "staff:supervisor01"
               for e in audit_entries(staff, "terminal.diagnostics.download"))
    assert b.get(f"/console/fleet/CM-KIOSK-0001/diagnostics/{stored['id']}").status_code == 404  # not its bundle


def test_clerks_and_supervisors_are_refused_what_their_role_may_not(kiosk, browser):
    terminal_id, client = kiosk
    clerk = browser("clerk01")
    assert clerk.get("/console/fleet").status_code == 403
    assert clerk.get(f"/console/fleet/{terminal_id}").status_code == 403
    refused = clerk.post(f"/console/fleet/{terminal_id}/commands", {"csrf": clerk.csrf(), "command": "restart"})
    assert refused.status_code == 403
    supervisor = browser("supervisor01")
    for path, form in ((f"/console/fleet/{terminal_id}/commands", {"command": "restart"}),
                       (f"/console/fleet/{terminal_id}/disabled", {"disabled": "1", "reason": "x"})):
        assert supervisor.post(path, {"csrf": supervisor.csrf(), **form}).status_code == 403  # admins only
    assert client.heartbeat(report())["commands"] == [] and client.heartbeat(report())["in_service"]
    assert browser().get("/console/fleet").status_code == 303  # unsigned: to the sign-in


def test_a_stale_csrf_token_is_refused(kiosk, browser):
    terminal_id, client = kiosk
    admin = browser("admin")
    stale = csrf_of(terminal_page(admin, terminal_id))
    assert admin.sign_in("admin").status_code == 303  # a new session: the old form's token is stale
    for path, form in ((f"/console/fleet/{terminal_id}/commands", {"command": "restart"}),
                       (f"/console/fleet/{terminal_id}/disabled", {"disabled": "1", "reason": "stale"})):
        assert admin.post(path, {"csrf": stale, **form}).status_code == 403
        assert admin.post(path, form).status_code == 403
    assert client.heartbeat(report())["commands"] == []  # nothing queued, not disabled


def test_availability_and_time_to_repair_come_from_the_alerts(kiosk, browser, staff):
    """Registered and never heard from, the sweep finds it silent; its first heartbeat
    clears the alert: that stretch is out of service, and one repair."""
    terminal_id, client = kiosk
    assert staff("supervisor01").post("/v1/supervision/sweep", key=None).status_code == 200
    time.sleep(1.2)
    client.heartbeat(report())
    row = row_of(browser("supervisor01").get("/console/fleet").text, terminal_id)
    share = float(re.search(r"([0-9.]+)%", row).group(1))
    assert 0 < share < 100 and "1 分钟" in row
    assert "已解除告警 1 条" in terminal_page(browser("supervisor01"), terminal_id)


def test_outage_periods_count_once_where_they_overlap():
    t0 = dt.datetime(2026, 12, 1)
    hours = [(t0 + dt.timedelta(hours=a), t0 + dt.timedelta(hours=b)) for a, b in ((1, 3), (2, 4), (6, 7), (5, 5))]
    assert _covered(hours, t0) == 4 * 3600


def test_a_terminal_switched_off_before_the_week_counts_as_out_all_week(kiosk, browser, server):
    """Availability looks back a week; of the switches before it only the last one says
    whether the terminal was out when the week began (the rest are history)."""
    terminal_id, client = kiosk
    client.heartbeat(report())

    def days_ago(n: int) -> dt.datetime:
        return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - dt.timedelta(days=n)

    def acknowledged(command: str, days: int) -> None:
        execute_sql(server, "INSERT INTO terminal_commands (terminal_id, command, created_at, created_by, "
                            "delivered_at, acked_at, result, outcome, argument) VALUES (:terminal, :command, :at, "
                            "'管理员', :at, :at, '', 'done', '')", terminal=terminal_id, command=command,
                    at=days_ago(days))

    def availability() -> float:
        row = row_of(browser("supervisor01").get("/console/fleet").text, terminal_id)
        return float(re.search(r"([0-9.]+)%", row).group(1))

    execute_sql(server, "UPDATE terminals SET registered_at = :at WHERE id = :terminal", at=days_ago(30),
                terminal=terminal_id)
    for command, days in (("out_of_service", 20), ("in_service", 15), ("out_of_service", 10)):
        acknowledged(command, days)
    assert availability() == 0.0
    acknowledged("in_service", 9)
    assert availability() == 100.0
