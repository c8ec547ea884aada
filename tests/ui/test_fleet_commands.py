"""The running kiosk in the fleet: its heartbeat reaches the real back office (devices,
paper, outbox, screen), and commands staff queue there are carried out on the offscreen
kiosk and acknowledged: out of service (the citizens' notice) and back, never in the
middle of a citizen's session, restart through exit code 75, refresh_catalogue through
the kiosk's catalogue copy (and no success faked without one), upload_diagnostics as a
bundle staff can download with nothing personal in clear. Each test leaves the kiosk in
service on the attract screen: the UI tests share one app."""
from __future__ import annotations

import io
import json
import time
import uuid
import zipfile

import pytest
import requests

from devices.printer import ReceiptPrinter
from devices.printer.emulator import PrinterEmulator
from kiosk.journeys.maintenance import EXIT_RESTART
from tests.api.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.ui

TERMINAL = "CM-KIOSK-0001"
BACKOFFICE_WAIT_S = 30.0


class Staff:
    def __init__(self, base: str, username: str):
        self.base = base
        self.http = requests.Session()
        answer = self.http.post(f"{base}/v1/auth/token", json={"username": username, "password": DEMO_PASSWORD},
                                timeout=30)
        assert answer.status_code == 200, answer.text
        self.http.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"

    def get(self, path: str, **kw) -> requests.Response:
        return self.http.get(self.base + path, timeout=30, **kw)

    def queue(self, command: str) -> int:
        answer = self.http.post(f"{self.base}/v1/terminals/{TERMINAL}/commands", json={"command": command},
                                headers={"Idempotency-Key": uuid.uuid4().hex}, timeout=30)
        assert answer.status_code == 201, answer.text
        return answer.json()["id"]

    def terminal(self) -> dict:
        return next(t for t in self.get("/v1/terminals").json()["terminals"] if t["id"] == TERMINAL)

    def command(self, command_id: int) -> dict:
        return next(c for c in self.terminal()["commands"] if c["id"] == command_id)

    def alerts(self) -> set[str]:
        return {a["kind"] for a in self.get("/v1/supervision/alerts").json()["alerts"] if a["subject"] == TERMINAL}


@pytest.fixture(scope="module")
def admin(backoffice) -> Staff:
    return Staff(backoffice.url, "admin")


@pytest.fixture
def fleet(kiosk_app, ui):
    """The app's fleet link; afterwards the kiosk is in service again, with no session."""
    journey = kiosk_app.controller.journey("maintenance")
    yield kiosk_app.fleet
    if kiosk_app.session.active:
        kiosk_app.controller.finish("test_reset")
    if not journey.service.in_service:  # a failed test must not leave the others out of service
        journey.service = journey.store.return_to_service(by="test")
        kiosk_app.navigate("attract")
    ui.wait_for_screen("attract")


@pytest.fixture
def stop_requests(kiosk_app):
    """Stopping the app, recorded instead of done: the app is shared by every UI test."""
    journey = kiosk_app.controller.journey("maintenance")
    requested: list[int] = []
    real, journey.stop_app = journey.stop_app, requested.append
    yield requested
    journey.stop_app = real


def now_and_then(check, every_s: float = 0.25):
    """`check` for ui.wait_until, asked of the back office at most every `every_s` (the
    driver polls its condition a hundred times a second)."""
    last = {"at": 0.0, "value": False}

    def throttled():
        if time.monotonic() - last["at"] >= every_s:
            last["at"], last["value"] = time.monotonic(), check()
        return last["value"]

    return throttled


def wait_for_ack(ui, admin: Staff, command_id: int) -> dict:
    ui.wait_until(now_and_then(lambda: admin.command(command_id)["acked_at"]), timeout=BACKOFFICE_WAIT_S,
                  what=f"command {command_id} acknowledged")
    return admin.command(command_id)


def test_the_heartbeat_reports_devices_paper_and_screen(kiosk_app, ui, fleet, admin):
    before = admin.terminal()["last_seen_at"]
    fleet.worker.beat_now()
    ui.wait_until(now_and_then(lambda: admin.terminal()["last_seen_at"] != before), timeout=BACKOFFICE_WAIT_S,
                  what="a heartbeat")
    terminal = admin.terminal()
    assert terminal["online"] and terminal["reported"]["screen"] == "attract"
    assert terminal["reported"]["in_service"] is True and terminal["reported"]["ui_responsive"] is True
    assert set(terminal["devices"]) >= {"idcard", "receipt_printer"}
    assert terminal["devices"]["idcard"]["state"] == "online"
    assert "paper_left_mm" in terminal["devices"]["receipt_printer"]
    assert terminal["reported"]["outbox"]["pending"] is not None


def test_a_printer_out_of_paper_raises_an_alert(kiosk_app, ui, fleet, admin):
    devices = kiosk_app.devices
    original = devices.receipt_printer
    with PrinterEmulator() as emulator:
        printer = ReceiptPrinter(emulator.uri, original.profile)
        printer.open()
        devices.receipt_printer = printer
        try:
            emulator.paper_out = True
            fleet.worker.beat_now()
            ui.wait_until(now_and_then(lambda: "paper_out" in admin.alerts()), timeout=BACKOFFICE_WAIT_S,
                          what="the paper-out alert")
            assert admin.terminal()["devices"]["receipt_printer"]["media"] == "out"
            emulator.load_paper()
            fleet.worker.beat_now()
            ui.wait_until(now_and_then(lambda: "paper_out" not in admin.alerts()), timeout=BACKOFFICE_WAIT_S,
                          what="the alert cleared with paper back")
        finally:
            devices.receipt_printer = original
            printer.close()


def test_out_of_service_from_the_back_office_and_back(kiosk_app, ui, fleet, admin):
    journey = kiosk_app.controller.journey("maintenance")
    command_id = admin.queue("out_of_service")
    fleet.worker.beat_now()
    ui.wait_for_screen("out_of_service", timeout=BACKOFFICE_WAIT_S)
    assert not journey.service.in_service and journey.store.current().in_service is False  # kept for a restart
    assert journey.service.where_else_for("zh_CN") in "\n".join(ui.visible_texts())
    acked = wait_for_ack(ui, admin, command_id)
    assert acked["outcome"] == "done" and admin.terminal()["in_service"] is False

    command_id = admin.queue("in_service")
    fleet.worker.beat_now()
    ui.wait_for_screen("attract", timeout=BACKOFFICE_WAIT_S)
    assert journey.service.in_service
    assert wait_for_ack(ui, admin, command_id)["outcome"] == "done"
    assert admin.terminal()["in_service"] is True


def test_a_command_waits_for_the_citizens_session_to_end(kiosk_app, ui, fleet, admin):
    journey = kiosk_app.controller.journey("maintenance")
    kiosk_app.demo_insert_card("wang")
    ui.wait_for_screen("home")
    command_id = admin.queue("out_of_service")
    fleet.worker.beat_now()
    ui.wait_until(lambda: fleet.commands.waiting() == ["out_of_service"], timeout=BACKOFFICE_WAIT_S,
                  what="the command received")
    fleet.worker.beat_now()  # the next heartbeat tells the back office it waits
    ui.wait_until(now_and_then(lambda: admin.terminal()["reported"]["commands_waiting"] == ["out_of_service"]),
                  timeout=BACKOFFICE_WAIT_S, what="the back office told the command waits")
    assert kiosk_app.manager.current == "home" and journey.service.in_service
    assert admin.command(command_id)["acked_at"] is None

    kiosk_app.demo_remove_card()  # the citizen leaves: the session ends
    ui.wait_for_screen("out_of_service", timeout=BACKOFFICE_WAIT_S)
    assert wait_for_ack(ui, admin, command_id)["outcome"] == "done"


def test_restart_waits_for_the_session_then_exits_75_once_acknowledged(kiosk_app, ui, fleet, admin, stop_requests):
    kiosk_app.demo_insert_card("li")
    ui.wait_for_screen("home")
    command_id = admin.queue("restart")
    fleet.worker.beat_now()
    ui.wait_until(lambda: fleet.commands.waiting() == ["restart"], timeout=BACKOFFICE_WAIT_S,
                  what="the restart received")
    ui.pump(30)
    assert stop_requests == [] and admin.command(command_id)["acked_at"] is None

    kiosk_app.demo_remove_card()
    ui.wait_until(lambda: stop_requests == [EXIT_RESTART], timeout=BACKOFFICE_WAIT_S, what="the restart")
    first_ack = admin.command(command_id)
    assert first_ack["acked_at"] and first_ack["outcome"] == "done", "acknowledged before the app stops"

    # Delivered again, as to the restarted kiosk when the acknowledgement was lost: the
    # ledger kept on disk answers, the kiosk does not restart twice.
    sent_again = []
    fleet.worker.acknowledge, real_ack = (lambda *a, **kw: sent_again.append(a)), fleet.worker.acknowledge
    fleet.commands.acknowledge = fleet.worker.acknowledge
    try:
        fleet.commands.receive([{"id": command_id, "command": "restart"}])
        ui.pump(30)
    finally:
        fleet.worker.acknowledge = fleet.commands.acknowledge = real_ack
    assert stop_requests == [EXIT_RESTART] and not fleet.commands.waiting()
    assert sent_again == [(command_id, first_ack["result"], "done")]


def test_refresh_catalogue_refreshes_the_kiosks_copy(kiosk_app, ui, fleet, admin):
    cache = kiosk_app.controller.catalogue
    before = cache.fetched_at
    command_id = admin.queue("refresh_catalogue")
    fleet.worker.beat_now()
    acked = wait_for_ack(ui, admin, command_id)
    assert acked["outcome"] == "done" and acked["result"].startswith("catalogue refreshed: windows ")
    assert cache.fetched_at is not None and cache.fetched_at != before


def test_send_outbox_sends_the_held_items_again(kiosk_app, ui, fleet, admin, backoffice):
    """An application parked at the kiosk (the back office refused it while it was broken)
    is sent again when staff queue send_outbox, without waiting for its hours."""
    from services.deliveries import APPLICATION
    from tests.api.submissions import application
    from tests.ui.staffdesk import FOOD, StaffDesk, person

    outbox = kiosk_app.controller.outbox
    applicant = person("19800707", "515", "郑平")
    guide = StaffDesk(backoffice).terminal.guide(FOOD)
    who = {"kind": "person", "document_number": applicant.document_number, "name": applicant.name}
    item = outbox.put(APPLICATION, application(guide, who), uuid.uuid4().hex, applicant=applicant.document_number)
    outbox.park(item.id, "500 Internal Server Error")
    command_id = admin.queue("send_outbox")
    fleet.worker.beat_now()
    acked = wait_for_ack(ui, admin, command_id)
    assert acked["outcome"] == "done" and acked["result"].startswith("held items sent again: 1")
    ui.wait_until(lambda: outbox.get(item.id).case_number, timeout=30, what="the held application delivered")


def test_refresh_catalogue_without_a_cache_is_not_faked(kiosk_app, ui, fleet, admin):
    hook, fleet.commands.refresh_catalogue = fleet.commands.refresh_catalogue, None
    try:
        command_id = admin.queue("refresh_catalogue")
        fleet.worker.beat_now()
        acked = wait_for_ack(ui, admin, command_id)
    finally:
        fleet.commands.refresh_catalogue = hook
    assert acked["outcome"] == "unavailable" and "no local catalogue cache" in acked["result"]


def test_upload_diagnostics_gives_staff_a_bundle_with_nothing_personal_in_clear(kiosk_app, ui, fleet, admin,
                                                                               demo_people):
    wang = demo_people["wang"]["document_number"]
    log = kiosk_app.kiosk_config.var_dir / "log" / "kiosk.jsonl"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a", encoding="utf-8") as lines:  # a number that slipped into a message
        lines.write(json.dumps({"t": "2026-12-02T10:00:00+0800", "level": "warning", "logger": "kiosk",
                                "msg": f"slip for {wang} not printed"}) + "\n")
    command_id = admin.queue("upload_diagnostics")
    fleet.worker.beat_now()
    acked = wait_for_ack(ui, admin, command_id)
    assert acked["outcome"] == "done", acked["result"]

    supervisor = Staff(admin.base, "supervisor01")
    bundles = supervisor.get("/v1/terminals/diagnostics", params={"terminal": TERMINAL}).json()["bundles"]
    (bundle,) = [b for b in bundles if b["command_id"] == command_id]
    download = supervisor.get(f"/v1/terminals/diagnostics/{bundle['id']}")
    assert download.status_code == 200
    with zipfile.ZipFile(io.BytesIO(download.content)) as z:
        assert {"readiness.json", "log-tail.jsonl", "versions.json"} <= set(z.namelist())
        assert json.loads(z.read("readiness.json"))["terminal_id"] == TERMINAL
        everything = b"".join(z.read(name) for name in z.namelist()).decode("utf-8")
    assert f"{wang[:4]}**********{wang[-4:]}" in everything  # the slipped number, masked
    for person in demo_people.values():
        assert person["document_number"] not in everything and person["name"] not in everything


def test_rotate_secret_gives_the_kiosk_a_new_secret_and_retires_the_old(kiosk_app, ui, fleet, admin, backoffice):
    """Kept on disk (0600) before use; the acknowledgement already goes out signed with
    the new one, which ends the old one's overlap: a copy of the old secret opens nothing."""
    from services.api import BackofficeClient, BackofficeRefused

    secret_file = backoffice.terminal_secret_file
    old = secret_file.read_text().strip()
    command_id = admin.queue("rotate_secret")
    fleet.worker.beat_now()
    acked = wait_for_ack(ui, admin, command_id)
    assert acked["outcome"] == "done", acked["result"]
    new = secret_file.read_text()
    assert new == new.strip() and new != old and len(new) >= 32 and secret_file.stat().st_mode & 0o077 == 0
    assert BackofficeClient(backoffice.url, terminal_id=TERMINAL, secret=new).whoami()["id"] == TERMINAL
    with pytest.raises(BackofficeRefused) as refused:
        BackofficeClient(backoffice.url, terminal_id=TERMINAL, secret=old).whoami()
    assert refused.value.status == 401
    before = admin.terminal()["last_seen_at"]
    fleet.worker.beat_now()  # the kiosk goes on, on the new secret
    ui.wait_until(now_and_then(lambda: admin.terminal()["last_seen_at"] != before), timeout=BACKOFFICE_WAIT_S,
                  what="a heartbeat on the new secret")
