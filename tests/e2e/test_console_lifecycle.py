"""A case's whole life worked in a real browser (Debian's headless chromium, selenium) against
the real back office: a kiosk submits it with scanned pages and a 容缺 material, as the kiosk
does (signed, under the citizen's presence grant); the clerk views a material and asks for a
correction, which the citizen supplies at the kiosk; the clerk accepts, records the 容缺
material brought to the counter and sends the case on; the food licence's approver views the
materials, approves and completes; the clerk prints the e-licence and hands it over; the
citizen rates it badly at the kiosk, and the supervisor works the rectification to its end on
the dashboard. A clerk is refused an approver's page and a case in review; a form with a CSRF
token from before signing out and in again is refused and changes nothing. Every page
visited is photographed and checked by axe-core (no serious or critical finding)."""
from __future__ import annotations

import base64
import uuid

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as seen
from selenium.webdriver.support.ui import WebDriverWait

from proof.console_tour import DEMO_PASSWORD, open_chromium
from services.api import BackofficeClient
from tests.api.submissions import WANG, application
from tests.api.test_console import FOOD, page_images
from tests.e2e.test_console_browser import TERMINAL, shoot
from tests.presence import confirm

IN_REVIEW = "469023-0001"  # the demo's case in 市场监管's review


@pytest.fixture(scope="module")
def chromium():
    driver = open_chromium()
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def kiosk(backoffice) -> BackofficeClient:
    """The kiosk's own client: signed with the terminal's secret."""
    return BackofficeClient(backoffice.url, timeout=30, terminal_id=TERMINAL,
                            secret=backoffice.terminal_secret_file.read_text())


@pytest.fixture(scope="module")
def api(backoffice):
    """The back office's API as a staff member sees it, to check what the browser did."""
    def as_user(username: str) -> requests.Session:
        token = requests.post(f"{backoffice.url}/v1/auth/token", timeout=30,
                              json={"username": username, "password": DEMO_PASSWORD}).json()["access_token"]
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        return session

    supervisor = as_user("supervisor01")

    def case(number: str) -> dict:
        answer = supervisor.get(f"{backoffice.url}/v1/cases/{number}", timeout=30)
        assert answer.status_code == 200, answer.text
        return answer.json()

    return case


def citizen_grant(backoffice, kiosk: BackofficeClient) -> str:
    """王建国 at the kiosk confirms it is him with the code texted to his phone."""
    return confirm(kiosk, backoffice.phone_inbox, WANG["document_number"])


def food_application(backoffice) -> dict:
    """The food licence with scanned pages on its first two paper materials and one
    material (of the two it allows) deferred under the signed commitment (容缺)."""
    guide = requests.get(f"{backoffice.url}/v1/catalogue/items/{FOOD}", timeout=30).json()
    body = application(guide, WANG, defer=True)
    assert len(body["deferred"]) >= 2
    kept = body["deferred"][1:]  # brought with the application after all
    body["deferred"] = body["deferred"][:1]
    forms = {m["code"]: m for m in guide["materials"]}
    body["materials"] += [{"code": code, "form": forms[code]["forms"][0], "copies": forms[code]["copies"]}
                          for code in kept]
    jpeg, tiff = page_images()
    paper = [m for m in body["materials"] if m["form"] != "electronic"]
    paper[0].update(content_b64=base64.b64encode(tiff).decode(), content_type="image/tiff")
    paper[1].update(content_b64=base64.b64encode(jpeg).decode(), content_type="image/jpeg")
    return body


# --- what the browser does --------------------------------------------------------------------

def sign_in(driver, backoffice, username: str, lands_on: str) -> None:
    driver.get(f"{backoffice.url}/console/sign-in")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(DEMO_PASSWORD)
    driver.find_element(By.ID, "sign-in").click()
    WebDriverWait(driver, 15).until(seen.url_contains(lands_on))


def sign_out(driver) -> None:
    driver.find_element(By.ID, "sign-out").click()
    WebDriverWait(driver, 15).until(seen.url_contains("/console/sign-in"))


def press(driver, button_id: str, then: str) -> None:
    """Click a form's button, and wait for the page the form leads to."""
    button = driver.find_element(By.ID, button_id)
    old = driver.find_element(By.TAG_NAME, "html")
    button.click()
    WebDriverWait(driver, 15).until(seen.staleness_of(old))
    WebDriverWait(driver, 15).until(seen.url_contains(then))
    assert not driver.find_elements(By.CSS_SELECTOR, "p.error"), driver.find_element(By.TAG_NAME, "main").text


def open_details(driver, summary_text: str, within=None) -> None:
    where = within or driver
    summary = next(s for s in where.find_elements(By.TAG_NAME, "summary") if s.text.strip() == summary_text)
    summary.click()


def view_first_material(driver, number: str) -> None:
    """The viewer's first scanned page, decoded and shown; then back to the case."""
    driver.find_elements(By.CSS_SELECTOR, "a.view")[0].click()
    image = WebDriverWait(driver, 15).until(seen.presence_of_element_located((By.CSS_SELECTOR, "[data-page-image]")))
    WebDriverWait(driver, 15).until(
        lambda d: d.execute_script("return arguments[0].complete && arguments[0].naturalWidth", image))
    assert driver.execute_script("return arguments[0].naturalWidth", image) == 600


def status_line(driver) -> str:
    return driver.find_element(By.ID, "status").text


def timeline(driver) -> str:
    return driver.find_element(By.ID, "timeline").text


def fetch_status(driver, path: str, form: dict | None = None) -> int:
    """The HTTP status of a request the page makes itself (its cookie, same origin)."""
    script = """const [path, form, done] = arguments;
    const init = form ? {method: "POST", body: new URLSearchParams(form), redirect: "manual"} : {};
    fetch(path, init).then(r => done(r.status), e => done(String(e)));"""
    return driver.execute_async_script(script, path, form)


def no_csp_refusals(driver) -> None:
    blocked = [e for e in driver.get_log("browser") if "Content Security Policy" in e["message"]]
    assert not blocked, blocked


# --- the case's life --------------------------------------------------------------------------

def test_a_kiosk_case_is_worked_to_its_delivered_result_and_its_bad_rating_rectified(backoffice, chromium,
                                                                                    kiosk, api):
    driver, wait = chromium, WebDriverWait(chromium, 15)
    driver.set_window_size(1280, 1100)
    detail, receipt = kiosk.submit(food_application(backoffice), uuid.uuid4().hex,
                                   grant=citizen_grant(backoffice, kiosk))
    number = detail.number
    assert receipt.deferred and api(number)["deferred_pending"]

    # 综合受理: the clerk finds it in the queue, views a material, asks for a correction.
    sign_in(driver, backoffice, "clerk01", "/console/queue")
    shoot(driver, "lifecycle-01-queue")
    driver.find_element(By.LINK_TEXT, number).click()
    wait.until(seen.url_contains(f"/console/cases/{number}"))
    assert "尚未补交" in driver.find_element(By.ID, "deferred").text  # the 容缺 material, promised
    shoot(driver, "lifecycle-02-case-received")
    view_first_material(driver, number)
    shoot(driver, "lifecycle-03-viewer-clerk")
    driver.get(f"{backoffice.url}/console/cases/{number}")
    open_details(driver, "一次性告知补正")
    deficient = driver.find_element(By.CSS_SELECTOR, "form.correction input[type=checkbox]")
    ticked = deficient.get_attribute("name").removeprefix("deficient_")
    deficient.click()
    driver.find_element(By.ID, f"problem_{ticked}").send_keys("复印件不清晰，请重新扫描")
    shoot(driver, "lifecycle-04-correction-form")
    press(driver, "request-correction", f"/console/cases/{number}")
    assert "复印件不清晰" in driver.find_element(By.TAG_NAME, "main").text
    assert api(number)["status"] == "correction_required"
    shoot(driver, "lifecycle-05-correction-required")

    # The citizen comes back to a kiosk and supplies the corrected material there.
    wanted = api(number)["materials"][int(ticked) - 1]
    corrected = kiosk.case_action(number, "supplement", grant=citizen_grant(backoffice, kiosk),
                                  materials=[{"code": wanted["code"], "name": wanted["name"], "form": "original"}])
    assert corrected.status.value == "received"

    # The clerk accepts, records the 容缺 material brought to the counter, sends it on.
    driver.refresh()
    assert "补交材料" in timeline(driver)
    press(driver, "accept", f"/console/cases/{number}")
    open_details(driver, "登记申请人到窗口补交的容缺材料")
    driver.find_element(By.CSS_SELECTOR, "form.supplement input[type=checkbox]").click()
    shoot(driver, "lifecycle-06-deferred-brought")
    press(driver, "supplement", f"/console/cases/{number}")
    assert "已于" in driver.find_element(By.ID, "deferred").text and "窗口补交" in timeline(driver)
    assert not api(number)["deferred_pending"]
    shoot(driver, "lifecycle-07-deferred-supplied")
    press(driver, "route", "/console/queue")
    assert api(number)["status"] == "in_review" and number not in driver.page_source
    no_csp_refusals(driver)
    sign_out(driver)

    # 后台分类审批: 市场监管's approver views the materials, approves and completes.
    sign_in(driver, backoffice, "approver-scjg", "/console/department")
    shoot(driver, "lifecycle-08-department-queue")
    driver.find_element(By.LINK_TEXT, number).click()
    wait.until(seen.url_contains(f"/console/cases/{number}"))
    view_first_material(driver, number)
    driver.find_element(By.LINK_TEXT, "下一页").click()  # htmx swaps the second page in
    wait.until(seen.text_to_be_present_in_element((By.CSS_SELECTOR, ".pager span"), "2 / 2"))
    shoot(driver, "lifecycle-09-viewer-approver")
    driver.get(f"{backoffice.url}/console/cases/{number}")
    open_details(driver, "准予")
    shoot(driver, "lifecycle-10-approve")
    press(driver, "approve", f"/console/cases/{number}")
    press(driver, "complete", f"/console/cases/{number}")
    assert api(number)["status"] == "completed" and driver.find_elements(By.CSS_SELECTOR, "#licences li")
    shoot(driver, "lifecycle-11-completed")
    no_csp_refusals(driver)
    sign_out(driver)

    # 统一出件: the window prints the e-licence and hands it over.
    sign_in(driver, backoffice, "clerk01", "/console/queue")
    driver.find_element(By.LINK_TEXT, number).click()
    wait.until(seen.url_contains(f"/console/cases/{number}"))
    shoot(driver, "lifecycle-12-to-hand-over")
    printed = driver.find_element(By.CSS_SELECTOR, "a.print").get_attribute("href")
    pdf = driver.execute_async_script("""const done = arguments[1];
        fetch(arguments[0]).then(r => r.arrayBuffer().then(b => done([r.status, r.headers.get("content-type"),
            String.fromCharCode(...new Uint8Array(b.slice(0, 4)))])));""", printed)
    assert pdf == [200, "application/pdf", "%PDF"]
    press(driver, "deliver", "/console/queue")
    assert api(number)["status"] == "delivered"
    sign_out(driver)

    # The citizen rates it 非常不满意 at the kiosk: a rectification opens.
    rated = kiosk.rate(number, 1, ["等候时间长"], "", uuid.uuid4().hex, grant=citizen_grant(backoffice, kiosk))
    rect_id = rated["rectification"]["id"]

    # 统一督办: the supervisor calls back and rectifies from the dashboard.
    sign_in(driver, backoffice, "supervisor01", "/console/supervision")
    row = driver.find_element(By.CSS_SELECTOR, f'tr.rectification[data-number="{number}"]')
    assert row.get_attribute("data-status") == "open"
    open_details(driver, "登记回访", within=row)
    driver.find_element(By.ID, f"callback-note-{rect_id}").send_keys("已电话回访，申请人反映取号后等候过久")
    driver.execute_script("arguments[0].scrollIntoView()", row)
    shoot(driver, "lifecycle-13-callback")
    press(driver, f"callback-{rect_id}", f"/console/supervision#rectification-{rect_id}")
    row = driver.find_element(By.CSS_SELECTOR, f'tr.rectification[data-number="{number}"]')
    assert row.get_attribute("data-status") == "called_back"
    open_details(driver, "登记整改", within=row)
    driver.find_element(By.ID, f"rectify-note-{rect_id}").send_keys("午间增开一个综合受理窗口")
    press(driver, f"rectify-{rect_id}", "/console/supervision")
    assert not driver.find_elements(By.CSS_SELECTOR, f'tr.rectification[data-number="{number}"]')  # done
    assert driver.current_url.endswith("/console/supervision#rectifications")  # the list it has left
    assert "已整改 1" in driver.find_element(By.ID, "rectifications").text
    shoot(driver, "lifecycle-14-rectified")
    driver.get(f"{backoffice.url}/console/cases/{number}")
    told = timeline(driver)
    assert "差评回访：已电话回访" in told and "差评整改：午间增开一个综合受理窗口" in told
    driver.execute_script("arguments[0].scrollIntoView()", driver.find_element(By.ID, "timeline"))
    shoot(driver, "lifecycle-15-case-delivered-and-rectified")
    no_csp_refusals(driver)
    sign_out(driver)

    assert [e["action"] for e in api(number)["timeline"]] == [
        "submit", "request_correction", "supplement", "accept", "supplement", "route", "approve", "complete",
        "deliver", "rectification", "rectification"]


def test_a_clerk_is_refused_an_approver_s_page_and_a_case_in_review(backoffice, chromium, api):
    driver = chromium
    assert api(IN_REVIEW)["status"] == "in_review"
    sign_in(driver, backoffice, "clerk01", "/console/queue")
    driver.get(f"{backoffice.url}/console/department")
    assert "您的角色不能打开此页面" in driver.find_element(By.CSS_SELECTOR, "p.error").text
    shoot(driver, "lifecycle-16-clerk-refused-department")
    assert fetch_status(driver, "/console/department") == 403
    driver.get(f"{backoffice.url}/console/cases/{IN_REVIEW}")
    assert driver.find_element(By.CSS_SELECTOR, "p.error")
    assert IN_REVIEW not in driver.find_element(By.TAG_NAME, "h1").text  # nothing of the case shows
    shoot(driver, "lifecycle-17-clerk-refused-case")
    assert fetch_status(driver, f"/console/cases/{IN_REVIEW}") == 403
    assert fetch_status(driver, f"/console/cases/{IN_REVIEW}/materials/1") == 403
    driver.get(f"{backoffice.url}/console/queue")  # a refusal's page has no sign-out: the queue has
    sign_out(driver)


def test_a_form_from_an_earlier_session_is_refused_and_changes_nothing(backoffice, chromium, kiosk, api):
    driver = chromium
    detail, _receipt = kiosk.submit(food_application(backoffice), uuid.uuid4().hex,
                                    grant=citizen_grant(backoffice, kiosk))
    number = detail.number
    sign_in(driver, backoffice, "clerk01", "/console/queue")
    driver.get(f"{backoffice.url}/console/cases/{number}")
    stale = driver.find_element(By.CSS_SELECTOR, "form input[name=csrf]").get_attribute("value")
    sign_out(driver)
    sign_in(driver, backoffice, "clerk01", "/console/queue")
    driver.get(f"{backoffice.url}/console/cases/{number}")
    assert driver.find_element(By.CSS_SELECTOR, "form input[name=csrf]").get_attribute("value") != stale
    # The accept form as an old tab would post it: the earlier session's token.
    driver.execute_script("""for (const input of document.querySelectorAll('input[name=csrf]'))
        input.value = arguments[0];""", stale)
    driver.find_element(By.ID, "accept").click()
    error = WebDriverWait(driver, 15).until(seen.presence_of_element_located((By.CSS_SELECTOR, "p.error")))
    assert "此表单已过期" in error.text
    shoot(driver, "lifecycle-18-stale-form-refused")
    assert fetch_status(driver, f"/console/cases/{number}/actions", {"csrf": stale, "action": "accept"}) == 403
    assert fetch_status(driver, f"/console/cases/{number}/supplement", {"csrf": stale, "brought_1": "1"}) == 403
    after = api(number)
    assert after["status"] == "received" and [e["action"] for e in after["timeline"]] == ["submit"]
    driver.get(f"{backoffice.url}/console/queue")
    sign_out(driver)
