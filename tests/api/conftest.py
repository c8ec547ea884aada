"""A fresh back office per test module, and clients that speak to it as a terminal (signed)
or as staff (bearer tokens), over real HTTP on loopback."""
from __future__ import annotations

import json
import uuid

import pytest
import requests

from demo.embedded_backoffice import EmbeddedBackoffice
from kiosk.demo import latest_code
from services.api import TerminalSignature
from tests.api.documented import DocumentedAnswers

DEMO_PASSWORD = "chengmai-demo"
TERMINAL = "CM-KIOSK-0001"


class Api:
    """requests with the back office's conventions: JSON, Idempotency-Key on POST."""

    def __init__(self, base: str, session: requests.Session):
        self.base = base
        self.http = session

    def get(self, path: str, **kw) -> requests.Response:
        return self.http.get(self.base + path, timeout=30, **kw)

    def post(self, path: str, body: dict | None = None, key: str | None = "auto", **kw) -> requests.Response:
        headers = dict(kw.pop("headers", {}))
        if key:
            headers["Idempotency-Key"] = uuid.uuid4().hex if key == "auto" else key
        return self.http.post(self.base + path, data=json.dumps(body or {}), timeout=30,
                              headers={"Content-Type": "application/json", **headers}, **kw)

    def put(self, path: str, body: dict | None = None) -> requests.Response:
        return self.http.put(self.base + path, json=body or {}, timeout=30)

    def act(self, number: str, action: str, headers: dict | None = None, **params) -> requests.Response:
        return self.post(f"/v1/cases/{number}/actions/{action}", params, key=None, headers=headers or {})


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request, tmp_path_factory):
    """Every module's tests run twice: on SQLite (the default) and on a real PostgreSQL."""
    var = tmp_path_factory.mktemp("bo")
    url = None
    if request.param == "postgresql":
        pg = request.getfixturevalue("postgres_server")
        url = pg.create_database(f"api_{request.module.__name__.rsplit('.', 1)[-1]}"[:60].lower())
    bo = EmbeddedBackoffice(database=var / "backoffice.db", log_file=var / "backoffice.log", database_url=url)
    bo.start()
    bo.kind = request.param
    yield bo
    bo.stop()


@pytest.fixture(scope="module")
def documented(server) -> DocumentedAnswers:
    """Checks each answer the clients below receive against /openapi.json."""
    return DocumentedAnswers(server.url)


@pytest.fixture(scope="module")
def terminal(server, documented) -> Api:
    session = documented.watch(requests.Session())
    session.auth = TerminalSignature(TERMINAL, server.terminal_secret_file.read_text())
    return Api(server.url, session)


@pytest.fixture(scope="module")
def staff(server, documented):
    """staff("clerk01") -> an Api signed in as that demo user."""
    cache: dict[str, Api] = {}

    def sign_in(username: str) -> Api:
        if username not in cache:
            answer = requests.post(f"{server.url}/v1/auth/token",
                                   json={"username": username, "password": DEMO_PASSWORD}, timeout=30)
            assert answer.status_code == 200, answer.text
            session = documented.watch(requests.Session())
            session.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
            cache[username] = Api(server.url, session)
        return cache[username]

    return sign_in


@pytest.fixture(scope="module")
def anonymous(server, documented) -> Api:
    return Api(server.url, documented.watch(requests.Session()))


@pytest.fixture(scope="module")
def presence(server, terminal):
    """presence(id_number) -> headers carrying a presence grant for that citizen, got as a
    kiosk gets one: a code texted to the number on file (the demo's phone), typed back."""

    def confirm(id_number: str, session_ref: str | None = None, via=None) -> dict[str, str]:
        via = via or terminal
        ref = session_ref or uuid.uuid4().hex
        sent = via.post("/v1/presence/codes", {"session": ref, "id_number": id_number}, key=None)
        assert sent.status_code == 201, sent.text
        got = via.post("/v1/presence/grants", {"session": ref, "challenge": sent.json()["challenge"],
                                               "code": latest_code(server.phone_inbox)}, key=None)
        assert got.status_code == 201, got.text
        return {"X-Presence-Grant": got.json()["grant"]}

    return confirm
