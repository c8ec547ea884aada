"""What schemathesis found (tests/api/test_openapi_conformance.py), kept as plain tests."""
from __future__ import annotations

import pytest

from backoffice.problems import PROBLEM_JSON

HUGE = "1890547597492562004123363802114686976"  # beyond a 64-bit row id


def assert_refused_as_invalid(answer) -> None:
    assert answer.status_code == 422, answer.text
    assert answer.headers["Content-Type"].startswith(PROBLEM_JSON)


@pytest.mark.parametrize("role, method, path", [
    ("admin", "GET", f"/v1/audit?after_id={HUGE}"),
    ("admin", "GET", "/v1/audit?limit=-1078066778275945376671777251393536"),
    ("supervisor01", "POST", f"/v1/rectifications/{HUGE}/callback"),
    ("supervisor01", "GET", f"/v1/terminals/diagnostics/{HUGE}"),
    ("admin", "PUT", f"/v1/calendar/years/{HUGE}"),
])
def test_a_row_id_beyond_64_bits_is_refused_not_a_server_error(staff, role, method, path):
    api = staff(role)
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
