"""What schemathesis found (tests/api/test_openapi_conformance.py), kept as plain tests."""
from __future__ import annotations

import pytest

from backoffice.problems import PROBLEM_JSON
from tests.api.submissions import WANG, application

HUGE = "1890547597492562004123363802114686976"  # beyond a 64-bit row id


def assert_refused_as_invalid(answer) -> None:
    assert answer.status_code == 422, answer.text
    assert answer.headers["Content-Type"].startswith(PROBLEM_JSON)


@pytest.mark.parametrize("role, method, path", [
    ("admin", "GET", f"/v1/audit?after_id={HUGE}"),
    ("admin", "GET", "/v1/audit?limit=-1078066778275945376671777251393536"),
    ("supervisor01", "POST", f"/v1/rectifications/{HUGE}/callback"),
    ("supervisor01", "GET", f"/v1/terminals/diagnostics/{HUGE}"),
    ("admin", "PUT", f"/v1/calendar/arrangements/{HUGE}"),
    ("anonymous", "GET", f"/v1/calendar?year={HUGE}"),
])
def test_a_row_id_beyond_64_bits_is_refused_not_a_server_error(staff, anonymous, role, method, path):
    api = anonymous if role == "anonymous" else staff(role)
    answer = api.http.request(method, api.base + path, json={}, timeout=30)
    assert_refused_as_invalid(answer)


def test_a_terminal_acknowledging_a_command_beyond_64_bits_is_refused(terminal):
    assert_refused_as_invalid(terminal.post(f"/v1/terminals/commands/{HUGE}/ack", {}, key=None))
    assert_refused_as_invalid(terminal.http.post(f"{terminal.base}/v1/terminals/diagnostics?command_id={HUGE}",
                                                 data=b"PK", timeout=30))


def test_the_document_describes_errors_as_problems(anonymous):
    doc = anonymous.get("/openapi.json").json()
    case = doc["paths"]["/v1/cases/{number}"]["get"]["responses"]
    for status in ("401", "403", "404", "422"):
        assert list(case[status]["content"]) == [PROBLEM_JSON], status
    assert "HTTPValidationError" not in doc.get("components", {}).get("schemas", {})
    submit = doc["paths"]["/v1/cases"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["required"] for p in submit["parameters"])
    assert "application/pdf" in doc["paths"]["/v1/licences/{identifier}/pdf"]["get"]["responses"]["200"]["content"]


# --- found by reading the routes against their new body schemas -------------------------------
FOOD = "469023-XK-SCJG-0031"  # its form has a multi-value list, food_categories
PERSONAL_BUSINESS = "469023-XK-SCJG-0003"  # its form has a single-value list, organisation_form


def guide(anonymous, code: str) -> dict:
    answer = anonymous.get(f"/v1/catalogue/items/{code}")
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.mark.parametrize("code, field, value", [
    (FOOD, "food_categories", [{"key": "hot_food"}]),
    (FOOD, "food_categories", [["hot_food"]]),
    (PERSONAL_BUSINESS, "organisation_form", ["individual"]),
    (PERSONAL_BUSINESS, "organisation_form", {"key": "individual"}),
])
def test_a_list_answer_of_the_wrong_shape_is_a_problem_of_the_application(terminal, anonymous, code, field, value):
    """Unhashable answers to a list field were a server error (TypeError), not a problem."""
    item = guide(anonymous, code)
    (spec,) = [f for f in item["form"] if f["code"] == field]
    payload = application(item)
    payload["answers"][field] = value
    answer = terminal.post("/v1/cases", payload)
    assert_refused_as_invalid(answer)
    assert {"field": field, "problem": f"not a valid {spec['datatype']}"} in answer.json()["problems"]


@pytest.mark.parametrize("slot_start", ["9999-12-31T23:59:00", "0001-01-01T00:00:00+08:00", "0001-01-01T00:10:00"])
def test_an_appointment_at_the_ends_of_the_calendar_is_refused(terminal, slot_start):
    answer = terminal.post("/v1/appointments", {"item_code": FOOD, "slot_start": slot_start,
                                                "applicant": {"document_number": WANG["document_number"],
                                                              "name": WANG["name"]}})
    assert_refused_as_invalid(answer)


# --- bodies the routes read without checking their shape: server errors before the models ----
def submitted_case(terminal, anonymous) -> str:
    answer = terminal.post("/v1/cases", application(guide(anonymous, FOOD)))
    assert answer.status_code == 201, answer.text
    return answer.json()["case"]["number"]


@pytest.mark.parametrize("action, params", [
    ("request_correction", {"deficiencies": [1]}),  # AttributeError: int has no .get
    ("request_correction", {"deficiencies": [{"problem": "缺页"}], "due_days": "five"}),  # int("five")
    ("supplement", {"materials": [{"code": "M01", "copies": "two"}]}),  # int("two")
    ("supplement", {"materials": [{"code": "M01", "form": "x" * 40}]}),  # longer than the column
])
def test_action_parameters_of_the_wrong_shape_are_refused(terminal, anonymous, staff, action, params):
    number = submitted_case(terminal, anonymous)
    assert_refused_as_invalid(staff("clerk01").act(number, action, **params))


@pytest.mark.parametrize("report", [
    {"uptime_s": "a while"},  # int("a while")
    {"uptime_s": 2**70},  # beyond a database integer
    {"outbox_length": -1},
])
def test_a_heartbeat_of_the_wrong_shape_is_refused(terminal, report):
    assert_refused_as_invalid(terminal.post("/v1/terminals/heartbeat", report, key=None))


@pytest.mark.parametrize("role, path, body", [
    ("terminal", "/v1/appointments", {"item_code": FOOD, "slot_start": "2026-12-01T09:00", "applicant": ["王建国"]}),
    ("admin", "/v1/terminals", {"id": "CM-KIOSK-LONG", "name": "终" * 101}),  # name is 100 characters at most
    ("anonymous", "/v1/auth/token", {"username": "u" * 65, "password": "x"}),  # a failed login keeps the name
    ("clerk01", "/v1/cases", {"item_code": FOOD, "channel": "c" * 17}),
])
def test_a_body_that_does_not_fit_where_it_is_kept_is_refused(terminal, anonymous, staff, role, path, body):
    api = {"terminal": terminal, "anonymous": anonymous}.get(role) or staff(role)
    assert_refused_as_invalid(api.post(path, body))


# --- found by running the conformance test on PostgreSQL --------------------------------------
INT32_PLUS_ONE = str(2**31)  # beyond an Integer id column on PostgreSQL (SQLite's go to 64 bits)


@pytest.mark.parametrize("role, method, path", [
    ("admin", "GET", f"/v1/audit?after_id={INT32_PLUS_ONE}"),
    ("supervisor01", "POST", f"/v1/rectifications/{INT32_PLUS_ONE}/callback"),
    ("supervisor01", "GET", f"/v1/terminals/diagnostics/{INT32_PLUS_ONE}"),
])
def test_a_row_id_beyond_32_bits_is_refused_on_either_database(staff, role, method, path):
    """PostgreSQL's integer-out-of-range error was a server error."""
    api = staff(role)
    assert_refused_as_invalid(api.http.request(method, api.base + path, json={}, timeout=30))


def test_a_terminal_naming_a_command_beyond_32_bits_is_refused(terminal):
    assert_refused_as_invalid(terminal.post(f"/v1/terminals/commands/{INT32_PLUS_ONE}/ack", {}, key=None))
    assert_refused_as_invalid(terminal.http.post(
        f"{terminal.base}/v1/terminals/diagnostics?command_id={INT32_PLUS_ONE}", data=b"PK", timeout=30))


def test_the_document_bounds_row_ids_to_32_bits(anonymous):
    doc = anonymous.get("/openapi.json").json()
    (after_id,) = [p for p in doc["paths"]["/v1/audit"]["get"]["parameters"] if p["name"] == "after_id"]
    assert after_id["schema"]["maximum"] == 2**31 - 1


@pytest.mark.parametrize("role, method, path", [
    ("anonymous", "GET", "/v1/catalogue/items/469023-XK-SCJG-0031%00"),
    ("anonymous", "GET", "/v1/catalogue/items?window=%00"),
    ("anonymous", "GET", "/v1/catalogue/items?type=a%00b"),
    ("terminal", "GET", "/v1/cases/469023-0001%00"),
    ("terminal", "GET", "/v1/cases/469023-0001%00/receipt"),
    ("clerk01", "GET", "/v1/appointments/%00"),
    ("terminal", "GET", "/v1/licences/%00"),
    ("terminal", "GET", "/v1/licences/%00/pdf"),
    ("supervisor01", "GET", "/v1/rectifications?status=%00"),
    ("supervisor01", "GET", "/v1/supervision/cases?department=%00"),
    ("supervisor01", "GET", "/v1/terminals/diagnostics?terminal=%00"),
    ("admin", "POST", "/v1/terminals/CM-KIOSK-0001%00/commands"),
])
def test_a_nul_character_in_a_path_or_query_is_refused(terminal, anonymous, staff, role, method, path):
    """PostgreSQL cannot compare text holding NUL: psycopg's refusal was a server error."""
    api = {"terminal": terminal, "anonymous": anonymous}.get(role) or staff(role)
    answer = api.http.request(method, api.base + path, json={"command": "restart"} if method == "POST" else None,
                              headers={"Idempotency-Key": "nul-in-path"} if method == "POST" else {}, timeout=30)
    assert_refused_as_invalid(answer)
    assert answer.json()["errors"][0]["msg"] == "text must not contain NUL characters"


@pytest.mark.parametrize("role, path, body", [
    ("anonymous", "/v1/auth/token", {"username": "clerk01\x00", "password": "x"}),
    ("terminal", "/v1/terminals/heartbeat", {"app_version": "1.0\x00"}),
    ("terminal", "/v1/terminals/heartbeat", {"devices": {"printer": {"media\x00": "out"}}}),  # a key, nested
    ("clerk01", "/v1/cases", {"item_code": FOOD, "answers": {"x": ["ok", "a\x00"]}}),
    ("admin", "/v1/terminals", {"id": "CM-KIOSK-NUL", "name": "\x00"}),
])
def test_a_nul_character_anywhere_in_a_body_is_refused(terminal, anonymous, staff, role, path, body):
    api = {"terminal": terminal, "anonymous": anonymous}.get(role) or staff(role)
    answer = api.post(path, body, key=None if path == "/v1/terminals/heartbeat" else "auto")
    assert_refused_as_invalid(answer)
    assert "\x00" not in answer.text  # the refusal does not echo what was sent


def test_a_deeply_nested_body_is_checked_without_recursion():
    from backoffice.schemas.wire import holds_nul

    deep: object = "\x00"
    for _ in range(100_000):
        deep = [deep]
    assert holds_nul({"devices": deep})
    assert not holds_nul({"devices": [[["clean"]]], "n": 1, "ok": None})
