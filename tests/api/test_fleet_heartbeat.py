"""The fleet over real HTTP: the kiosk's heartbeat worker (services/heartbeat.py) against
the back office, the fleet view it feeds, paper-out and silent-terminal alerts, commands
queued by staff and acknowledged by the terminal, uploaded diagnostics bundles, and a
terminal the back office does not know (refused, logged once, in the readiness report)."""
from __future__ import annotations

import io
import logging
import uuid
import zipfile

import pytest

from kiosk.ops.readiness import BackofficeCheck, Verdict, with_heartbeat
from services.api import BackofficeClient, BackofficeRefused
from services.heartbeat import ACCEPTED, REFUSED, HeartbeatWorker, read_state
from tests.api.database import execute_sql
from tests.waiting import wait_until


def report(media: str = "ok", pending: int = 2, parked: int = 1) -> dict:
    return {"app_version": "0.9.1", "uptime_s": 321, "heartbeat_s": 30, "outbox_length": pending + parked,
            "outbox": {"pending": pending, "parked": parked, "oldest_pending_s": 42.5},
            "devices": {"receipt_printer": {"state": "online", "media": media, "backend": "tcp",
                                            "paper_left_mm": 0 if media == "out" else 61000, "slips_left": 310},
                        "idcard": {"state": "online", "media": None, "backend": "sim"}},
            "in_service": True, "screen": "attract", "ui_responsive": True, "commands_waiting": []}


@pytest.fixture
def new_terminal(server, staff):
    """A freshly registered terminal: (id, a signed client for it)."""
    terminal_id = f"CM-T-{uuid.uuid4().hex[:8]}"
    answer = staff("admin").post("/v1/terminals", {"id": terminal_id, "name": "测试终端"})
    assert answer.status_code == 201, answer.text
    client = BackofficeClient(server.url, timeout=10, terminal_id=terminal_id, secret=answer.json()["secret"])
    yield terminal_id, client
    client.close()


@pytest.fixture
def worker_for(tmp_path):
    """A running heartbeat worker (a heartbeat at once, then only when asked); stopped afterwards."""
    started = []

    def start(client, body, **kw) -> HeartbeatWorker:
        def reported() -> dict:
            return body() if callable(body) else body

        worker = HeartbeatWorker(client, reported, interval_s=600, state_dir=tmp_path, **kw)
        started.append(worker.start())
        return worker

    yield start
    for worker in started:
        worker.stop()
        assert not worker.running, "the worker stops promptly once asked"


def another_heartbeat(worker) -> None:
    """Asks for a heartbeat and waits until its answer (or failure) was taken in: each
    one leaves a new state object."""
    previous = worker.state
    worker.beat_now()
    wait_until(lambda: worker.state is not previous, "another heartbeat")


def fleet_entry(staff, terminal_id: str) -> dict:
    terminals = staff("supervisor01").get("/v1/terminals").json()["terminals"]
    return next(t for t in terminals if t["id"] == terminal_id)


def open_alerts(staff, terminal_id: str) -> set[str]:
    alerts = staff("supervisor01").get("/v1/supervision/alerts").json()["alerts"]
    return {a["kind"] for a in alerts if a["subject"] == terminal_id}


def test_heartbeat_fills_the_fleet_view(new_terminal, worker_for, staff):
    terminal_id, client = new_terminal
    server_times = []
    worker = worker_for(client, report(), on_server_time=server_times.append)
    # The fleet view may show the heartbeat before the worker has taken in its answer.
    wait_until(lambda: worker.state is not None, "the first heartbeat's answer")
    entry = fleet_entry(staff, terminal_id)
    assert entry["last_seen_at"]
    assert worker.state.state == ACCEPTED and server_times, "the answer's server_time is handed on"
    assert entry["online"] and entry["app_version"] == "0.9.1" and entry["uptime_s"] == 321
    assert entry["outbox_length"] == 3
    assert entry["reported"]["outbox"] == {"pending": 2, "parked": 1, "oldest_pending_s": 42.5}
    assert entry["reported"]["screen"] == "attract" and entry["reported"]["in_service"] is True
    assert entry["devices"]["receipt_printer"]["paper_left_mm"] == 61000
    assert entry["alerts"] == [] and entry["commands"] == []


def test_a_heartbeat_that_changes_only_liveness_writes_only_liveness(new_terminal, staff, server):
    """Devices and the rest of the report are written when they change, not every 30 s:
    a stand-in written over the stored devices survives a beat that reports the same ones,
    while its time, uptime and outbox are written; a changed report replaces it."""
    terminal_id, client = new_terminal
    client.heartbeat(report())
    execute_sql(server, "UPDATE terminals SET devices = :marker WHERE id = :id", id=terminal_id,
                marker='{"stand_in": {"state": "untouched"}}')
    first_seen = fleet_entry(staff, terminal_id)["last_seen_at"]
    client.heartbeat({**report(pending=0, parked=0), "uptime_s": 351, "outbox_length": 0,
                      "outbox": report()["outbox"]})
    entry = fleet_entry(staff, terminal_id)
    assert entry["devices"] == {"stand_in": {"state": "untouched"}}
    assert entry["uptime_s"] == 351 and entry["outbox_length"] == 0 and entry["last_seen_at"] >= first_seen
    client.heartbeat({**report(media="low"), "uptime_s": 381})
    entry = fleet_entry(staff, terminal_id)
    assert entry["devices"]["receipt_printer"]["media"] == "low" and "stand_in" not in entry["devices"]
    assert entry["uptime_s"] == 381 and entry["outbox_length"] == 3


def test_printer_out_of_paper_raises_an_alert_until_paper_is_back(new_terminal, worker_for, staff):
    terminal_id, client = new_terminal
    paper = {"media": "out"}
    worker = worker_for(client, lambda: report(paper["media"]))
    wait_until(lambda: "paper_out" in open_alerts(staff, terminal_id), "the paper-out alert")
    assert [a["kind"] for a in fleet_entry(staff, terminal_id)["alerts"]] == ["paper_out"]
    paper["media"] = "ok"
    worker.beat_now()
    wait_until(lambda: "paper_out" not in open_alerts(staff, terminal_id), "the alert cleared by a heartbeat")


def test_a_kiosk_short_of_disk_raises_an_alert_until_space_is_back(new_terminal, worker_for, staff):
    """Before, the back office never heard how much room a kiosk had left for pages, PDFs and
    its outbox; a nearly full disk now shows in the fleet view and raises disk_low."""
    terminal_id, client = new_terminal
    free = {"mb": 300}
    worker = worker_for(client, lambda: {**report(), "disk_free_mb": free["mb"]})
    wait_until(lambda: "disk_low" in open_alerts(staff, terminal_id), "the disk-low alert")
    entry = fleet_entry(staff, terminal_id)
    assert entry["reported"]["disk_free_mb"] == 300 and [a["kind"] for a in entry["alerts"]] == ["disk_low"]
    free["mb"] = 20_000
    worker.beat_now()
    wait_until(lambda: "disk_low" not in open_alerts(staff, terminal_id), "the alert cleared by a heartbeat")
    assert fleet_entry(staff, terminal_id)["reported"]["disk_free_mb"] == 20_000


def test_a_device_down_for_minutes_raises_an_alert_not_a_blip(new_terminal, worker_for, staff):
    """Before, only paper-out and silence were alerted: a card reader or printer out of
    order for an hour went unnoticed at the back office."""
    terminal_id, client = new_terminal
    fault = {"state": "hardware_error", "not_ready_s": 20}

    def body():
        reported = report()
        reported["devices"]["idcard"].update(fault)
        return reported

    worker = worker_for(client, body)
    wait_until(lambda: worker.state is not None, "the first heartbeat's answer")
    assert "device_not_ready" not in open_alerts(staff, terminal_id)  # 20 s: a blip
    fault["not_ready_s"] = 301
    another_heartbeat(worker)
    (alert,) = [a for a in fleet_entry(staff, terminal_id)["alerts"] if a["kind"] == "device_not_ready"]
    assert "idcard" in alert["message"]
    fault.update(state="online", not_ready_s=0)
    another_heartbeat(worker)
    assert "device_not_ready" not in open_alerts(staff, terminal_id)


def test_a_silent_terminal_is_alerted_and_a_heartbeat_clears_it(new_terminal, worker_for, staff):
    terminal_id, client = new_terminal
    assert staff("supervisor01").post("/v1/supervision/sweep", key=None).status_code == 200
    assert "terminal_silent" in open_alerts(staff, terminal_id)  # registered, never heard from
    entry = fleet_entry(staff, terminal_id)
    assert not entry["online"] and [a["kind"] for a in entry["alerts"]] == ["terminal_silent"]
    worker_for(client, report())
    wait_until(lambda: "terminal_silent" not in open_alerts(staff, terminal_id), "the silence alert cleared")
    assert fleet_entry(staff, terminal_id)["online"]


def test_commands_are_delivered_acknowledged_and_shown(new_terminal, worker_for, staff):
    terminal_id, client = new_terminal
    admin = staff("admin")
    out = admin.post(f"/v1/terminals/{terminal_id}/commands", {"command": "out_of_service"}).json()
    refresh = admin.post(f"/v1/terminals/{terminal_id}/commands", {"command": "refresh_catalogue"}).json()
    received: list[dict] = []
    worker = worker_for(client, report(), on_commands=received.extend)
    wait_until(lambda: len(received) >= 2, "the queued commands")
    assert [c["command"] for c in received[:2]] == ["out_of_service", "refresh_catalogue"]
    queue = {c["id"]: c for c in fleet_entry(staff, terminal_id)["commands"]}
    assert queue[out["id"]]["delivered_at"] and queue[out["id"]]["acked_at"] is None

    sent = []
    worker.acknowledge(refresh["id"], "no catalogue cache", "unavailable", then=sent.append)
    worker.acknowledge(out["id"], "out of service", "done")
    wait_until(lambda: all(c["acked_at"] for c in fleet_entry(staff, terminal_id)["commands"]), "both acks")
    assert sent == [True]
    entry = fleet_entry(staff, terminal_id)
    queue = {c["id"]: c for c in entry["commands"]}
    assert (queue[out["id"]]["outcome"], queue[out["id"]]["result"]) == ("done", "out of service")
    assert queue[refresh["id"]]["outcome"] == "unavailable"
    assert entry["in_service"] is False
    received.clear()
    another_heartbeat(worker)
    assert received == [], "acknowledged commands are not delivered again"


def test_a_failed_command_does_not_change_the_service_state(new_terminal, staff):
    terminal_id, client = new_terminal
    command = staff("admin").post(f"/v1/terminals/{terminal_id}/commands", {"command": "out_of_service"}).json()
    client.heartbeat(report())
    with pytest.raises(BackofficeRefused) as refused:
        client.ack_command(command["id"], "x", "maybe")
    assert refused.value.status == 422
    client.ack_command(command["id"], "service state not saved: OSError", "failed")
    assert fleet_entry(staff, terminal_id)["in_service"] is True


def test_another_terminals_command_cannot_be_acknowledged(new_terminal, staff, server):
    terminal_id, _client = new_terminal
    command = staff("admin").post(f"/v1/terminals/{terminal_id}/commands", {"command": "restart"}).json()
    demo = BackofficeClient(server.url, timeout=10, terminal_id="CM-KIOSK-0001",
                            secret=server.terminal_secret_file.read_text())
    with pytest.raises(BackofficeRefused) as refused:
        demo.ack_command(command["id"], "done")
    assert refused.value.status == 404
    demo.close()


def bundle_zip(**members: str) -> bytes:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as z:
        for name, text in members.items():
            z.writestr(name, text)
    return data.getvalue()


def test_diagnostics_bundles_uploaded_listed_and_downloaded(new_terminal, staff):
    terminal_id, client = new_terminal
    command = staff("admin").post(f"/v1/terminals/{terminal_id}/commands", {"command": "upload_diagnostics"}).json()
    content = bundle_zip(**{"readiness.json": '{"verdict": "ready"}', "log-tail.jsonl": ""})
    first = client.upload_diagnostics(content, command["id"])
    assert client.upload_diagnostics(content, command["id"])["id"] == first["id"], "a retried upload is kept once"

    supervisor = staff("supervisor01")
    (listed,) = supervisor.get("/v1/terminals/diagnostics", params={"terminal": terminal_id}).json()["bundles"]
    assert (listed["id"], listed["size"], listed["command_id"]) == (first["id"], len(content), command["id"])
    download = supervisor.get(f"/v1/terminals/diagnostics/{first['id']}")
    assert download.status_code == 200 and download.content == content
    assert download.headers["content-type"] == "application/zip"
    assert staff("clerk01").get(f"/v1/terminals/diagnostics/{first['id']}").status_code == 403
    actions = {(e["action"], e["subject"]) for e in staff("admin").get(
        "/v1/audit", params={"limit": 1000, "after_id": 0}).json()["entries"]}
    assert ("terminal.diagnostics", str(first["id"])) in actions
    assert ("terminal.diagnostics.download", str(first["id"])) in actions


def test_diagnostics_uploads_are_checked(new_terminal, staff):
    from backoffice.diagnostics import MAX_BUNDLE_BYTES

    terminal_id, client = new_terminal
    with pytest.raises(BackofficeRefused) as not_zip:
        client.upload_diagnostics(b"not a zip at all")
    assert not_zip.value.status == 422
    with pytest.raises(BackofficeRefused) as too_big:
        client.upload_diagnostics(b"PK" + bytes(MAX_BUNDLE_BYTES))
    assert too_big.value.status == 413
    restart = staff("admin").post(f"/v1/terminals/{terminal_id}/commands", {"command": "restart"}).json()
    with pytest.raises(BackofficeRefused) as wrong_command:
        client.upload_diagnostics(bundle_zip(a="b"), restart["id"])
    assert wrong_command.value.status == 422
    uploaded_by_staff = staff("admin").post("/v1/terminals/diagnostics", key=None)
    assert uploaded_by_staff.status_code == 403


def test_an_unregistered_kiosk_is_refused_logged_once_and_reported(server, worker_for, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="services.heartbeat")
    unsigned = BackofficeClient(server.url, timeout=10)  # no terminal secret on this kiosk
    worker = worker_for(unsigned, report())
    wait_until(lambda: worker.state is not None, "the first heartbeat")
    another_heartbeat(worker)
    another_heartbeat(worker)
    assert worker.running, "a refusal does not end the heartbeat"
    refusals = [r for r in caplog.records if "refused" in r.getMessage()]
    assert len(refusals) == 1, "logged once, not at every beat"
    kept = read_state(tmp_path)
    assert kept.state == REFUSED and kept.detail.startswith("401")
    answering = BackofficeCheck(server.url, True, 3.0, "database sqlite", Verdict.READY, "answered in 3 ms", "")
    judged = with_heartbeat(answering, kept)
    assert judged.verdict is Verdict.NOT_READY and "heartbeat" in judged.reason
    assert "register" in judged.action
    unsigned.close()


def test_the_fleet_view_lists_every_waiting_command_and_the_last_ten_answered(new_terminal, staff, server):
    """A terminal's history runs to thousands of commands: the view shows those still
    waiting and the last ten acknowledged, the newest first."""
    terminal_id, _client = new_terminal
    admin = staff("admin")
    ids = [admin.post(f"/v1/terminals/{terminal_id}/commands", {"command": "send_outbox"}).json()["id"]
           for _ in range(14)]
    execute_sql(server, "UPDATE terminal_commands SET delivered_at = created_at, acked_at = created_at, "
                        "outcome = 'done' WHERE terminal_id = :terminal AND id <= :last",
                terminal=terminal_id, last=ids[11])
    shown = [c["id"] for c in fleet_entry(staff, terminal_id)["commands"]]
    assert shown == sorted(ids[12:] + ids[2:12], reverse=True)
