"""The back office's log, as a county's operators read it from the journal: JSON lines at
INFO with requests by path, sign-ins and their failures, grants, refusals and sweeps, and
nothing personal: no ID number, no name, no password, not even one typed in the wrong field.
Heartbeats answered 200, a fleet's millions a day, are counted in /metrics, not logged."""
from __future__ import annotations

import json

import pytest
import requests

from demo.embedded_backoffice import EmbeddedBackoffice
from services.api import BackofficeClient
from tests.api.command_line import backoffice_cli
from tests.presence import confirm

WANG = "469023195801041234"
PASSWORD = "chengmai-demo"
TYPED_IN_THE_NAME_FIELD = "my-own-password-9"


@pytest.fixture(scope="module")
def logged(tmp_path_factory):
    """A back office taken through a day's events; its log's JSON lines."""
    var = tmp_path_factory.mktemp("bo-logs")
    with EmbeddedBackoffice(database=var / "backoffice.db", log_file=var / "backoffice.log") as server:
        token = requests.post(f"{server.url}/v1/auth/token", json={"username": "clerk01", "password": PASSWORD},
                              timeout=30)
        assert token.status_code == 200
        wrong = requests.post(f"{server.url}/v1/auth/token",
                              json={"username": TYPED_IN_THE_NAME_FIELD, "password": "x"}, timeout=30)
        assert wrong.status_code == 401
        api = BackofficeClient(server.url, terminal_id="CM-KIOSK-0001", secret=server.terminal_secret_file.read_text())
        grant = confirm(api, server.phone_inbox, WANG)
        assert api.list_cases(WANG, grant=grant)
        refused = requests.post(f"{server.url}/v1/cases/search", json={"applicant": WANG}, timeout=30)
        assert refused.status_code == 401
        api.heartbeat({"app_version": "0.1.0", "uptime_s": 60, "devices": {}})
        unsigned = requests.post(f"{server.url}/v1/terminals/heartbeat", json={"uptime_s": 1}, timeout=30)
        assert unsigned.status_code == 401
        metrics = requests.get(f"{server.url}/metrics", timeout=30).text
        swept = backoffice_cli(var, "sweep")
        assert swept.returncode == 0, swept.stderr
        sweep_log = [json.loads(line) for line in swept.stderr.splitlines() if line.startswith("{")]
    text = (var / "backoffice.log").read_text(errors="replace")
    return text, [json.loads(line) for line in text.splitlines() if line.startswith("{")] + sweep_log, metrics


def test_every_line_the_server_writes_is_json(logged):
    text, entries, _ = logged
    assert entries and all({"t", "level", "logger", "msg"} <= set(e) for e in entries)
    server_lines = [line for line in text.splitlines() if line.strip()]
    assert all(line.startswith("{") for line in server_lines), [x for x in server_lines if not x.startswith("{")][:3]


def test_the_events_an_operator_looks_for_are_there(logged):
    _, entries, _ = logged
    by_msg = {e["msg"]: e for e in entries}
    assert by_msg["staff signed in"]["account"] == "clerk01"
    assert by_msg["staff sign-in refused"]["reason"] == "password"
    assert by_msg["presence grant issued"]["evidence"] == "sms_on_file"
    assert {"path": "/v1/cases/search", "status": 401} in [{"path": e.get("path"), "status": e.get("status")}
                                                          for e in entries if e["msg"] == "request refused"]
    assert "sweep ran" in by_msg
    access = [e for e in entries if e["logger"] == "uvicorn.access"]
    assert {"method", "path", "status", "client"} <= set(access[0])


def test_a_heartbeat_answered_200_is_counted_not_logged(logged):
    _, entries, metrics = logged
    beats = [e["status"] for e in entries if e["logger"] == "uvicorn.access" and e["path"] == "/v1/terminals/heartbeat"]
    assert beats == [401]
    counted = [line for line in metrics.splitlines() if line.startswith("backoffice_requests_total{")
               and 'route="/v1/terminals/heartbeat"' in line and 'status="200"' in line]
    assert counted and float(counted[0].rsplit(" ", 1)[1]) >= 1


def test_nothing_personal_is_logged(logged):
    text, _, _ = logged
    for personal in (WANG, "王建国", TYPED_IN_THE_NAME_FIELD, PASSWORD, "13907561234"):
        assert personal not in text, personal
