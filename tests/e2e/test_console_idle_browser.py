"""Idle sign-out in a real browser: on a back office whose console sessions end after 8 s
unused, a clerk's page offers to stay a moment before, "stay signed in" keeps the session,
and left alone the page goes to the sign-in by itself, saying why, with the session ended on
the server too. Each step is awaited as the browser shows it, not slept through."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as seen
from selenium.webdriver.support.ui import WebDriverWait

from demo.embedded_backoffice import EmbeddedBackoffice
from proof.console_tour import open_chromium, sign_in

IDLE_S = 8  # the page leaves at 6 s (a keep-alive step early) and warns from 1 s


@pytest.fixture(scope="module")
def quick_backoffice(tmp_path_factory):
    var = tmp_path_factory.mktemp("bo-idle")
    bo = EmbeddedBackoffice(database=var / "backoffice.db", log_file=var / "backoffice.log",
                            environ={"BACKOFFICE_CONSOLE_IDLE_S": str(IDLE_S)})
    bo.start()
    yield bo
    bo.stop()


@pytest.fixture(scope="module")
def chromium():
    driver = open_chromium()
    yield driver
    driver.quit()


def test_an_unattended_page_warns_then_leaves_for_the_sign_in(quick_backoffice, chromium):
    base = quick_backoffice.url
    sign_in(chromium, base, "clerk01")
    assert chromium.current_url.endswith("/console/queue")
    wait = WebDriverWait(chromium, 20)
    warning = chromium.find_element(By.ID, "idle-warning")
    wait.until(lambda d: warning.is_displayed())
    chromium.find_element(By.ID, "stay-signed-in").click()
    wait.until(lambda d: not warning.is_displayed())  # /console/alive answered 204: armed again
    assert chromium.current_url.endswith("/console/queue")

    wait.until(seen.url_contains("/console/sign-in?idle=1"))
    assert "无操作，已自动退出登录" in chromium.find_element(By.ID, "idle-note").text
    chromium.get(f"{base}/console/queue")  # the session is over on the server too
    assert "/console/sign-in" in chromium.current_url
