"""A terminal's secret rotated with an overlap, over HTTP: the old secret keeps signing
until the new one is first used (or the overlap ends), an answer lost on the way does
not cut the kiosk off, and a rotation is audited."""
from __future__ import annotations

import json
import uuid

import pytest
import requests

from services.api import BackofficeClient, BackofficeRefused, TerminalSignature
from tests.api.command_line import backoffice_cli
from tests.api.database import execute_sql


@pytest.fixture
def new_terminal(server, staff):
    """A terminal of the test's own (the demo one is shared): (id, its first secret)."""
    terminal_id = f"CM-ROT-{uuid.uuid4().hex[:8]}"
    made = staff("admin").post("/v1/terminals", {"id": terminal_id, "name": "轮换测试"})
    assert made.status_code == 201, made.text
    return terminal_id, made.json()["secret"]


def signed(server, terminal_id: str, secret: str) -> BackofficeClient:
    return BackofficeClient(server.url, timeout=10, terminal_id=terminal_id, secret=secret)


def refused(client: BackofficeClient) -> int:
    with pytest.raises(BackofficeRefused) as info:
        client.whoami()
    return info.value.status


def test_the_old_secret_works_until_the_new_one_is_used(server, new_terminal):
    terminal_id, first = new_terminal
    answer = signed(server, terminal_id, first).rotate_secret()
    second = answer["secret"]
    assert second != first and answer["previous_valid_until"]
    assert signed(server, terminal_id, first).whoami()["id"] == terminal_id  # the overlap
    assert signed(server, terminal_id, second).whoami()["id"] == terminal_id  # first use ends it
    assert refused(signed(server, terminal_id, first)) == 401


def test_a_lost_answer_does_not_cut_the_kiosk_off(server, new_terminal):
    """The kiosk never got the second secret: asking again with the first keeps the first
    working and replaces the second, which nobody holds."""
    terminal_id, first = new_terminal
    lost = signed(server, terminal_id, first).rotate_secret()["secret"]
    third = signed(server, terminal_id, first).rotate_secret()["secret"]
    assert refused(signed(server, terminal_id, lost)) == 401
    assert signed(server, terminal_id, first).whoami()["id"] == terminal_id
    assert signed(server, terminal_id, third).whoami()["id"] == terminal_id
    assert refused(signed(server, terminal_id, first)) == 401


def test_the_old_secret_stops_when_the_overlap_ends(server, new_terminal):
    terminal_id, first = new_terminal
    signed(server, terminal_id, first).rotate_secret()
    execute_sql(server, "UPDATE terminals SET secret_previous_until = :past WHERE id = :id",
                past="2020-01-01 00:00:00", id=terminal_id)
    assert refused(signed(server, terminal_id, first)) == 401


def test_a_rotation_is_audited_and_the_secret_is_not_kept_in_clear(server, new_terminal, staff):
    from tests.api.database import stored_bytes

    terminal_id, first = new_terminal
    second = signed(server, terminal_id, first).rotate_secret()["secret"]
    entries = staff("admin").get("/v1/audit", params={"limit": 1000}).json()["entries"]
    assert any(e["action"] == "terminal.rotate_secret" and e["subject"] == terminal_id for e in entries)
    assert second.encode() not in stored_bytes(server)


def test_an_administrator_rotates_from_the_command_line(server, new_terminal):
    terminal_id, first = new_terminal
    database = {"BACKOFFICE_DATABASE_URL": server.database_url}
    done = backoffice_cli(server.database.parent, "rotate-terminal-secret", terminal_id, env_extra=database)
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert printed["id"] == terminal_id and printed["previous_valid_until"]
    assert signed(server, terminal_id, first).whoami()["id"] == terminal_id
    assert signed(server, terminal_id, printed["secret"]).whoami()["id"] == terminal_id
    missing = backoffice_cli(server.database.parent, "rotate-terminal-secret", "CM-NO-SUCH", env_extra=database)
    assert missing.returncode == 1 and "no terminal CM-NO-SUCH" in missing.stderr


def beat(client: BackofficeClient) -> int:
    """A heartbeat's status: on PostgreSQL its signature is checked against the secret the
    server process remembers from the terminal's last request, and its statement then
    checks that secret is still the terminal's (auth.KnownSecrets, ReplayGuard)."""
    try:
        client.heartbeat({"uptime_s": 1, "outbox_length": 0, "devices": {}})
        return 200
    except BackofficeRefused as refused:
        return refused.status


def ask(client: BackofficeClient) -> int:
    """Any other signed request's status (GET /v1/terminals/me): checked from memory too,
    its nonce then written on its own by a statement that checks the same."""
    try:
        client.whoami()
        return 200
    except BackofficeRefused as refused:
        return refused.status


@pytest.fixture(params=[beat, ask], ids=["heartbeat", "other"])
def send(request):
    return request.param


def test_a_remembered_secret_is_still_checked_against_the_database(server, new_terminal, send):
    terminal_id, first = new_terminal
    assert send(signed(server, terminal_id, first)) == 200  # remembered from here on
    second = signed(server, terminal_id, first).rotate_secret()["secret"]
    assert send(signed(server, terminal_id, first)) == 200  # the overlap, though no longer the current one
    assert send(signed(server, terminal_id, second)) == 200  # first use of the new one ends the overlap
    assert send(signed(server, terminal_id, first)) == 401
    assert send(signed(server, terminal_id, second)) == 200
    # An administrator rotates it from the command line (another process) with no overlap:
    # the remembered one is refused at once, the new one taken.
    done = backoffice_cli(server.database.parent, "rotate-terminal-secret", terminal_id, env_extra={
        "BACKOFFICE_DATABASE_URL": server.database_url, "BACKOFFICE_TERMINAL_SECRET_OVERLAP_S": "0"})
    assert done.returncode == 0, done.stderr
    assert send(signed(server, terminal_id, second)) == 401
    assert send(signed(server, terminal_id, json.loads(done.stdout)["secret"])) == 200


def test_a_terminal_disabled_after_its_last_request_is_refused_at_once(server, new_terminal, staff, send):
    terminal_id, first = new_terminal
    client = signed(server, terminal_id, first)
    assert send(client) == 200
    admin = staff("admin")
    assert admin.put(f"/v1/terminals/{terminal_id}/disabled", {"disabled": True, "reason": "测试"}).status_code == 200
    assert send(client) == 403
    assert admin.put(f"/v1/terminals/{terminal_id}/disabled", {"disabled": False}).status_code == 200
    assert send(client) == 200


def test_a_request_replayed_on_a_remembered_secret_is_refused(server, new_terminal, send):
    terminal_id, first = new_terminal
    client = signed(server, terminal_id, first)
    assert send(client) == 200
    if send is beat:
        request = requests.Request("POST", f"{server.url}/v1/terminals/heartbeat", json={"uptime_s": 2},
                                   auth=TerminalSignature(terminal_id, first))
    else:
        request = requests.Request("GET", f"{server.url}/v1/terminals/me", auth=TerminalSignature(terminal_id, first))
    with requests.Session() as http:
        prepared = request.prepare()
        assert http.send(prepared, timeout=10).status_code == 200
        assert http.send(prepared, timeout=10).status_code == 401
