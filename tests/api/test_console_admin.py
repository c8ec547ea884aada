"""The administrator's pages of the console over real HTTP: an account created there signs
in with the password it showed, disabling it ends its session, an authenticator enrolled
there signs in with its codes; a terminal registered there heartbeats with the secret it
showed, and with the rotated one; a day set there changes the working days the API
answers, an arrangement pasted there is checked and imported; the catalogue and its
versions are shown. Other roles and stale forms are refused, and no secret shown reaches
the audit log. On SQLite and PostgreSQL."""
from __future__ import annotations

import json
import re
import time
import uuid

import pytest
import requests

from backoffice.security import totp
from backoffice.settings import REPO_ROOT
from demo.embedded_backoffice import EmbeddedBackoffice
from services.api import BackofficeClient
from tests.api.command_line import backoffice_cli
from tests.api.test_console import FOOD, Browser, audit_entries, browser, csrf_of  # noqa: F401  (browser: a fixture)
from tests.api.test_console_fleet import report

PAGES = ("/console/admin/staff", "/console/admin/terminals", "/console/admin/calendar", "/console/admin/catalogue",
         f"/console/admin/catalogue/items/{FOOD}")
TYPHOON_DAY = "2026-12-28"  # a Monday, a working day in the official 2026 schedule


def shown_once(page: requests.Response) -> list[str]:
    """The values the page shows once (a password, a key, a secret), in order."""
    assert page.status_code == 200, page.text
    return re.findall(r'<code class="secret">([^<]+)</code>', page.text)


def create_account(admin: Browser, role: str = "clerk", password: str = "", department: str = "") -> tuple[str, str]:
    """A new account made on the staff page: (username, the password it signs in with)."""
    username = f"new-{role}-{uuid.uuid4().hex[:6]}"
    made = admin.post("/console/admin/staff", {"csrf": csrf_of(admin.get("/console/admin/staff").text),
                                               "username": username, "role": role, "department": department,
                                               "password": password})
    values = shown_once(made)
    assert values[0] == username
    return username, password or values[-1]


def register(admin: Browser) -> tuple[str, str]:
    terminal_id = f"CM-A-{uuid.uuid4().hex[:8]}"
    made = admin.post("/console/admin/terminals", {"csrf": csrf_of(admin.get("/console/admin/terminals").text),
                                                   "id": terminal_id, "name": "福山镇便民服务中心",
                                                   "location": "福山镇政府一楼"})
    shown_terminal, secret = shown_once(made)
    assert shown_terminal == terminal_id and len(secret) >= 32
    return terminal_id, secret


def working_days(staff, day: str) -> int:
    answer = staff("clerk01").get("/v1/calendar/working-days", params={"start": day, "end": day})
    assert answer.status_code == 200, answer.text
    return answer.json()["count"]


def whole_audit_log(staff) -> list[dict]:
    entries: list[dict] = []
    while True:
        page = staff("admin").get("/v1/audit", params={"after_id": entries[-1]["id"] if entries else 0,
                                                       "limit": 1000}).json()["entries"]
        if not page:
            return entries
        entries += page


def test_every_admin_page_renders_for_an_admin(server, browser):
    admin = browser("admin")
    for path in PAGES:
        page = admin.get(path)
        assert page.status_code == 200, (path, page.text)
        assert "script-src 'self'" in page.headers["Content-Security-Policy"] and "no-store" in page.headers[
            "Cache-Control"]
        assert 'href="/console/admin/staff">系统管理</a>' in page.text  # the nav's link, Chinese first
    assert admin.get("/console/admin").headers["location"] == "/console/admin/staff"
    assert "系统管理" not in browser("supervisor01").get("/console/supervision").text  # admins' link only


def test_other_roles_are_refused_and_the_unsigned_sent_to_sign_in(server, browser):
    for username in ("clerk01", "approver-scjg", "supervisor01"):
        other = browser(username)
        for path in PAGES:
            assert other.get(path).status_code == 403, (username, path)
        csrf = other.csrf()
        for path, form in (("/console/admin/staff", {"username": "sneaky01", "role": "admin", "password": "x" * 12}),
                           ("/console/admin/staff/clerk01/disabled", {"disabled": "1", "reason": "x"}),
                           ("/console/admin/staff/clerk01/totp", {}),
                           ("/console/admin/terminals", {"id": "CM-SNEAKY-01"}),
                           ("/console/admin/terminals/CM-KIOSK-0001/secret", {}),
                           ("/console/admin/calendar/days", {"day": TYPHOON_DAY, "kind": "rest", "reason": "x"}),
                           (f"/console/admin/calendar/days/{TYPHOON_DAY}/delete", {}),
                           ("/console/admin/calendar/arrangements", {"arrangement": "{}"})):
            assert other.post(path, {"csrf": csrf, **form}).status_code == 403, (username, path)
    assert "sneaky01" not in browser("admin").get("/console/admin/staff").text
    assert browser().get("/console/admin/staff").status_code == 303  # unsigned: to the sign-in


def test_a_created_account_signs_in_with_the_password_shown_once(server, browser, staff):
    admin = browser("admin")
    username, password = create_account(admin, "approver", department="SCJG")
    assert len(password) >= 16
    new = browser()
    signed_in = new.sign_in(username, password)
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/console/department"
    row = re.search(rf'<tr class="account" data-account="{username}">(.*?)</tr>',
                    admin.get("/console/admin/staff").text, re.S).group(1)
    assert "审批人员" in row and "市场监督管理局" in row and "未绑定" in row and "从未" not in row  # signed in just now
    (created,) = [e for e in audit_entries(staff, "staff.create") if e["subject"] == username]
    assert created["actor"] == "staff:admin" and created["detail"] == {"role": "approver", "department": "SCJG"}
    typed, typed_password = create_account(admin, "clerk", password="a-password-typed-by-the-admin")
    assert typed_password == "a-password-typed-by-the-admin"
    assert browser().sign_in(typed, typed_password).headers["location"] == "/console/queue"


def test_an_account_asked_wrongly_is_not_made_and_the_form_kept(server, browser):
    admin = browser("admin")
    csrf = csrf_of(admin.get("/console/admin/staff").text)
    for form, problem in (({"username": "clerk01", "role": "clerk"}, "该用户名已有账号"),
                          ({"username": "bad name", "role": "clerk"}, "用户名为 2 至 64 个"),
                          ({"username": "no-dept-approver", "role": "approver"}, "审批人员必须属于一个部门"),
                          ({"username": "short-pw", "role": "clerk", "password": "short"}, "密码至少 10 个字符"),
                          ({"username": "no-such-role", "role": "root"}, "请从列表中选择角色")):
        answer = admin.post("/console/admin/staff", {"csrf": csrf, "department": "", "password": "", **form})
        assert answer.status_code == 422 and problem in answer.text, form
        assert f'value="{form["username"]}"' in answer.text  # typed once, kept
    accounts = admin.get("/console/admin/staff").text
    assert "no-dept-approver" not in accounts and "short-pw" not in accounts


def test_disabling_an_account_ends_its_session_and_enabling_lets_it_back(server, browser, staff):
    admin = browser("admin")
    username, password = create_account(admin)
    colleague = browser(None)
    assert colleague.sign_in(username, password).status_code == 303
    assert colleague.get("/console/queue").status_code == 200
    csrf = csrf_of(admin.get("/console/admin/staff").text)
    path = f"/console/admin/staff/{username}/disabled"
    assert admin.post(path, {"csrf": csrf, "disabled": "1", "reason": ""}).status_code == 422
    assert admin.post(path, {"csrf": csrf, "disabled": "1", "reason": "调离岗位"}).status_code == 303
    assert colleague.get("/console/queue").status_code == 303  # its token ended: to the sign-in
    assert browser().sign_in(username, password).status_code == 401
    assert any(e["subject"] == username and e["detail"]["reason"] == "调离岗位"
               for e in audit_entries(staff, "staff.disable"))
    assert admin.post(path, {"csrf": csrf, "disabled": "0", "reason": "返岗"}).status_code == 303
    assert browser().sign_in(username, password).status_code == 303
    myself = admin.post("/console/admin/staff/admin/disabled", {"csrf": csrf, "disabled": "1", "reason": "x"})
    assert myself.status_code == 409 and "不能停用自己的账号" in myself.text
    assert admin.get("/console/admin/staff").status_code == 200  # still signed in
    assert admin.post("/console/admin/staff/nobody-here/disabled",
                      {"csrf": csrf, "disabled": "1", "reason": "x"}).status_code == 404


def test_enrolling_an_authenticator_shows_its_key_once_as_text_and_qr_code(server, browser, staff):
    admin = browser("admin")
    username, _ = create_account(admin, "supervisor")
    enrolled = admin.post(f"/console/admin/staff/{username}/totp",
                          {"csrf": csrf_of(admin.get("/console/admin/staff").text)})
    shown_username, key = shown_once(enrolled)
    assert shown_username == username and re.fullmatch(r"[A-Z2-7]{32}", key)
    assert '<svg class="qr"' in enrolled.text and "<img" not in enrolled.text  # drawn in the page: CSP-safe
    assert "otpauth://totp/" in enrolled.text and f"secret={key}" in enrolled.text
    assert "no-store" in enrolled.headers["Cache-Control"]
    listed = admin.get("/console/admin/staff").text
    assert key not in listed
    row = re.search(rf'data-account="{username}">(.*?)</tr>', listed, re.S).group(1)
    assert "已绑定" in row and "重新绑定身份验证器" in row
    assert any(e["subject"] == username and e["actor"] == "staff:admin"
               for e in audit_entries(staff, "staff.totp_enrol"))


def test_a_registered_terminal_heartbeats_with_the_shown_secret_then_the_rotated_one(server, browser):
    admin = browser("admin")
    terminal_id, secret = register(admin)
    kiosk = BackofficeClient(server.url, timeout=10, terminal_id=terminal_id, secret=secret)
    assert kiosk.heartbeat(report())["in_service"] is True
    listed = admin.get("/console/admin/terminals").text
    assert secret not in listed and f'href="/console/fleet/{terminal_id}"' in listed and "福山镇政府一楼" in listed
    again = admin.post("/console/admin/terminals", {"csrf": csrf_of(listed), "id": terminal_id, "name": "x"})
    assert again.status_code == 409 and "请更换密钥" in again.text
    assert kiosk.heartbeat(report())["in_service"] is True  # its secret unchanged
    short = admin.post("/console/admin/terminals", {"csrf": csrf_of(listed), "id": "CM"})
    assert short.status_code == 422
    rotated = admin.post(f"/console/admin/terminals/{terminal_id}/secret", {"csrf": csrf_of(listed)})
    shown_terminal, new_secret = shown_once(rotated)
    assert shown_terminal == terminal_id and new_secret != secret
    assert f'href="/console/fleet/{terminal_id}"' in rotated.text
    assert "旧密钥有效至" in admin.get("/console/admin/terminals").text  # the overlap
    renewed = BackofficeClient(server.url, timeout=10, terminal_id=terminal_id, secret=new_secret)
    assert renewed.heartbeat(report())["in_service"] is True
    assert admin.post("/console/admin/terminals/CM-NO-SUCH/secret", {"csrf": csrf_of(listed)}).status_code == 404
    kiosk.close()
    renewed.close()


def test_a_day_set_in_the_console_changes_the_working_days(server, browser, staff):
    admin = browser("admin")
    assert working_days(staff, TYPHOON_DAY) == 1
    csrf = csrf_of(admin.get("/console/admin/calendar").text)
    no_reason = admin.post("/console/admin/calendar/days", {"csrf": csrf, "day": TYPHOON_DAY, "kind": "rest",
                                                             "reason": ""})
    assert no_reason.status_code == 422
    assert admin.post("/console/admin/calendar/days", {"csrf": csrf, "day": "28/12", "kind": "rest",
                                                       "reason": "台风"}).status_code == 422
    closed = admin.post("/console/admin/calendar/days", {"csrf": csrf, "day": TYPHOON_DAY, "kind": "rest",
                                                         "reason": "台风“摩羯”停工"})
    assert closed.status_code == 303 and closed.headers["location"] == "/console/admin/calendar"
    assert working_days(staff, TYPHOON_DAY) == 0
    row = re.search(rf'data-day="{TYPHOON_DAY}">(.*?)</tr>', admin.get("/console/admin/calendar").text, re.S).group(1)
    assert "休息日" in row and "台风“摩羯”停工" in row and "手工设置" in row
    assert any(e["subject"] == TYPHOON_DAY and e["actor"] == "staff:admin" and e["detail"]["working"] is False
               for e in audit_entries(staff, "calendar.override"))
    deleted = admin.post(f"/console/admin/calendar/days/{TYPHOON_DAY}/delete", {"csrf": csrf})
    assert deleted.status_code == 303 and working_days(staff, TYPHOON_DAY) == 1
    assert admin.post(f"/console/admin/calendar/days/{TYPHOON_DAY}/delete", {"csrf": csrf}).status_code == 404


def test_an_arrangement_pasted_is_checked_in_full_then_imported(server, browser, staff):
    admin = browser("admin")
    page = admin.get("/console/admin/calendar")
    assert "日历完整至" in page.text
    csrf = csrf_of(page.text)
    text = (REPO_ROOT / "deploy" / "calendar" / "2026.json").read_text(encoding="utf-8")
    broken = json.loads(text)
    broken["holidays"][0]["work"] = ["2026-01-05"]  # a Monday as a make-up working day
    refused = admin.post("/console/admin/calendar/arrangements",
                         {"csrf": csrf, "arrangement": json.dumps(broken, ensure_ascii=False)})
    assert refused.status_code == 422 and "未导入，未作任何更改" in refused.text and 'id="problems"' in refused.text
    assert "2026-01-05" in refused.text  # the text pasted, kept to mend
    not_json = admin.post("/console/admin/calendar/arrangements", {"csrf": csrf, "arrangement": "{"})
    assert not_json.status_code == 422 and "not valid JSON" in not_json.text
    assert not audit_entries(staff, "calendar.import")
    imported = admin.post("/console/admin/calendar/arrangements", {"csrf": csrf, "arrangement": text})
    assert imported.status_code == 303 and imported.headers["location"] == "/console/admin/calendar?imported=2026"
    shown = admin.get(imported.headers["location"]).text
    assert "2026 年放假安排已导入" in shown
    years = re.search(r'<table id="years">(.*?)</table>', shown, re.S).group(1)
    assert "国办发明电〔2025〕7号" in years and ">admin<" in years
    (entry,) = audit_entries(staff, "calendar.import")
    assert entry["actor"] == "staff:admin" and entry["subject"] == "2026"


def test_the_catalogue_shows_its_items_and_the_versions_kiosks_refresh_to(server, browser):
    admin = browser("admin")
    page = admin.get("/console/admin/catalogue").text
    row = re.search(rf'<tr class="item" data-item="{FOOD}">(.*?)</tr>', page, re.S).group(1)
    assert "食品经营许可" in row and "市场监督管理局" in row and "承诺" in row and "不收费" in row
    (version,) = re.findall(r'<tr class="version" data-version="(\d+)">', page)
    assert version == "1" and "（当前）" in page and "kiosk-backoffice load-catalogue" in page
    item = admin.get(f"/console/admin/catalogue/items/{FOOD}")
    assert item.status_code == 200 and "食品经营许可" in item.text and '<table id="materials">' in item.text
    assert admin.get("/console/admin/catalogue/items/NO-SUCH-ITEM").status_code == 404
    english = browser("admin")
    english.get("/console/language/en")
    assert "Time limit (working days)" in english.get("/console/admin/catalogue").text


def upload(admin: Browser, data: bytes, action: str, csrf: str = "") -> requests.Response:
    """The catalogue form as a browser sends it: multipart, the file under its name."""
    return admin.post("/console/admin/catalogue/load", {"csrf": csrf or csrf_of(admin.get(
        "/console/admin/catalogue").text), "action": action},
        files={"catalogue": ("catalogue.json", data, "application/json")})


def test_a_catalogue_uploaded_is_checked_in_full_then_loaded_as_the_version_kiosks_refresh_to(server, browser,
                                                                                                staff):
    admin = browser("admin")
    seed = json.loads((REPO_ROOT / "assets" / "seed" / "catalogue.json").read_text(encoding="utf-8"))
    food = next(item for item in seed["items"] if item["code"] == FOOD)
    broken = json.loads(json.dumps(seed))
    del next(item for item in broken["items"] if item["code"] == FOOD)["department"]
    broken["items"].append({"code": "NO-NAME"})
    refused = upload(admin, json.dumps(broken, ensure_ascii=False).encode(), "load")
    assert refused.status_code == 422 and 'id="problems"' in refused.text and "未加载，未作任何更改" in refused.text
    assert refused.text.count("<li>") >= 2 + refused.text.count('<li><a')  # every problem listed at once
    assert upload(admin, b"{", "check").status_code == 422
    assert "请先选择目录文件" in upload(admin, b"", "load").text
    food["promised_days"] = max(1, food["promised_days"] - 1)  # the county shortens a promise
    changed = json.dumps(seed, ensure_ascii=False).encode()
    checked = upload(admin, changed, "check")
    assert checked.status_code == 200 and 'id="checked"' in checked.text
    terminal = BackofficeClient(server.url, terminal_id="CM-KIOSK-0001",
                                secret=server.terminal_secret_file.read_text())
    assert terminal.catalogue_version() == 1  # checked, not loaded
    loaded = upload(admin, changed, "load")
    assert loaded.status_code == 303 and loaded.headers["location"] == "/console/admin/catalogue?loaded=2"
    page = admin.get(loaded.headers["location"]).text
    assert 'id="loaded"' in page and re.findall(r'<tr class="version" data-version="(\d+)">', page)[0] == "2"
    row = re.search(rf'<tr class="item" data-item="{FOOD}">(.*?)</tr>', page, re.S).group(1)
    assert f"承诺 {food['promised_days']} 天" in row or str(food["promised_days"]) in row
    assert terminal.catalogue_version() == 2 and terminal.guide(FOOD)["promised_days"] == food["promised_days"]
    (entry,) = audit_entries(staff, "catalogue.load")[-1:]
    assert entry["actor"] == "staff:admin" and entry["subject"] == "v2" and entry["detail"]["changed"] == 1


def test_only_administrators_load_a_catalogue_and_an_anonymous_upload_is_cut_off(server, browser):
    data = (REPO_ROOT / "assets" / "seed" / "catalogue.json").read_bytes()
    for username in ("clerk01", "supervisor01"):
        other = browser(username)
        assert upload(other, data, "load", csrf=other.csrf()).status_code == 403, username
    admin = browser("admin")
    assert upload(admin, data, "load", csrf="stale").status_code == 403
    anonymous = requests.post(server.url + "/console/admin/catalogue/load", timeout=30,
                              files={"catalogue": ("catalogue.json", data, "application/json")})
    assert anonymous.status_code == 413  # a body this size only from a caller who says who they are


def test_a_stale_csrf_token_is_refused(server, browser, staff):
    admin = browser("admin")
    stale = csrf_of(admin.get("/console/admin/staff").text)
    assert admin.sign_in("admin").status_code == 303  # a new session: the old form's token is stale
    for path, form in (("/console/admin/staff", {"username": "stale-form", "role": "clerk"}),
                       ("/console/admin/staff/clerk01/disabled", {"disabled": "1", "reason": "stale"}),
                       ("/console/admin/staff/clerk01/totp", {}),
                       ("/console/admin/terminals", {"id": "CM-STALE-01"}),
                       ("/console/admin/terminals/CM-KIOSK-0001/secret", {}),
                       ("/console/admin/calendar/days", {"day": "2026-12-29", "kind": "rest", "reason": "stale"})):
        assert admin.post(path, {"csrf": stale, **form}).status_code == 403, path
        assert admin.post(path, form).status_code == 403, path
    staff_page = admin.get("/console/admin/staff").text
    assert "stale-form" not in staff_page
    assert "CM-STALE-01" not in admin.get("/console/admin/terminals").text
    assert working_days(staff, "2026-12-29") == 1
    assert browser("clerk01").get("/console/queue").status_code == 200  # not disabled


def test_no_secret_shown_reaches_the_audit_log(server, browser, staff):
    admin = browser("admin")
    username, password = create_account(admin)
    enrolled = admin.post(f"/console/admin/staff/{username}/totp",
                          {"csrf": csrf_of(admin.get("/console/admin/staff").text)})
    key = shown_once(enrolled)[-1]
    terminal_id, secret = register(admin)
    rotated = shown_once(admin.post(f"/console/admin/terminals/{terminal_id}/secret",
                                    {"csrf": csrf_of(admin.get("/console/admin/terminals").text)}))[-1]
    log = json.dumps(whole_audit_log(staff), ensure_ascii=False)
    for subject in (username, terminal_id):
        assert subject in log  # each change audited
    for shown in (password, key, secret, rotated):
        assert shown not in log


# --- with the second factor on, as in production ------------------------------------------------

@pytest.fixture(scope="module")
def mfa_server(tmp_path_factory):
    var = tmp_path_factory.mktemp("bo-admin-mfa")
    bo = EmbeddedBackoffice(database=var / "backoffice.db", log_file=var / "backoffice.log",
                            environ={"BACKOFFICE_MFA_ROLES": "admin,supervisor"})
    bo.start()
    yield bo
    bo.stop()


def sign_in_with_code(b: Browser, username: str, password: str, key: str) -> requests.Response:
    form = {"csrf": csrf_of(b.get("/console/sign-in").text), "username": username, "password": password,
            "totp": totp.code_at(key, time.time())}
    return b.post("/console/sign-in", form)


def test_an_authenticator_enrolled_in_the_console_signs_in(mfa_server):
    enrolled = backoffice_cli(mfa_server.database.parent, "enroll-totp", "admin")
    assert enrolled.returncode == 0, enrolled.stderr
    admin = Browser(mfa_server.url)
    assert sign_in_with_code(admin, "admin", "chengmai-demo", json.loads(enrolled.stdout)["secret"]).status_code == 303
    username, password = create_account(admin, "supervisor")
    assert Browser(mfa_server.url).sign_in(username, password).status_code == 403  # no authenticator yet
    key = shown_once(admin.post(f"/console/admin/staff/{username}/totp",
                                {"csrf": csrf_of(admin.get("/console/admin/staff").text)}))[-1]
    signed_in = sign_in_with_code(Browser(mfa_server.url), username, password, key)
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/console/supervision"
