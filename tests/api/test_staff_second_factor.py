"""Administrators and supervisors sign in with a password and the six digits of an
authenticator (ASVS 4.3.1, MFA for administration), on a back office run as in
production: enrolled from the server's command line, each code good once, wrong codes
throttled like wrong passwords, clerks unchanged."""
from __future__ import annotations

import json
import time

import pytest
import requests

from backoffice.security import totp
from demo.embedded_backoffice import EmbeddedBackoffice
from tests.api.command_line import backoffice_cli

PASSWORD = "chengmai-demo"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    var = tmp_path_factory.mktemp("bo-mfa")
    bo = EmbeddedBackoffice(database=var / "backoffice.db", log_file=var / "backoffice.log",
                            environ={"BACKOFFICE_MFA_ROLES": "admin,supervisor"})
    bo.start()
    yield bo
    bo.stop()


def sign_in(server, username: str, code: str | None = None, password: str = PASSWORD) -> requests.Response:
    body = {"username": username, "password": password, **({"totp": code} if code is not None else {})}
    return requests.post(f"{server.url}/v1/auth/token", json=body, timeout=30)


def enrol(server, username: str) -> dict:
    done = backoffice_cli(server.database.parent, "enroll-totp", username)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_an_admin_without_an_authenticator_cannot_sign_in(server):
    made = backoffice_cli(server.database.parent, "create-staff", "admin02", "--role", "admin",
                          env_extra={"BACKOFFICE_NEW_PASSWORD": PASSWORD})
    assert made.returncode == 0, made.stderr
    answer = sign_in(server, "admin02")
    assert answer.status_code == 403 and answer.json()["code"] == "totp_not_enrolled"
    assert sign_in(server, "admin02", password="not-the-password").status_code == 401  # nothing told first


def test_a_clerk_signs_in_with_the_password_alone(server):
    assert sign_in(server, "clerk01").status_code == 200


def test_an_enrolled_admin_needs_the_current_code_and_each_code_once(server):
    enrolled = enrol(server, "admin")
    secret = enrolled["secret"]
    assert enrolled["uri"].startswith("otpauth://totp/") and f"secret={secret}" in enrolled["uri"]
    missing = sign_in(server, "admin")
    assert missing.status_code == 401 and missing.json()["code"] == "totp_required"
    now = time.time()
    code = totp.code_at(secret, now)
    signed = sign_in(server, "admin", code)
    assert signed.status_code == 200, signed.text
    token = signed.json()["access_token"]
    staff_list = requests.get(f"{server.url}/v1/audit", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert staff_list.status_code == 200
    again = sign_in(server, "admin", code)
    assert again.status_code == 401 and again.json()["code"] == "totp_wrong"  # seen once, never again
    assert sign_in(server, "admin", totp.code_at(secret, now + totp.STEP_S)).status_code == 200  # the next one
    entries = staff_list.json()["entries"]
    assert any(e["action"] == "staff.totp_enrol" and e["subject"] == "admin" for e in entries)
    assert secret not in json.dumps(entries)


def test_enrolling_again_retires_the_old_authenticator(server):
    first = enrol(server, "supervisor01")["secret"]
    second = enrol(server, "supervisor01")["secret"]
    assert first != second
    now = time.time()
    assert sign_in(server, "supervisor01", totp.code_at(first, now)).status_code == 401
    assert sign_in(server, "supervisor01", totp.code_at(second, now)).status_code == 200


def test_the_console_signs_in_through_the_same_rules(server):
    """The staff console's sign-in is the API's: the code asked for, then taken."""
    from tests.api.test_console import Browser, csrf_of

    secret = enrol(server, "admin")["secret"]
    browser = Browser(server.url)
    asked = browser.sign_in("admin")
    assert asked.status_code == 401 and "六位动态码" in asked.text
    form = {"csrf": csrf_of(asked.text), "username": "admin", "password": PASSWORD,
            "totp": totp.code_at(secret, time.time())}
    signed = browser.post("/console/sign-in", form)
    assert signed.status_code == 303 and signed.headers["location"] == "/console/queue"
    assert browser.get("/console/queue").status_code == 200


def test_wrong_codes_are_throttled_like_wrong_passwords(server):
    secret = enrol(server, "supervisor01")["secret"]
    right = totp.code_at(secret, time.time())
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    answers = [sign_in(server, "supervisor01", wrong).status_code for _ in range(6)]
    assert answers[:5] == [401] * 5 and answers[5] == 429
    throttled = sign_in(server, "supervisor01", right)
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) > 0  # even the right code waits


def test_the_secret_is_kept_only_encrypted(server):
    secret = enrol(server, "admin")["secret"]
    stored = b"".join(p.read_bytes() for p in server.database.parent.glob("backoffice.db*"))
    assert secret.encode() not in stored


def test_enrolling_an_unknown_account_says_so(server):
    done = backoffice_cli(server.database.parent, "enroll-totp", "nobody")
    assert done.returncode == 1 and "no staff account nobody" in done.stderr
