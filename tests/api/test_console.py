"""The staff console over real HTTP (a browser's requests: a cookie, forms, CSRF tokens):
sign-in with the API's accounts and rules, the clerk's queue, a case submitted by a kiosk
with scanned pages, the materials viewer's watermarked pages and their audit, who is refused
what, sign-out. Run on SQLite and PostgreSQL as every module here."""
from __future__ import annotations

import base64
import io
import re

import pytest
import requests
from PIL import Image, ImageChops, ImageStat

from tests.api.submissions import WANG, application

PASSWORD = "chengmai-demo"
FOOD = "469023-XK-SCJG-0031"  # a food business licence: 市场监管 (SCJG) reviews it


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has a form with a CSRF token"
    return found.group(1)


class Browser:
    """A requests session that behaves as a browser does on the console: keeps cookies,
    posts forms, does not follow redirects (the tests look at them)."""

    def __init__(self, base: str):
        self.base, self.http = base, requests.Session()

    def get(self, path: str, **kw) -> requests.Response:
        return self.http.get(self.base + path, timeout=30, allow_redirects=False, **kw)

    def post(self, path: str, form: dict, **kw) -> requests.Response:
        return self.http.post(self.base + path, data=form, timeout=30, allow_redirects=False, **kw)

    def sign_in(self, username: str, password: str = PASSWORD) -> requests.Response:
        page = self.get("/console/sign-in")
        return self.post("/console/sign-in", {"csrf": csrf_of(page.text), "username": username,
                                              "password": password})

    def csrf(self) -> str:
        return csrf_of(self.get("/console/welcome").text)


@pytest.fixture(scope="module")
def browser(server):
    def open_as(username: str | None = None) -> Browser:
        b = Browser(server.url)
        if username:
            assert b.sign_in(username).status_code == 303
        return b

    return open_as


def page_images() -> tuple[bytes, bytes]:
    """A scanned ID card (one JPEG page) and a two-page TIFF, as a kiosk's camera sends them."""
    card = Image.new("RGB", (640, 400), (240, 240, 230))
    for x in range(40, 600, 40):
        card.paste((30, 60, 120), (x, 150, x + 20, 250))
    jpeg = io.BytesIO()
    card.save(jpeg, "JPEG", quality=90)
    first, second = Image.new("RGB", (600, 800), "white"), Image.new("RGB", (600, 800), (250, 250, 200))
    tiff = io.BytesIO()
    first.save(tiff, "TIFF", save_all=True, append_images=[second], compression="tiff_lzw")
    return jpeg.getvalue(), tiff.getvalue()


@pytest.fixture(scope="module")
def scanned(terminal, staff):
    """A case a kiosk submitted with scanned pages on its first two paper materials."""
    guide = staff("clerk01").get(f"/v1/catalogue/items/{FOOD}").json()
    body = application(guide, WANG)
    jpeg, tiff = page_images()
    paper = [m for m in body["materials"] if m["form"] != "electronic"]
    assert len(paper) >= 2, "the item asks for two paper materials"
    paper[0].update(content_b64=base64.b64encode(jpeg).decode(), content_type="image/jpeg")
    paper[1].update(content_b64=base64.b64encode(tiff).decode(), content_type="image/tiff")
    answer = terminal.post("/v1/cases", body)
    assert answer.status_code == 201, answer.text
    case = answer.json()["case"]
    with_pages = [i for i, m in enumerate(case["materials"], start=1) if m["has_content"]]
    return {"number": case["number"], "jpeg": jpeg, "tiff": tiff, "first": with_pages[0], "second": with_pages[1],
            "codes": [m["code"] for m in case["materials"]]}


def audit_entries(staff, action: str) -> list[dict]:
    return [e for e in staff("admin").get("/v1/audit", params={"limit": 1000}).json()["entries"]
            if e["action"] == action]


def test_signing_in_sets_a_strict_http_only_session_cookie(browser):
    b = browser()
    form = b.get("/console/sign-in")
    assert form.status_code == 200 and "登录" in form.text  # Chinese first
    assert "script-src 'self'" in form.headers["Content-Security-Policy"]
    answer = b.post("/console/sign-in", {"csrf": csrf_of(form.text), "username": "clerk01", "password": PASSWORD})
    assert answer.status_code == 303 and answer.headers["location"] == "/console/queue"
    cookie = next(c for c in answer.raw.headers.getlist("Set-Cookie") if c.startswith("console_session="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    assert "Path=/console" in cookie
    assert "Secure" not in cookie  # plain HTTP on loopback; over TLS the cookie is Secure
    assert b.get("/console/queue").status_code == 200


def test_behind_the_tls_proxy_the_session_cookie_is_secure(browser):
    """nginx tells the back office the request came over TLS (X-Forwarded-Proto, trusted from
    loopback as deploy/nginx sets it): the cookie is then never sent over plain HTTP."""
    b = browser()
    tls = {"X-Forwarded-Proto": "https"}
    form = b.get("/console/sign-in", headers=tls)
    assert "Secure" in form.headers["Set-Cookie"]  # the sign-in form's own cookie too
    # requests keeps a Secure cookie from plain HTTP, as a browser would: given by hand here.
    pre = f"console_csrf={form.cookies['console_csrf']}"
    answer = b.post("/console/sign-in", {"csrf": csrf_of(form.text), "username": "clerk01", "password": PASSWORD},
                    headers={**tls, "Cookie": pre})
    assert answer.status_code == 303
    cookie = next(c for c in answer.raw.headers.getlist("Set-Cookie") if c.startswith("console_session="))
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_sign_in_refuses_a_wrong_password_and_a_form_without_its_token(browser):
    b = browser()
    wrong = b.sign_in("clerk01", "not-the-password")
    assert wrong.status_code == 401 and "用户名、密码或动态码错误" in wrong.text
    assert "console_session" not in b.http.cookies
    no_token = b.post("/console/sign-in", {"username": "clerk01", "password": PASSWORD})
    assert no_token.status_code == 403
    forged = browser().post("/console/sign-in", {"csrf": "made-up", "username": "clerk01", "password": PASSWORD})
    assert forged.status_code == 403  # no cookie to match: a page elsewhere cannot sign anyone in


def test_pages_send_the_unsigned_to_sign_in(browser, scanned):
    b = browser()
    for path in ("/console/queue", f"/console/cases/{scanned['number']}",
                 f"/console/cases/{scanned['number']}/materials/{scanned['first']}/pages/1.jpg"):
        answer = b.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == "/console/sign-in", path


def test_the_queue_lists_the_front_desk_cases_most_urgent_first(browser, scanned):
    page = browser("clerk01").get("/console/queue")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "综合受理" in page.text
    numbers = re.findall(r'<tr class="case" data-number="([^"]+)"', page.text)
    # The demo's received, correction, accepted and completed cases and the kiosk's new one;
    # none under a department's review.
    assert {"469023-0006", "469023-0003", "469023-0004", "469023-0002", scanned["number"]} <= set(numbers)
    assert "469023-0001" not in numbers and "469023-0008" not in numbers
    lights = re.findall(r'<tr class="case"[^>]*>\s*<td>(?:<span class="light (\w+)">)?', page.text)
    rank = {"red": 0, "yellow": 1, "green": 2, "": 3}
    assert [rank[l] for l in lights] == sorted(rank[l] for l in lights)
    assert WANG["name"] not in page.text and "王*" in page.text  # the applicant masked


def test_the_language_switch_shows_english(browser):
    b = browser("clerk01")
    switched = b.get("/console/language/en", params={"next": "/console/queue"})
    assert switched.status_code == 303 and switched.headers["location"] == "/console/queue"
    page = b.get("/console/queue")
    assert "Comprehensive window queue" in page.text and "综合受理" not in page.text
    assert b.get("/console/language/zh_CN", params={"next": "https://elsewhere.example/"}).headers["location"] \
        == "/console/"  # never a redirect off the console


def test_a_case_shows_its_answers_materials_commitments_and_timeline(browser, scanned, staff):
    page = browser("clerk01").get(f"/console/cases/{scanned['number']}")
    assert page.status_code == 200
    assert "申请表内容" in page.text and "申请材料" in page.text and "办理过程" in page.text
    assert WANG["document_number"] not in page.text  # masked, as the applicant
    assert page.text.count("/materials/") == 2  # the two materials with scanned pages
    demo = browser("clerk01").get("/console/cases/469023-0004")  # an accepted demo case
    assert demo.status_code == 200
    assert any(e["subject"] == scanned["number"] and e["actor"] == "staff:clerk01"
               for e in audit_entries(staff, "case.view"))


def test_a_material_page_is_decrypted_watermarked_uncached_and_audited(browser, scanned, staff):
    b = browser("clerk01")
    viewer = b.get(f"/console/cases/{scanned['number']}/materials/{scanned['first']}")
    assert viewer.status_code == 200 and 'data-page-image' in viewer.text
    assert 'data-viewer="rotate"' in viewer.text and 'data-viewer="zoom-in"' in viewer.text
    answer = b.get(f"/console/cases/{scanned['number']}/materials/{scanned['first']}/pages/1.jpg")
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/jpeg"
    assert answer.headers["Cache-Control"] == "no-store"
    shown = Image.open(io.BytesIO(answer.content)).convert("RGB")
    original = Image.open(io.BytesIO(scanned["jpeg"])).convert("RGB")
    assert shown.size == original.size
    difference = ImageChops.difference(shown, original).convert("L")
    assert sum(difference.histogram()[41:]) > shown.width * shown.height // 50  # drawn over
    foot = shown.crop((0, shown.height - 10, shown.width, shown.height)).convert("L")
    assert ImageStat.Stat(foot).mean[0] < 110  # the dark band with the name
    views = [e for e in audit_entries(staff, "material.view") if e["subject"] == scanned["number"]]
    assert any(e["actor"] == "staff:clerk01" and e["detail"]["page"] == 1
               and e["detail"]["material"] == scanned["codes"][scanned["first"] - 1] for e in views)


def test_the_viewer_pages_through_a_many_page_material(browser, scanned, staff):
    b = browser("clerk01")
    base = f"/console/cases/{scanned['number']}/materials/{scanned['second']}"
    first = b.get(base)
    assert "1 / 2" in first.text and f'hx-get="{base}?page=2"' in first.text
    part = b.get(base, params={"page": 2}, headers={"HX-Request": "true"})  # htmx swaps in the page part
    assert part.status_code == 200 and "<html" not in part.text and "2 / 2" in part.text
    second = Image.open(io.BytesIO(b.get(f"{base}/pages/2.jpg").content)).convert("RGB")
    assert second.getpixel((5, 5))[2] < 230  # the second page's yellowish paper, not the first's white
    assert b.get(f"{base}/pages/3.jpg").status_code == 404
    assert any(e["detail"]["page"] == 2 for e in audit_entries(staff, "material.view")
               if e["subject"] == scanned["number"])


def test_who_may_open_which_case(browser, scanned, staff):
    clerk = staff("clerk01")
    # The demo's case under 市场监管's review (469023-0001 is one of SCJG's items).
    in_review = "469023-0001"
    department = clerk.get(f"/v1/cases/{in_review}").json()["department_code"]
    own = {"SCJG": "approver-scjg", "RS": "approver-rs", "ZRGH": "approver-zrgh", "MZ": "approver-mz",
           "JY": "approver-jy"}[department]
    other = "approver-rs" if own != "approver-rs" else "approver-mz"
    assert browser("clerk01").get(f"/console/cases/{in_review}").status_code == 403  # past the front desk
    assert browser(own).get(f"/console/cases/{in_review}").status_code == 200
    assert browser(other).get(f"/console/cases/{in_review}").status_code == 403
    assert browser("supervisor01").get(f"/console/cases/{in_review}").status_code == 200
    # The kiosk's case, routed to 市场监管: its materials are SCJG's to see, not 人社's, and no
    # longer the clerk's.
    assert clerk.act(scanned["number"], "accept").status_code == 200
    assert clerk.act(scanned["number"], "route").status_code == 200
    image = f"/console/cases/{scanned['number']}/materials/{scanned['first']}/pages/1.jpg"
    assert browser("approver-scjg").get(image).status_code == 200
    refused = browser("approver-rs").get(image)
    assert refused.status_code == 403 and refused.headers["content-type"].startswith("text/html")
    assert browser("clerk01").get(image).status_code == 403
    assert not any(e["actor"] == "staff:approver-rs" for e in audit_entries(staff, "material.view"))
    assert browser("approver-scjg").get("/console/queue").status_code == 403  # the clerk's queue


def test_sign_out_needs_this_sessions_token_and_revokes_it(browser, server):
    b = browser("clerk01")
    stale = b.csrf()
    token = b.http.cookies["console_session"]
    assert b.post("/console/sign-out", {}).status_code == 403  # no token
    assert b.post("/console/sign-out", {"csrf": "0" * 64}).status_code == 403  # a wrong one
    # A token of an earlier session (signed in again since: that session ended) is stale.
    assert b.sign_in("clerk01").status_code == 303
    assert b.post("/console/sign-out", {"csrf": stale}).status_code == 403
    assert b.get("/console/queue").status_code == 200  # still signed in after the refusals
    current = b.http.cookies["console_session"]
    out = b.post("/console/sign-out", {"csrf": b.csrf()})
    assert out.status_code == 303 and out.headers["location"] == "/console/sign-in"
    assert b.get("/console/queue").status_code == 303
    for ended in (token, current):  # the tokens open neither the console nor the API
        probe = requests.get(f"{server.url}/v1/cases/469023-0004", headers={"Authorization": f"Bearer {ended}"},
                             timeout=30)
        assert probe.status_code == 401
    replay = Browser(server.url)
    replay.http.cookies.set("console_session", current, path="/console")
    assert replay.get("/console/queue").status_code == 303


def test_the_console_is_not_in_the_api_document(server):
    paths = requests.get(f"{server.url}/openapi.json", timeout=30).json()["paths"]
    assert not [p for p in paths if p.startswith("/console")]
    htmx = requests.get(f"{server.url}/console/static/htmx.min.js", timeout=30)
    assert htmx.status_code == 200 and "htmx 2.0.11" in htmx.text[:200]


def test_a_queue_longer_than_its_page_says_how_many_wait_in_all(browser, server, scanned):
    """The page lists the QUEUE_LIMIT most urgent cases; the count beside them is the whole
    queue's, not the rows shown."""
    from backoffice.console.queues import QUEUE_LIMIT
    from backoffice.models import Case
    from tests.api.database import execute_sql

    def shown() -> tuple[list[str], str]:
        page = browser("clerk01").get("/console/queue")
        assert page.status_code == 200
        return re.findall(r'<tr class="case" data-number="([^"]+)"', page.text), page.text

    before, text = shown()
    assert f"共{len(before)}件。" in text
    copied = [c.name for c in Case.__table__.columns if c.name not in ("id", "number")]
    # Waiting at the front desk, whatever the scanned case's own status is by now.
    taken = ", ".join("'received'" if name == "status" else f"c.{name}" for name in copied)
    execute_sql(server, f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {QUEUE_LIMIT}) "
                f"INSERT INTO cases (number, {', '.join(copied)}) SELECT 'QUEUE-' || n.i, "
                f"{taken} FROM cases c, n WHERE c.number = :number",
                number=scanned["number"])
    try:
        numbers, text = shown()
        assert len(numbers) == QUEUE_LIMIT
        assert f"显示最紧急的{QUEUE_LIMIT}件，共{len(before) + QUEUE_LIMIT}件。" in text
    finally:
        execute_sql(server, "DELETE FROM cases WHERE number LIKE 'QUEUE-%'")
