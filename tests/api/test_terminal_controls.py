"""A stolen or misbehaving kiosk is cut off at once, and let back; re-registering a
terminal gives it a new secret without blanking its name and location. Over HTTP on
SQLite and PostgreSQL, and at the command line."""
from __future__ import annotations

import json
import sqlite3

from demo.embedded_backoffice import EmbeddedBackoffice
from kiosk.ops.readiness import Verdict, check_backoffice
from services.api import BackofficeClient, BackofficeRefused
from tests.api.command_line import backoffice_cli


def client(server, terminal_id: str, secret: str) -> BackofficeClient:
    return BackofficeClient(server.url, timeout=10, terminal_id=terminal_id, secret=secret)


def refusal(call) -> int:
    try:
        call()
    except BackofficeRefused as exc:
        return exc.status
    return 200


def test_a_disabled_terminal_is_refused_at_once_and_enabled_again(server, staff):
    admin = staff("admin")
    secret = admin.post("/v1/terminals", {"id": "CM-KIOSK-0088", "name": "桥头镇"}).json()["secret"]
    kiosk = client(server, "CM-KIOSK-0088", secret)
    assert refusal(kiosk.whoami) == 200
    cut = admin.put("/v1/terminals/CM-KIOSK-0088/disabled", {"disabled": True, "reason": "stolen from the hall"})
    assert cut.status_code == 200 and cut.json() == {"id": "CM-KIOSK-0088", "disabled": True,
                                                     "reason": "stolen from the hall"}
    assert refusal(kiosk.whoami) == 403
    assert refusal(lambda: kiosk.heartbeat({"devices": {}})) == 403
    check = check_backoffice(server.url, 10, credentials=("CM-KIOSK-0088", secret))  # kiosk-diag report's
    assert check.verdict is Verdict.NOT_READY and "CM-KIOSK-0088 is disabled" in check.reason
    fleet = {t["id"]: t for t in staff("supervisor01").get("/v1/terminals").json()["terminals"]}
    assert fleet["CM-KIOSK-0088"]["disabled"] and fleet["CM-KIOSK-0088"]["disabled_reason"] == "stolen from the hall"
    entries = admin.get("/v1/audit", params={"limit": 1000}).json()["entries"]
    assert any(e["action"] == "terminal.disable" and e["subject"] == "CM-KIOSK-0088" for e in entries)
    assert admin.put("/v1/terminals/CM-KIOSK-0088/disabled", {"disabled": False}).status_code == 200
    assert refusal(kiosk.whoami) == 200
    assert admin.put("/v1/terminals/CM-NOBODY/disabled", {"disabled": True}).status_code == 404
    assert staff("supervisor01").put("/v1/terminals/CM-KIOSK-0088/disabled", {"disabled": True}).status_code == 403


cli = backoffice_cli


def test_at_the_command_line_a_new_secret_keeps_the_name_and_a_terminal_is_cut_off(tmp_path):
    assert cli(tmp_path, "migrate").returncode == 0
    first = json.loads(cli(tmp_path, "register-terminal", "CM-KIOSK-0101", "--name", "永发镇便民服务中心",
                           "--location", "永发镇").stdout)
    second = json.loads(cli(tmp_path, "register-terminal", "CM-KIOSK-0101").stdout)  # a new secret only
    assert second["secret"] != first["secret"]
    with EmbeddedBackoffice(database=tmp_path / "backoffice.db", seed_demo=False) as server:
        assert refusal(lambda: client(server, "CM-KIOSK-0101", first["secret"]).heartbeat({})) == 401
        assert refusal(lambda: client(server, "CM-KIOSK-0101", second["secret"]).heartbeat({})) == 200
    done = cli(tmp_path, "disable-terminal", "CM-KIOSK-0101", "--reason", "外壳被撬")
    assert done.returncode == 0 and "disabled" in done.stdout
    with EmbeddedBackoffice(database=tmp_path / "backoffice.db", seed_demo=False) as server:
        assert refusal(lambda: client(server, "CM-KIOSK-0101", second["secret"]).heartbeat({})) == 403
    assert cli(tmp_path, "enable-terminal", "CM-KIOSK-0101").returncode == 0
    assert cli(tmp_path, "disable-terminal", "CM-NOBODY").returncode == 1
    row = sqlite3.connect(tmp_path / "backoffice.db").execute(
        "SELECT name, location, disabled FROM terminals WHERE id = 'CM-KIOSK-0101'").fetchone()
    assert row == ("永发镇便民服务中心", "永发镇", 0)
