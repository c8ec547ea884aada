"""schemathesis against the back office's own /openapi.json, over real HTTP, once per kind
of caller (anonymous, a signed terminal and staff of every role) and per database: SQLite
and the run's private PostgreSQL (the `server` fixture of tests/api/conftest.py, a back
office of this module's own: the fuzzing changes the calendar, terminals and cases).

Every generated request must answer without a server error, with a status code the
document lists for the operation, in a media type it lists for that status, with a body
that validates against the documented schema.

The test run keeps it short (SCHEMATHESIS_MAX_EXAMPLES, default 8 per operation, role and
database). A longer run, e.g. 200, on one database (SCHEMATHESIS_DATABASES, default both):

    SCHEMATHESIS_MAX_EXAMPLES=200 SCHEMATHESIS_DATABASES=postgresql \\
        .venv/bin/python -m pytest -q -p no:cacheprovider tests/api/test_openapi_conformance.py
"""
from __future__ import annotations

import os

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from services.api import TerminalSignature
from tests.api.conftest import DEMO_PASSWORD, TERMINAL

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "8"))
DATABASES = os.environ.get("SCHEMATHESIS_DATABASES", "sqlite,postgresql").split(",")
# One of each kind of caller; the approver is bound to a department.
STAFF = {"clerk": "clerk01", "approver": "approver-scjg", "supervisor": "supervisor01", "admin": "admin"}
ROLES = ["anonymous", "terminal", *STAFF]
PHASES = (Phase.explicit, Phase.generate, Phase.shrink)  # no replay database: each run is fresh
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


@pytest.fixture(scope="module")
def sessions(server) -> dict[str, requests.Session]:
    """role -> a requests session that speaks as that caller."""
    out = {"anonymous": requests.Session()}
    terminal = requests.Session()
    terminal.auth = TerminalSignature(TERMINAL, server.terminal_secret_file.read_text())
    out["terminal"] = terminal
    for role, username in STAFF.items():
        answer = requests.post(f"{server.url}/v1/auth/token",
                               json={"username": username, "password": DEMO_PASSWORD}, timeout=30)
        assert answer.status_code == 200, answer.text
        staff = requests.Session()
        staff.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
        out[role] = staff
    return out


# A diagnostics bundle is sent as the raw bytes generated for it.
schemathesis.serializer.alias("application/zip", "application/octet-stream")


@pytest.fixture(scope="module")
def operations(server) -> list:
    loaded = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    return [result.ok() for result in loaded.get_all_operations()]


def fuzz(operation, mode: GenerationMode, session: requests.Session) -> None:
    """MAX_EXAMPLES requests to one operation; hypothesis shrinks a failure to its smallest case."""

    @given(case=operation.as_strategy(mode))
    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, phases=PHASES,
              suppress_health_check=list(HealthCheck))
    def run(case):
        case.call_and_validate(session=session, checks=CHECKS, timeout=30)

    run()


@pytest.mark.parametrize("server", DATABASES, indirect=True)  # the conftest's back office, on each
@pytest.mark.parametrize("role", ROLES)
def test_every_operation_answers_as_documented(role, sessions, operations):
    assert len(operations) >= 40  # the whole document was read
    failures = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                fuzz(operation, mode, sessions[role])
            except Unsatisfiable:
                continue  # nothing to get wrong: no parameters, no body (e.g. GET /health, negative)
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:  # noqa: BLE001 - schemathesis raises a BaseExceptionGroup
                failures.append(f"{operation.label} ({mode.value}): {exc}")
                continue
    assert not failures, f"{len(failures)} operation(s) answered against the document:\n\n" + "\n\n".join(failures)
