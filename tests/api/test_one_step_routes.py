"""The routes served in one step (backoffice/routes/one_step.py): the fleet's heartbeat and
the submission. They skip FastAPI's dependency machinery, so each refusal the machinery
gave is proved here through the real server, on SQLite and PostgreSQL: a forged, replayed
or unsigned request, staff where only terminals may call, a body that is not JSON or not
the model, a NUL in the query; and a route asking for what one step cannot supply is
refused when it is made, not at its first request."""
from __future__ import annotations

import json
import secrets
import time
import uuid

import pytest
import requests
from fastapi import APIRouter, Query, Request

from backoffice.routes.one_step import OneStepRoute
from domain import signing
from tests.api.submissions import application

HEARTBEAT, SUBMIT = "/v1/terminals/heartbeat", "/v1/cases"
WANG = "469023195801041234"
ITEM = "469023-XK-SCJG-0031"


def signed(server, path: str, body: bytes, nonce: str | None = None, secret: str | None = None,
           query: str = "") -> dict:
    ts, nonce = str(int(time.time())), nonce or secrets.token_hex(16)
    secret = secret or server.terminal_secret_file.read_text()
    return {signing.HEADER_TERMINAL: "CM-KIOSK-0001", signing.HEADER_TIMESTAMP: ts, signing.HEADER_NONCE: nonce,
            signing.HEADER_SIGNATURE: signing.sign(secret, "POST", path, query, ts, nonce, body),
            "Content-Type": "application/json"}


def post(server, path: str, body: bytes, headers: dict, query: str = "") -> requests.Response:
    return requests.post(f"{server.url}{path}" + (f"?{query}" if query else ""), data=body, headers=headers,
                         timeout=30)


def beat(uptime: int = 60) -> bytes:
    return json.dumps({"app_version": "1.0.0", "uptime_s": uptime, "devices": {}}).encode()


def test_a_signed_heartbeat_is_answered_and_its_replay_refused(server):
    headers = signed(server, HEARTBEAT, beat())
    first = post(server, HEARTBEAT, beat(), headers)
    assert first.status_code == 200, first.text
    assert {"server_time", "in_service", "commands", "catalogue_version"} <= first.json().keys()
    again = post(server, HEARTBEAT, beat(), headers)
    assert again.status_code == 401 and again.json()["detail"] == "replayed request"


def test_a_forged_or_unsigned_heartbeat_is_refused_before_its_body_is_read(server):
    forged = post(server, HEARTBEAT, beat(), signed(server, HEARTBEAT, beat(), secret="not-the-secret"))
    assert forged.status_code == 401 and forged.json()["detail"] == "bad signature"
    # Unsigned with a body that is not even JSON: 401, as FastAPI's order had it (the
    # caller first), never a 422 that tells an anonymous caller about the body.
    unsigned = post(server, HEARTBEAT, b"{not json", {"Content-Type": "application/json"})
    assert unsigned.status_code == 401 and unsigned.headers["WWW-Authenticate"] == "Bearer"


def test_staff_may_not_send_a_heartbeat(server, staff):
    answer = staff("admin").post(HEARTBEAT, json.loads(beat()), key=None)
    assert answer.status_code == 403 and "may not" in answer.json()["detail"]


@pytest.mark.parametrize("body, where", [(b"{not json", "body"), (b"", "body"),
                                         (json.dumps({"uptime_s": "an hour"}).encode(), "uptime_s"),
                                         (json.dumps({"app_version": "a\u0000b"}).encode(), "body"),
                                         (json.dumps({"devices": {"printer\u0000": {}}}).encode(), "body")])
def test_a_signed_heartbeat_with_a_bad_body_is_a_clear_422(server, body, where):
    answer = post(server, HEARTBEAT, body, signed(server, HEARTBEAT, body))
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    assert problem["errors"] and problem["errors"][0]["loc"][0] == "body"
    assert where in [part for error in problem["errors"] for part in error["loc"]]
    # The terminal is not harmed: its next heartbeat goes through.
    assert post(server, HEARTBEAT, beat(), signed(server, HEARTBEAT, beat())).status_code == 200


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
def test_a_body_sent_as_another_type_is_refused_as_on_every_route(server, content_type):
    """FastAPI reads a body as JSON only when it says it is JSON (or says nothing); one
    step does the same, so a form a browser may post anywhere is never taken as JSON."""
    body = beat()
    headers = {**signed(server, HEARTBEAT, body), "Content-Type": content_type}
    answer = post(server, HEARTBEAT, body, headers)
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["loc"] == ["body"]
    ordinary = requests.post(f"{server.url}/v1/auth/token", data=json.dumps({"username": "admin", "password": "x"}),
                             headers={"Content-Type": content_type}, timeout=30)
    assert ordinary.status_code == 422 and ordinary.json()["errors"][0]["loc"] == ["body"]
    for json_type in ("application/json; charset=utf-8", "application/merge-patch+json"):
        headers = {**signed(server, HEARTBEAT, body), "Content-Type": json_type}
        assert post(server, HEARTBEAT, body, headers).status_code == 200, json_type


def test_a_nul_in_the_query_is_refused_as_on_every_route(server):
    answer = post(server, HEARTBEAT, beat(), signed(server, HEARTBEAT, beat(), query="x=%00"), query="x=%00")
    assert answer.status_code == 422, answer.text


def test_a_submission_replayed_with_its_signature_is_refused_not_answered_again(server, anonymous, presence):
    guide = anonymous.get(f"/v1/catalogue/items/{ITEM}").json()
    body = json.dumps(application(guide), ensure_ascii=False).encode()
    headers = {**signed(server, SUBMIT, body), **presence(WANG), "Idempotency-Key": uuid.uuid4().hex}
    first = post(server, SUBMIT, body, headers)
    assert first.status_code == 201, first.text
    case, receipt = first.json()["case"], first.json()["receipt"]
    assert case["number"] and receipt["case_number"] == case["number"]
    # The English names come from the catalogue entries the check loaded, not a second read.
    assert receipt["item_name_en"] and all(m["name_en"] for m in receipt["materials"])
    replayed = post(server, SUBMIT, body, headers)
    assert replayed.status_code == 401 and replayed.json()["detail"] == "replayed request"
    # Signed anew with the same Idempotency-Key, the first answer comes back: one case.
    retried = post(server, SUBMIT, body, {**headers, **signed(server, SUBMIT, body)})
    assert retried.status_code == 201 and retried.headers.get("Idempotent-Replayed") == "true"
    assert retried.json()["case"]["number"] == first.json()["case"]["number"]


def test_a_route_one_step_cannot_serve_is_refused_when_it_is_made():
    router = APIRouter()

    def paged(request: Request, page: int = Query(1)):
        raise AssertionError("never called")

    with pytest.raises(TypeError, match="'page'"):
        router.add_api_route("/paged", paged, methods=["GET"], route_class_override=OneStepRoute)

    async def asynchronous(request: Request):
        raise AssertionError("never called")

    with pytest.raises(TypeError, match="synchronous"):
        router.add_api_route("/async", asynchronous, methods=["GET"], route_class_override=OneStepRoute)
