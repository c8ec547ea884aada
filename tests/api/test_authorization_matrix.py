"""Who may call what, for every operation in /openapi.json: anonymous, a terminal with no
grant, a terminal with another citizen's grant, a terminal with the citizen's own grant,
and each staff role. An operation the document has and this table lacks fails the test,
so a new route has to say who may call it."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
import requests

from domain.county import CST
from tests.api.submissions import WANG, application

LI = "469023198501010026"
CALLERS = ("anonymous", "terminal", "other_grant", "own_grant", "clerk01", "approver-scjg", "supervisor01", "admin")
TERMINALS = ("terminal", "other_grant", "own_grant")
ROLES = {"clerk01": "clerk", "approver-scjg": "approver", "supervisor01": "supervisor", "admin": "admin"}

# What each caller gets: OK (the route ran: anything but 401 and 403), OWN (the route ran
# and found the citizen's record: not 404 either), or the status it must be refused with.
OK, OWN = "ok", "own"


def public() -> dict[str, object]:
    return dict.fromkeys(CALLERS, OK)


def staff(*roles: str) -> dict[str, object]:
    """Staff in these roles (an admin may do what any staff role may); no terminal."""
    answer: dict[str, object] = {"anonymous": 401, **dict.fromkeys(TERMINALS, 403)}
    for user, role in ROLES.items():
        answer[user] = OK if role in roles or role == "admin" else 403
    return answer


def terminals(*roles: str) -> dict[str, object]:
    """Any signed terminal, grant or not (nothing of a citizen's is served), and these roles."""
    return {**staff(*roles), **dict.fromkeys(TERMINALS, OK)} if roles else {
        "anonymous": 401, **dict.fromkeys(TERMINALS, OK), **dict.fromkeys(ROLES, 403)}


def personal(*roles: str, other: int = 404) -> dict[str, object]:
    """A citizen's data: a terminal only under that citizen's grant; another citizen's grant
    answers `other` (404 for one record, as if it did not exist)."""
    return {**staff(*roles), "terminal": 403, "other_grant": other, "own_grant": OWN}


@pytest.fixture(scope="module")
def world(server, terminal, staff_api, presence):
    """A licence, an appointment and a rectification of 王建国's, and each caller's session."""
    clerk = staff_api("clerk01")
    food = clerk.get("/v1/catalogue/items/469023-XK-SCJG-0031").json()
    number = clerk.post("/v1/cases", application(food)).json()["case"]["number"]
    clerk.act(number, "accept")
    clerk.act(number, "route")
    staff_api("approver-scjg").act(number, "approve")
    licence = clerk.act(number, "complete").json()["licences"][0]["identifier"]
    pension = clerk.get("/v1/catalogue/items/469023-GG-RS-0033").json()
    rated = clerk.post("/v1/cases", application(pension)).json()["case"]["number"]
    wang = presence(WANG["document_number"])
    rect = terminal.post(f"/v1/cases/{rated}/rating", {"level": 1, "reasons": ["态度差"]}, headers=wang).json()
    slot = (dt.datetime.now(CST) + dt.timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
    booked = clerk.post("/v1/appointments", {"item_code": "469023-XK-SCJG-0002", "slot_start": slot.isoformat(),
                                             "applicant": {"document_number": WANG["document_number"],
                                                           "name": WANG["name"]}}).json()
    return {"number": "469023-0003", "licence": licence, "rect": rect["rectification"]["id"],
            "appointment": booked["code"], "wang": wang, "li": presence(LI), "food": food}


def operations(world) -> dict[tuple[str, str], tuple[dict, object, dict]]:
    """(method, path) -> (what to fill the path with and send, the body, who gets what)."""
    session = uuid.uuid4().hex
    return {
        ("GET", "/health"): ({}, None, public()),
        ("GET", "/ready"): ({}, None, public()),
        ("POST", "/v1/auth/token"): ({}, {"username": "clerk01", "password": "chengmai-demo"}, public()),
        ("GET", "/v1/keys/qr"): ({}, None, public()),
        ("GET", "/v1/calendar"): ({}, None, public()),
        ("GET", "/v1/calendar/working-days"): ({"query": {"start": "2026-12-01", "days": "5"}}, None, public()),
        ("PUT", "/v1/calendar/arrangements/{year}"): ({"year": 2031}, {}, staff()),
        ("PUT", "/v1/calendar/overrides/{day}"): ({"day": "2031-01-02"}, {"working": True}, staff()),
        ("DELETE", "/v1/calendar/overrides/{day}"): ({"day": "2031-01-02"}, None, staff()),
        ("GET", "/v1/audit"): ({"query": {"limit": "1"}}, None, staff()),
        ("GET", "/v1/audit/verify"): ({}, None, staff()),
        ("GET", "/v1/catalogue/windows"): ({}, None, public()),
        ("GET", "/v1/catalogue/types"): ({}, None, public()),
        ("GET", "/v1/catalogue/items"): ({}, None, public()),
        ("GET", "/v1/catalogue/items/{code}"): ({"code": "469023-XK-SCJG-0031"}, None, public()),
        ("GET", "/v1/catalogue/bundles"): ({}, None, public()),
        ("GET", "/v1/catalogue/version"): ({}, None, public()),
        ("GET", "/v1/addresses/towns"): ({}, None, public()),
        # Applying needs no grant (the case says how its applicant was known), but a grant
        # presented must be the applicant's.
        ("POST", "/v1/cases"): ({}, application(world["food"]), {**terminals("clerk"), "other_grant": 403}),
        ("POST", "/v1/cases/search"): ({}, {"applicant": WANG["document_number"]},
                                       personal("clerk", "approver", "supervisor", other=403)),
        ("GET", "/v1/cases/{number}"): ({"number": world["number"]}, None, personal("clerk", "approver", "supervisor")),
        ("GET", "/v1/track"): ({"query": {"token": "CM1.not-a-token"}}, None,
                               terminals("clerk", "approver", "supervisor")),
        # deliver: the clerk's and the applicant's at a kiosk (409 here: the case is not done)
        ("POST", "/v1/cases/{number}/actions/{action}"): ({"number": world["number"], "action": "deliver"}, {},
                                                           personal("clerk")),
        ("GET", "/v1/cases/{number}/receipt"): ({"number": world["number"]}, None,
                                               personal("clerk", "approver", "supervisor")),
        ("GET", "/v1/cases/{number}/correction-notice"): ({"number": world["number"]}, None,
                                                         personal("clerk", "approver", "supervisor")),
        ("POST", "/v1/cases/{number}/rating"): ({"number": world["number"]}, {"level": 5}, personal("clerk")),
        ("GET", "/v1/rectifications"): ({}, None, staff("supervisor")),
        ("POST", "/v1/rectifications/{rect_id}/{step}"): (
            {"rect_id": world["rect"], "step": "appeal"}, {"reason": "回访未解决"}, personal("clerk", "supervisor")),
        ("GET", "/v1/supervision/summary"): ({}, None, staff("supervisor")),
        ("GET", "/v1/supervision/cases"): ({}, None, staff("supervisor", "approver")),
        ("POST", "/v1/supervision/sweep"): ({}, {}, staff("supervisor")),
        ("GET", "/v1/supervision/alerts"): ({}, None, staff("supervisor")),
        ("GET", "/v1/licences/{identifier}"): ({"identifier": world["licence"]}, None,
                                              personal("clerk", "approver", "supervisor")),
        ("GET", "/v1/licences/{identifier}/pdf"): ({"identifier": world["licence"]}, None, personal("clerk")),
        ("POST", "/v1/licences/verify"): ({}, {"identifier": world["licence"]}, public()),
        ("POST", "/v1/appointments"): ({}, {"item_code": "469023-XK-SCJG-0002", "slot_start": "2031-01-06T10:00",
                                           "applicant": {"document_number": LI, "name": "李秀英"}}, terminals("clerk")),
        ("GET", "/v1/appointments/{code}"): ({"code": world["appointment"]}, None, staff("clerk")),
        ("POST", "/v1/appointments/check-in"): ({}, {"token": "not-a-token"}, terminals("clerk")),
        ("POST", "/v1/terminals"): ({}, {"id": f"CM-MATRIX-{uuid.uuid4().hex[:6]}", "name": "矩阵"}, staff()),
        ("GET", "/v1/terminals"): ({}, None, staff("supervisor")),
        ("GET", "/v1/terminals/me"): ({}, None, terminals()),
        # The back office's time signed over a key holder's challenge: unsigned on purpose.
        ("GET", "/v1/terminals/{terminal_id}/time"): (
            {"terminal_id": "CM-KIOSK-0001", "query": {"challenge": "ab" * 16}}, None, public()),
        # Each terminal caller rotates the demo terminal's secret here: asked on the secret
        # from before, the back office keeps that one working (no caller holds the new one).
        ("POST", "/v1/terminals/me/secret"): ({}, {}, terminals()),
        ("POST", "/v1/terminals/heartbeat"): ({}, {"devices": {}}, terminals()),
        ("POST", "/v1/terminals/commands/{command_id}/ack"): ({"command_id": 999999}, {"result": "x"}, terminals()),
        ("PUT", "/v1/terminals/{terminal_id}/disabled"): ({"terminal_id": "CM-NOBODY"}, {"disabled": True}, staff()),
        ("POST", "/v1/terminals/{terminal_id}/commands"): (
            {"terminal_id": "CM-NOBODY"}, {"command": "refresh_catalogue"}, staff()),
        ("POST", "/v1/terminals/diagnostics"): ({}, b"not a zip", terminals()),
        ("GET", "/v1/terminals/diagnostics"): ({}, None, staff("supervisor")),
        ("GET", "/v1/terminals/diagnostics/{bundle_id}"): ({"bundle_id": 999999}, None, staff("supervisor")),
        ("GET", "/v1/releases"): ({}, None, staff("supervisor")),
        ("POST", "/v1/releases/{version}/rollout"): ({"version": "9.9.9"}, {"ring": "all"}, staff()),
        ("GET", "/v1/releases/{version}/manifest"): ({"version": "9.9.9"}, None, terminals()),
        ("GET", "/v1/releases/{version}/bundle"): ({"version": "9.9.9"}, None, terminals()),
        ("POST", "/v1/presence/codes"): ({}, {"session": session, "id_number": WANG["document_number"]}, terminals()),
        ("POST", "/v1/presence/grants"): ({}, {"session": session, "challenge": "no-such-code", "code": "1"},
                                          terminals()),
        ("POST", "/v1/presence/grants/end"): ({}, {"reason": "other"}, terminals()),
        ("POST", "/v1/presence/passport-challenges"): ({}, {"session": session}, terminals()),
        ("POST", "/v1/presence/passport-grants"): ({}, {"session": session, "challenge": "no-such-challenge",
                                                        "sod": "AAAA", "dg1": "AAAA"}, terminals()),
        ("POST", "/v1/presence/face-challenges"): ({}, {"session": session, "document_kind": "resident_id",
                                                         "document_number": WANG["document_number"],
                                                         "consent_version": "face-1"}, terminals()),
        ("POST", "/v1/presence/face-grants"): ({}, {"session": session, "challenge": "no-such-challenge",
                                                    "frames": ["AAAA", "AAAB", "AAAC"]}, terminals()),
        ("PUT", "/v1/staff/{account}/disabled"): ({"account": "nobody"}, {"disabled": True}, staff()),
        # Last: signing out ends the tokens the rows above were asked with.
        ("POST", "/v1/auth/logout"): ({}, None, staff("clerk", "approver", "supervisor")),
    }


def test_every_operation_has_its_callers_and_each_caller_gets_what_it_should(server, world, callers):
    document = requests.get(f"{server.url}/openapi.json", timeout=30).json()
    documented = {(method.upper(), path) for path, ops in document["paths"].items() for method in ops}
    table = operations(world)
    assert documented == set(table), f"not in the table: {documented - set(table)}; gone: {set(table) - documented}"
    wrong = []
    for (method, template), (fill, body, expected) in table.items():
        query = fill.get("query", {})
        path = template.format(**{k: v for k, v in fill.items() if k != "query"})
        for name in CALLERS:
            http, headers = callers[name]
            data = body if isinstance(body, bytes) else None
            answer = http.request(method, server.url + path, params=query, timeout=30, data=data,
                                  json=None if body is None or isinstance(body, bytes) else body,
                                  headers={**headers, "Idempotency-Key": uuid.uuid4().hex})
            want = expected[name]
            got = answer.status_code
            if want in (OK, OWN):
                fine = got not in (401, 403) and not (want == OWN and got == 404)
            else:
                fine = got == want
            if not fine:
                wrong.append(f"{method} {template} as {name}: {got} (wanted {want}) {answer.text[:120]}")
    assert not wrong, "\n".join(wrong)


@pytest.fixture(scope="module")
def staff_api(staff):
    return staff


@pytest.fixture(scope="module")
def callers(server, world):
    from services.api import TerminalSignature

    def signed() -> requests.Session:
        http = requests.Session()
        http.auth = TerminalSignature("CM-KIOSK-0001", server.terminal_secret_file.read_text())
        return http

    made = {"anonymous": (requests.Session(), {}), "terminal": (signed(), {}),
            "other_grant": (signed(), world["li"]), "own_grant": (signed(), world["wang"])}
    for user in ROLES:
        token = requests.post(f"{server.url}/v1/auth/token", json={"username": user, "password": "chengmai-demo"},
                              timeout=30).json()["access_token"]
        made[user] = (requests.Session(), {"Authorization": f"Bearer {token}"})
    return made
