"""Who may call: signed terminals (forged, replayed, stale requests refused), staff tokens
and roles, throttled logins; and no personal data at rest in clear."""
from __future__ import annotations

import json
import re
import time

import pytest
import requests
from fastapi import HTTPException

from domain import signing
from services.api import TerminalSignature
from tests.api.database import stored_bytes

WANG = "469023195801041234"


SEARCH = "/v1/cases/search"


def search_body(applicant: str = WANG) -> bytes:
    return json.dumps({"applicant": applicant}).encode()


def signed_headers(secret: str, path: str, body: bytes = b"", timestamp: int | None = None,
                   nonce: str = "n-1") -> dict:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    return {signing.HEADER_TERMINAL: "CM-KIOSK-0001", signing.HEADER_TIMESTAMP: ts, signing.HEADER_NONCE: nonce,
            signing.HEADER_SIGNATURE: signing.sign(secret, "POST", path, "", ts, nonce, body),
            "Content-Type": "application/json"}


def search(server, headers: dict, body: bytes) -> requests.Response:
    return requests.post(f"{server.url}{SEARCH}", data=body, headers=headers, timeout=10)


def test_forged_signature_is_refused(server):
    answer = search(server, signed_headers("not-the-secret", SEARCH, search_body()), search_body())
    assert answer.status_code == 401 and answer.json()["detail"] == "bad signature"


def test_replayed_request_is_refused(server, presence):
    secret = server.terminal_secret_file.read_text()
    headers = {**signed_headers(secret, SEARCH, search_body(), nonce="replay-me"), **presence(WANG)}
    first = search(server, headers, search_body())
    second = search(server, headers, search_body())
    assert first.status_code == 200
    assert second.status_code == 401 and second.json()["detail"] == "replayed request"


def test_stale_timestamp_is_refused(server):
    secret = server.terminal_secret_file.read_text()
    headers = signed_headers(secret, SEARCH, search_body(), timestamp=int(time.time()) - 3600, nonce="old")
    answer = search(server, headers, search_body())
    assert answer.status_code == 401 and "stale" in answer.json()["detail"]


def test_a_tampered_body_breaks_the_signature(server):
    secret = server.terminal_secret_file.read_text()
    headers = signed_headers(secret, SEARCH, search_body(), nonce="tamper")
    answer = search(server, headers, search_body("469023198501010026"))
    assert answer.status_code == 401


def test_terminals_may_not_use_staff_endpoints(terminal):
    assert terminal.get("/v1/supervision/summary").status_code == 403
    assert terminal.post("/v1/terminals", {"id": "CM-ROGUE-01"}).status_code == 403


def test_wrong_role_is_forbidden(staff):
    assert staff("clerk01").get("/v1/supervision/summary").status_code == 403
    assert staff("supervisor01").post("/v1/terminals", {"id": "CM-X-01"}).status_code == 403
    assert staff("approver-rs").get("/v1/audit").status_code == 403


def test_bad_token_is_unauthorized(server):
    answer = requests.get(f"{server.url}/v1/supervision/summary", headers={"Authorization": "Bearer nope"},
                          timeout=10)
    assert answer.status_code == 401


def test_repeated_failed_logins_are_throttled(server):
    url = f"{server.url}/v1/auth/token"
    codes = [requests.post(url, json={"username": "supervisor01", "password": f"wrong-{i}"}, timeout=10).status_code
             for i in range(5)]
    assert codes == [401] * 5
    # now even the right password waits
    blocked = requests.post(url, json={"username": "supervisor01", "password": "chengmai-demo"}, timeout=10)
    assert blocked.status_code == 429 and blocked.headers.get("Retry-After")


def test_no_personal_data_at_rest_in_clear(server, terminal, staff):
    terminal.post(SEARCH, {"applicant": WANG}, key=None)
    booked = staff("clerk01").post("/v1/appointments", {"item_code": "469023-XK-SCJG-0002",
                                                        "slot_start": "2026-12-01T09:00",
                                                        "applicant": {"document_number": WANG, "name": "王建国"}})
    assert booked.status_code == 201  # its idempotency record is stored too
    stored = stored_bytes(server)
    assert b"469023-0001" in stored  # the dump does hold the data
    for secret in (WANG, "王建国", "李秀英", "13807561234", server.terminal_secret_file.read_text()):
        assert secret.encode() not in stored, secret


def test_log_has_no_personal_data(server, terminal, staff):
    terminal.post(SEARCH, {"applicant": WANG}, key=None)
    # A failing insert (an over-long field) must not log its parameters.
    staff("clerk01").post("/v1/appointments", {"item_code": "469023-XK-SCJG-0002", "slot_start": "2026-12-01T09:00",
                                               "applicant": {"document_number": WANG, "name": "王" * 100}})
    log = server.log_file.read_text(errors="replace") if server.log_file.exists() else ""
    assert WANG not in log and "王王王" not in log


def test_client_signature_round_trip(server):
    session = requests.Session()
    session.auth = TerminalSignature("CM-KIOSK-0001", server.terminal_secret_file.read_text())
    answer = session.post(f"{server.url}/v1/terminals/heartbeat", json={"app_version": "t"}, timeout=10)
    assert answer.status_code == 200 and "commands" in answer.json()


def test_a_terminal_registered_over_the_api_leaves_no_secret_at_rest(server, staff):
    """The registration's answer carries the new secret once. The idempotency store kept
    that answer in clear, so the database held a working terminal secret."""
    admin = staff("admin")
    registered = admin.post("/v1/terminals", {"id": "CM-KIOSK-0077", "name": "福山镇"}, key="register-0077")
    assert registered.status_code == 201
    secret = registered.json()["secret"]
    at_rest = secret.encode() in stored_bytes(server)
    assert len(secret) >= 32 and not at_rest
    again = admin.post("/v1/terminals", {"id": "CM-KIOSK-0077", "name": "福山镇"}, key="register-0077")
    assert again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == {"id": "CM-KIOSK-0077", "secret": None}  # shown once: rotate to get another


PERSONAL_PARAMETERS = re.compile(r"applicant|document|id_?number|idno|name|phone|mobile|birth|address|passport",
                                 re.IGNORECASE)


def test_no_operation_takes_personal_data_in_its_url(anonymous):
    """URLs reach proxies' and servers' access logs: an ID number, a name or a phone number
    goes in a body. Read from /openapi.json, so a new route cannot slip one in."""
    doc = anonymous.get("/openapi.json").json()
    in_urls = [(path, method, p["name"]) for path, operations in doc["paths"].items()
               for method, operation in operations.items() for p in operation.get("parameters", [])
               if p["in"] in ("query", "path") and PERSONAL_PARAMETERS.search(p["name"])]
    assert in_urls == []


def test_the_access_log_has_each_request_by_its_path_only(server, terminal, presence):
    token = "CM1.secret-looking-token-value"
    terminal.get("/v1/track", params={"token": token})  # refused, and logged all the same
    terminal.post("/v1/cases/search", {"applicant": WANG}, key=None, headers=presence(WANG))
    log = server.log_file.read_text(errors="replace")
    requests_seen = [(e["method"], e["path"], e["status"]) for e in json_lines(log) if e["logger"] == "uvicorn.access"]
    assert ("GET", "/v1/track", 422) in requests_seen and ("POST", "/v1/cases/search", 200) in requests_seen
    assert token not in log and WANG not in log


def json_lines(log: str) -> list[dict]:
    """The server's log: one JSON object a line (what else is there came before it started)."""
    return [json.loads(line) for line in log.splitlines() if line.startswith("{")]


class FromAddress(requests.adapters.HTTPAdapter):
    """Requests from another loopback address (127.0.0.0/8 is all this machine's)."""

    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def test_an_attackers_failures_slow_the_attacker_not_the_clerk_at_another_desk(server):
    """Five wrong passwords locked the account for everyone for fifteen minutes: anyone
    could keep a clerk out. Now they slow that address (doubling waits, never a lock)."""
    url = f"{server.url}/v1/auth/token"
    attacker = requests.Session()
    attacker.mount("http://", FromAddress("127.0.0.2"))
    codes = [attacker.post(url, json={"username": "approver-rs", "password": f"guess-{i}"}, timeout=10).status_code
             for i in range(6)]
    assert codes == [401] * 5 + [429]
    retry = attacker.post(url, json={"username": "approver-rs", "password": "chengmai-demo"}, timeout=10)
    assert retry.status_code == 429 and 0 < int(retry.headers["Retry-After"]) <= 30
    clerk = requests.post(url, json={"username": "approver-rs", "password": "chengmai-demo"}, timeout=10)
    assert clerk.status_code == 200  # from her own desk


def test_an_unknown_user_costs_a_password_check_and_old_hashes_are_upgraded(tmp_path, monkeypatch):
    """The answer for an unknown name took no hashing (a quick 401 said the name was
    unknown); and staff passwords hashed before Argon2id are replaced at sign-in."""
    import hashlib
    import os

    from sqlalchemy import select

    from backoffice import auth
    from backoffice.models import Staff
    from tests.api.database import catalogued_app

    app = catalogued_app(tmp_path, monkeypatch)
    checked = []
    real_check = auth.check_password
    monkeypatch.setattr(auth, "check_password", lambda p, h: checked.append(h) or real_check(p, h))
    salt = os.urandom(16)
    legacy = f"scrypt${salt.hex()}${hashlib.scrypt(b'an-old-password', salt=salt, n=2**14, r=8, p=1, dklen=32).hex()}"
    with app.state.sessions() as session:
        session.add(Staff(username="old.hash", password_hash=legacy, role="clerk"))
        session.commit()
        with pytest.raises(HTTPException) as refused:
            auth.login(session, app.state.settings, "nobody.here", "whatever-password", "127.0.0.9")
        assert refused.value.status_code == 401
        assert len(checked) == 1 and checked[0].startswith("$argon2id$")
        auth.login(session, app.state.settings, "old.hash", "an-old-password", "127.0.0.9")
        upgraded = session.scalar(select(Staff.password_hash).where(Staff.username == "old.hash"))
        assert upgraded.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
        assert auth.check_password("an-old-password", upgraded)


def test_no_docs_page_and_metrics_only_for_the_internal_network(tmp_path, monkeypatch):
    """/docs loaded its page's scripts from a CDN; /metrics answered anyone who reached the
    API. The document stays at /openapi.json; /metrics answers the configured networks."""
    from demo.embedded_backoffice import EmbeddedBackoffice

    monkeypatch.setenv("BACKOFFICE_METRICS_FROM", "127.0.0.1/32")
    with EmbeddedBackoffice(database=tmp_path / "backoffice.db", seed_demo=False) as server:
        assert requests.get(f"{server.url}/docs", timeout=10).status_code == 404
        assert requests.get(f"{server.url}/redoc", timeout=10).status_code == 404
        assert requests.get(f"{server.url}/openapi.json", timeout=10).status_code == 200
        assert requests.get(f"{server.url}/metrics", timeout=10).status_code == 200  # from 127.0.0.1
        elsewhere = requests.Session()
        elsewhere.mount("http://", FromAddress("127.0.0.2"))
        assert elsewhere.get(f"{server.url}/metrics", timeout=10).status_code == 404
