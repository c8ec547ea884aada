"""Staff accounts over their life: signing out ends the token at once; a disabled account
can neither sign in nor use a token it already holds, until it is enabled again."""
from __future__ import annotations

import requests

PASSWORD = "chengmai-demo"


def sign_in(server, username: str) -> requests.Response:
    return requests.post(f"{server.url}/v1/auth/token", json={"username": username, "password": PASSWORD}, timeout=30)


def as_bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_signing_out_ends_the_token_at_once(server):
    token = sign_in(server, "supervisor01").json()["access_token"]
    summary = f"{server.url}/v1/supervision/summary"
    assert requests.get(summary, headers=as_bearer(token), timeout=30).status_code == 200
    out = requests.post(f"{server.url}/v1/auth/logout", headers=as_bearer(token), timeout=30)
    assert out.status_code == 200 and out.json() == {"signed_out": True}
    assert requests.get(summary, headers=as_bearer(token), timeout=30).status_code == 401
    again = requests.post(f"{server.url}/v1/auth/logout", headers=as_bearer(token), timeout=30)
    assert again.status_code == 401  # the token is gone: nothing left to sign out


def test_a_disabled_account_is_refused_at_once_and_enabled_again(server, staff):
    admin = staff("admin")
    held = sign_in(server, "approver-jy").json()["access_token"]
    cases = f"{server.url}/v1/supervision/cases"
    assert requests.get(cases, headers=as_bearer(held), timeout=30).status_code == 200
    off = admin.put("/v1/staff/approver-jy/disabled", {"disabled": True, "reason": "left the bureau"})
    assert off.status_code == 200 and off.json() == {"username": "approver-jy", "disabled": True}
    assert requests.get(cases, headers=as_bearer(held), timeout=30).status_code == 401  # the token it held
    assert sign_in(server, "approver-jy").status_code == 401  # as a wrong password: nothing told
    assert admin.put("/v1/staff/approver-jy/disabled", {"disabled": False}).status_code == 200
    assert sign_in(server, "approver-jy").status_code == 200
    entries = admin.get("/v1/audit", params={"limit": 1000}).json()["entries"]
    assert any(e["action"] == "staff.disable" and e["subject"] == "approver-jy"
               and e["detail"]["reason"] == "left the bureau" for e in entries)


def test_only_an_admin_disables_and_not_their_own_account(staff):
    assert staff("supervisor01").put("/v1/staff/clerk01/disabled", {"disabled": True}).status_code == 403
    assert staff("admin").put("/v1/staff/admin/disabled", {"disabled": True}).status_code == 409
    assert staff("admin").put("/v1/staff/nobody/disabled", {"disabled": True}).status_code == 404
