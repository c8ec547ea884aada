"""The staff console's tour: Debian's headless chromium, driven through selenium, signs in as
each demo role and visits their pages, writing a PNG of each to a folder and checking it with
axe-core (Deque's accessibility engine). `make run` runs it after the kiosk's tour when there
is no display (var/tour/console/); tests/e2e/test_console_browser.py uses the same browser
and check."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
DEMO_PASSWORD = "chengmai-demo"
SERIOUS = ("serious", "critical")


def available() -> bool:
    return shutil.which(CHROMIUM) is not None and shutil.which(CHROMEDRIVER) is not None


def open_chromium(language: str = "zh-CN"):
    """A headless chromium with its browser log kept (the CSP's refusals are read from it)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900",
                 f"--lang={language}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    return driver


def serious_violations(driver) -> list[tuple[str, str, list]]:
    """axe-core's serious and critical findings on the page shown (its id, help, where)."""
    from axe_core_python.selenium import Axe

    results = Axe().run(driver)
    if not results["passes"]:
        raise RuntimeError("axe-core ran no rule on the page")
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in results["violations"]
            if v["impact"] in SERIOUS]


def shoot(driver, folder: Path, name: str) -> list:
    """The page as a PNG in `folder`, and what axe-core finds serious on it."""
    folder.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(folder / f"{name}.png"))
    return serious_violations(driver)


def sign_in(driver, base: str, username: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(f"{base}/console/sign-in")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(DEMO_PASSWORD)
    driver.find_element(By.ID, "sign-in").click()
    WebDriverWait(driver, 15).until(lambda d: "/sign-in" not in d.current_url)


def sign_out(driver) -> None:
    from selenium.webdriver.common.by import By

    driver.find_element(By.ID, "sign-out").click()


# Each role and the pages it works in: "{case}" is the first case its start page lists,
# "{viewer}" the first material with scanned pages among the cases listed.
ROUNDS = [
    ("clerk01", ["/console/queue", "{case}", "{viewer}"]),
    ("approver-scjg", ["/console/department", "{case}"]),
    ("supervisor01", ["/console/supervision", "/console/fleet"]),
    ("admin", ["/console/admin/staff", "/console/admin/terminals", "/console/admin/calendar",
               "/console/admin/catalogue"]),
]


def run(base: str, folder: Path) -> dict[str, list]:
    """Every round's pages: {name: serious violations}; writes accessibility.json beside the PNGs.
    A page this version does not have, or that has nothing to show, is left out."""
    from selenium.webdriver.common.by import By

    def hrefs(selector: str) -> list[str]:
        return [a.get_attribute("href").split(base, 1)[-1] for a in driver.find_elements(By.CSS_SELECTOR, selector)]

    def first_scanned(cases: list[str]) -> str:
        """The first material with scanned pages among the first cases listed."""
        for case in cases[:8]:
            driver.get(base + case)
            views = hrefs("a.view")
            if views:
                return views[0]
        return ""

    found: dict[str, list] = {}
    driver = open_chromium()
    try:
        driver.get(f"{base}/console/sign-in")
        found["sign-in"] = shoot(driver, folder, "sign-in")
        for username, paths in ROUNDS:
            sign_in(driver, base, username)
            cases = hrefs("table a[href^='/console/cases/']")
            links = {"case": cases[0] if cases else "", "viewer": ""}
            for path in paths:
                if path == "{viewer}":
                    links["viewer"] = first_scanned(cases)
                target = path.format(**links)
                if not target:
                    continue
                driver.get(base + target)
                if '"Not Found"' in driver.page_source or driver.find_elements(By.CSS_SELECTOR, "p.error"):
                    continue  # a page this version does not have, or a refusal
                name = f"{username}-" + path.strip("/{}").removeprefix("console/").replace("/", "-")
                found[name] = shoot(driver, folder, name)
            driver.get(f"{base}/console/")
            sign_out(driver)
    finally:
        driver.quit()
    (folder / "accessibility.json").write_text(json.dumps(found, ensure_ascii=False, indent=1), encoding="utf-8")
    return found
