"""The staff console in a real browser: Debian's headless chromium driven by selenium
(chromium-driver), against the real back office. A clerk signs in through the form, finds
a kiosk's case in the queue, switches to English, opens the materials viewer, rotates a
page and pages through with htmx, and signs out; an administrator creates an account and
enrols its authenticator (the QR code drawn in the page); under the Content-Security-Policy
the console's scripts and images load and nothing is blocked."""
from __future__ import annotations

import base64
import io
import json
import os
from pathlib import Path

import pytest
import requests
import zxingcpp
from PIL import Image
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as seen
from selenium.webdriver.support.ui import WebDriverWait

from proof.console_tour import open_chromium
from proof.console_tour import shoot as tour_shoot
from services.api import TerminalSignature
from tests.api.submissions import WANG, application
from tests.api.test_console import FOOD, page_images

TERMINAL = "CM-KIOSK-0001"
SHOTS = Path(os.environ.get("CONSOLE_TEST_SHOTS", "/tmp/console-shots"))  # to look at, as a clerk sees them


def shoot(driver, name: str) -> None:
    """A screenshot to look at, and no serious or critical axe-core finding on the page."""
    serious = tour_shoot(driver, SHOTS, name)
    assert not serious, f"{name}: {serious}"


@pytest.fixture(scope="module")
def kiosk_case(backoffice) -> str:
    token = requests.post(f"{backoffice.url}/v1/auth/token", json={"username": "clerk01",
                                                                  "password": "chengmai-demo"}, timeout=30)
    guide = requests.get(f"{backoffice.url}/v1/catalogue/items/{FOOD}", timeout=30,
                         headers={"Authorization": f"Bearer {token.json()['access_token']}"}).json()
    body = application(guide, WANG)
    jpeg, tiff = page_images()
    paper = [m for m in body["materials"] if m["form"] != "electronic"]
    paper[0].update(content_b64=base64.b64encode(tiff).decode(), content_type="image/tiff")
    paper[1].update(content_b64=base64.b64encode(jpeg).decode(), content_type="image/jpeg")
    signed = requests.Session()
    signed.auth = TerminalSignature(TERMINAL, backoffice.terminal_secret_file.read_text())
    answer = signed.post(f"{backoffice.url}/v1/cases", data=json.dumps(body), timeout=30,
                         headers={"Content-Type": "application/json", "Idempotency-Key": "console-browser-1"})
    assert answer.status_code == 201, answer.text
    return answer.json()["case"]["number"]


@pytest.fixture(scope="module")
def chromium():
    driver = open_chromium()
    yield driver
    driver.quit()


def test_a_clerk_signs_in_views_a_material_and_signs_out(backoffice, kiosk_case, chromium):
    wait = WebDriverWait(chromium, 15)
    chromium.get(f"{backoffice.url}/console/")
    assert chromium.current_url.endswith("/console/sign-in")
    shoot(chromium, "01-sign-in")
    chromium.find_element(By.ID, "username").send_keys("clerk01")
    chromium.find_element(By.ID, "password").send_keys("chengmai-demo")
    chromium.find_element(By.ID, "sign-in").click()
    wait.until(seen.url_contains("/console/queue"))
    assert "综合受理" in chromium.find_element(By.TAG_NAME, "h1").text
    shoot(chromium, "02-queue-zh")

    chromium.find_element(By.ID, "language").click()
    wait.until(seen.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Comprehensive window queue"))
    chromium.find_element(By.LINK_TEXT, kiosk_case).click()
    wait.until(seen.url_contains(f"/console/cases/{kiosk_case}"))
    assert "Form answers" in chromium.page_source
    shoot(chromium, "03-case-en")

    chromium.find_elements(By.CSS_SELECTOR, "a.view")[0].click()
    image = wait.until(seen.presence_of_element_located((By.CSS_SELECTOR, "[data-page-image]")))
    wait.until(lambda d: d.execute_script("return arguments[0].complete && arguments[0].naturalWidth", image))
    assert chromium.execute_script("return arguments[0].naturalWidth", image) == 600  # decoded, shown
    chromium.find_element(By.CSS_SELECTOR, '[data-viewer="rotate"]').click()
    chromium.find_element(By.CSS_SELECTOR, '[data-viewer="zoom-in"]').click()
    transform = chromium.find_element(By.CSS_SELECTOR, "[data-page-image]").get_attribute("style")
    assert "rotate(90deg)" in transform and "scale(1.25)" in transform  # console.js ran under the CSP
    shoot(chromium, "04-viewer-rotated")

    chromium.find_element(By.LINK_TEXT, "Next page").click()  # htmx swaps the page part in
    wait.until(seen.text_to_be_present_in_element((By.CSS_SELECTOR, ".pager span"), "2 / 2"))
    assert chromium.current_url.endswith("?page=2")  # pushed into the history
    assert "Sign out" in chromium.page_source  # the page around the swapped part is still there
    assert "rotate(90deg)" in chromium.find_element(By.CSS_SELECTOR, "[data-page-image]").get_attribute("style")

    blocked = [e for e in chromium.get_log("browser") if "Content Security Policy" in e["message"]]
    assert not blocked, blocked

    chromium.find_element(By.ID, "sign-out").click()
    wait.until(seen.url_contains("/console/sign-in"))
    chromium.get(f"{backoffice.url}/console/queue")
    assert chromium.current_url.endswith("/console/sign-in")


def test_a_supervisor_lands_on_the_dashboard_with_its_chart(backoffice, chromium):
    """统一督办: a supervisor signs in and sees the lights, the cases to chase and the
    ratings chart (inline SVG, styled by console.css under the Content-Security-Policy)."""
    token = requests.post(f"{backoffice.url}/v1/auth/token", json={"username": "clerk01",
                                                                  "password": "chengmai-demo"}, timeout=30)
    clerk = {"Authorization": f"Bearer {token.json()['access_token']}", "Content-Type": "application/json"}
    for number, level, reasons in (("469023-0002", 1, ["态度差"]), ("469023-0005", 5, [])):
        rated = requests.post(f"{backoffice.url}/v1/cases/{number}/rating", timeout=30,
                              headers={**clerk, "Idempotency-Key": f"console-browser-rating-{number}"},
                              data=json.dumps({"level": level, "reasons": reasons}))
        assert rated.status_code in (201, 409), rated.text  # 409: rated on an earlier run's database
    wait = WebDriverWait(chromium, 15)
    chromium.delete_all_cookies()
    chromium.get(f"{backoffice.url}/console/sign-in")
    chromium.find_element(By.ID, "username").send_keys("supervisor01")
    chromium.find_element(By.ID, "password").send_keys("chengmai-demo")
    chromium.find_element(By.ID, "sign-in").click()
    wait.until(seen.url_contains("/console/supervision"))
    assert "统一督办" in chromium.find_element(By.TAG_NAME, "h1").text
    chart = chromium.find_element(By.ID, "ratings-chart")
    assert chart.size["width"] > 300 and chart.size["height"] > 100  # drawn, not collapsed
    bar = chromium.find_element(By.CSS_SELECTOR, "#ratings-chart .bars rect")
    assert chromium.execute_script("return getComputedStyle(arguments[0]).fill", bar) == "rgb(91, 143, 199)"
    height = chromium.execute_script("return document.documentElement.scrollHeight")
    chromium.set_window_size(1280, height + 200)  # the whole dashboard in one picture
    shoot(chromium, "05-supervision")
    chromium.find_element(By.ID, "language").click()
    wait.until(seen.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Supervision dashboard"))
    chromium.set_window_size(1280, chromium.execute_script("return document.documentElement.scrollHeight") + 200)
    shoot(chromium, "06-supervision-en")
    chromium.find_element(By.ID, "language").click()  # back to Chinese for what follows
    wait.until(seen.text_to_be_present_in_element((By.TAG_NAME, "h1"), "统一督办"))
    chromium.set_window_size(1280, 900)
    blocked = [e for e in chromium.get_log("browser") if "Content Security Policy" in e["message"]]
    assert not blocked, blocked


def test_an_admin_sees_the_fleet_and_a_terminal(backoffice, chromium):
    """The demo's kiosk heartbeats over the signed API, then shows on the fleet page."""
    signed = requests.Session()
    signed.auth = TerminalSignature(TERMINAL, backoffice.terminal_secret_file.read_text())
    beat = {"app_version": "0.9.7", "uptime_s": 60, "outbox_length": 2, "disk_free_mb": 20480,
            "catalogue_version": 1, "outbox": {"pending": 2, "parked": 0},
            "devices": {"receipt_printer": {"state": "online", "media": "low"},
                        "idcard": {"state": "online", "media": None}}}
    answer = signed.post(f"{backoffice.url}/v1/terminals/heartbeat", data=json.dumps(beat), timeout=30,
                         headers={"Content-Type": "application/json"})
    assert answer.status_code == 200, answer.text
    wait = WebDriverWait(chromium, 15)
    chromium.get(f"{backoffice.url}/console/language/zh_CN?next=/console/sign-in")  # the clerk left it in English
    chromium.find_element(By.ID, "username").send_keys("admin")
    chromium.find_element(By.ID, "password").send_keys("chengmai-demo")
    chromium.find_element(By.ID, "sign-in").click()
    wait.until(seen.url_contains("/console/queue"))
    chromium.find_element(By.CSS_SELECTOR, 'nav a[href="/console/fleet"]').click()
    wait.until(seen.url_contains("/console/fleet"))
    assert "终端管理" in chromium.find_element(By.TAG_NAME, "h1").text
    assert chromium.find_element(By.CSS_SELECTOR, f'tr[data-terminal="{TERMINAL}"]')
    shoot(chromium, "05-fleet")
    chromium.find_element(By.LINK_TEXT, TERMINAL).click()
    wait.until(seen.url_contains(f"/console/fleet/{TERMINAL}"))
    assert "receipt_printer" in chromium.page_source
    chromium.set_window_size(1280, 1700)  # the whole page: commands and the admin's forms too
    shoot(chromium, "06-fleet-terminal")
    chromium.set_window_size(1280, 900)
    blocked = [e for e in chromium.get_log("browser") if "Content Security Policy" in e["message"]]
    assert not blocked, blocked


def test_an_admin_creates_an_account_and_enrols_its_authenticator(backoffice, chromium):
    """The administration's pages in the browser: an account made through the form, its
    one-time password and its authenticator's QR code shown once; the terminals, the
    calendar and the catalogue."""
    wait = WebDriverWait(chromium, 15)
    chromium.delete_all_cookies()
    chromium.get(f"{backoffice.url}/console/language/zh_CN?next=/console/sign-in")
    chromium.find_element(By.ID, "username").send_keys("admin")
    chromium.find_element(By.ID, "password").send_keys("chengmai-demo")
    chromium.find_element(By.ID, "sign-in").click()
    wait.until(seen.url_contains("/console/queue"))
    chromium.find_element(By.CSS_SELECTOR, 'nav a[href="/console/admin/staff"]').click()
    wait.until(seen.url_contains("/console/admin/staff"))
    shoot(chromium, "07-admin-staff")
    chromium.find_element(By.ID, "username").send_keys("browser-supervisor")
    chromium.find_element(By.CSS_SELECTOR, '#role option[value="supervisor"]').click()
    chromium.find_element(By.ID, "create").click()
    wait.until(seen.presence_of_element_located((By.ID, "shown-once")))
    assert len(chromium.find_elements(By.CSS_SELECTOR, "#shown-once code.secret")) == 3  # name, role, password
    shoot(chromium, "08-admin-account-created")
    chromium.find_element(By.ID, "done").click()
    wait.until(seen.presence_of_element_located((By.CSS_SELECTOR, 'tr[data-account="browser-supervisor"]')))
    chromium.find_element(By.CSS_SELECTOR, 'tr[data-account="browser-supervisor"] button.enrol').click()
    wait.until(seen.presence_of_element_located((By.CSS_SELECTOR, "svg.qr")))
    qr = chromium.find_element(By.CSS_SELECTOR, "svg.qr")
    assert qr.size["width"] >= 150 and qr.size["height"] == qr.size["width"]  # drawn, square
    (scanned,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.screenshot_as_png)))
    assert scanned.text == chromium.find_element(By.CSS_SELECTOR, "code.uri").text  # as a phone reads it
    chromium.set_window_size(1280, chromium.execute_script("return document.documentElement.scrollHeight") + 100)
    shoot(chromium, "09-admin-authenticator")
    chromium.set_window_size(1280, 900)
    for path, name in (("/console/admin/terminals", "10-admin-terminals"),
                       ("/console/admin/calendar", "11-admin-calendar"),
                       ("/console/admin/catalogue", "12-admin-catalogue"),
                       (f"/console/admin/catalogue/items/{FOOD}", "13-admin-item")):
        chromium.get(backoffice.url + path)
        assert chromium.find_element(By.CSS_SELECTOR, 'nav.sections a[aria-current="page"]')
        shoot(chromium, name)
    blocked = [e for e in chromium.get_log("browser") if "Content Security Policy" in e["message"]]
    assert not blocked, blocked
