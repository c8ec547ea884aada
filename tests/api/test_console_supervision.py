"""The supervisor's dashboard (统一督办) over real HTTP, on SQLite and PostgreSQL: a supervisor
lands on it; its lights per department and its overdue and nearly overdue cases are the
API's (/v1/supervision, cases.light_of on the working-day calendar); a case opens from it;
clerks and approvers are refused; a bad rating shows in the chart and as a rectification
with its deadlines; the chart is well-formed SVG."""
from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest

from tests.api.database import execute_sql
from tests.api.test_console import browser  # noqa: F401  (a fixture)

pytestmark = pytest.mark.usefixtures("server")
SVG = "{http://www.w3.org/2000/svg}"
BAD_CASE, GOOD_CASE = "469023-0002", "469023-0005"  # the demo's completed and delivered cases
LATE = "469023-0010"  # the demo's "一件事" bundle in review


def dashboard(b) -> str:
    page = b.get("/console/supervision")
    assert page.status_code == 200, page.text
    return page.text


def departments_of(html: str) -> dict[str, dict]:
    found = {}
    for code, light, body in re.findall(
            r'<li class="department \w+" data-department="([^"]+)" data-light="(\w+)">(.*?)</li>', html, re.S):
        figures = [int(n) for n in re.findall(r"<b>(\d+)</b>", body)]
        found[code] = {"light": light, "in_hand": figures[0], "overdue": figures[1], "due_soon": figures[2]}
    for code, light in re.findall(r'<li class="idle" data-department="([^"]+)" data-light="(\w+)">', html):
        found[code] = {"light": light, "in_hand": 0, "overdue": 0, "due_soon": 0}  # listed by name only
    return found


def urgent_of(html: str) -> dict[str, str]:
    return dict(re.findall(r'<tr class="case" data-number="([^"]+)" data-light="(\w+)">', html))


@pytest.fixture(scope="module")
def late(server) -> str:
    """The demo's cases are dated back from today and none is overdue yet: one made so (its
    promised date a fortnight ago), as the sweep would find it."""
    execute_sql(server, "UPDATE cases SET promised_date = :day WHERE number = :number",
                day=dt.date.today() - dt.timedelta(days=14), number=LATE)
    return LATE


@pytest.fixture(scope="module")
def rated(staff):
    """A bad rating (a rectification opens) and a good one, given at the window."""
    clerk = staff("clerk01")
    bad = clerk.post(f"/v1/cases/{BAD_CASE}/rating", {"level": 1, "reasons": ["态度差"]})
    assert bad.status_code == 201, bad.text
    good = clerk.post(f"/v1/cases/{GOOD_CASE}/rating", {"level": 5, "reasons": []})
    assert good.status_code == 201, good.text
    return bad.json()["rectification"]


def test_a_supervisor_lands_on_the_dashboard(browser):  # noqa: F811
    b = browser()
    answer = b.sign_in("supervisor01")
    assert answer.status_code == 303 and answer.headers["location"] == "/console/supervision"
    html = dashboard(b)
    assert "统一督办" in html and 'href="/console/supervision"' in html  # the page and its place in the menu
    assert "script-src 'self'" in b.get("/console/supervision").headers["Content-Security-Policy"]


def test_the_lights_per_department_are_the_apis(browser, staff, late):  # noqa: F811
    html = dashboard(browser("supervisor01"))
    shown = departments_of(html)
    api = staff("supervisor01")
    summary = {d["department_code"]: d for d in api.get("/v1/supervision/summary").json()["departments"]}
    assert summary and set(summary) <= set(shown)
    for code, figures in shown.items():
        expected = summary.get(code, {"open": 0, "overdue": 0, "at_risk": 0})
        light = "red" if expected["overdue"] else "yellow" if expected["at_risk"] else "green"
        assert figures == {"light": light, "in_hand": expected["open"], "overdue": expected["overdue"],
                           "due_soon": expected["at_risk"]}, code
    by_light = {light: {c["number"] for c in api.get("/v1/supervision/cases", params={"light": light}).json()["cases"]}
                for light in ("red", "yellow")}
    urgent = urgent_of(html)
    assert {n for n, light in urgent.items() if light == "red"} == by_light["red"]
    assert {n for n, light in urgent.items() if light == "yellow"} == by_light["yellow"]
    # The most pressing departments first.
    rank = {"red": 0, "yellow": 1, "green": 2}
    lights = [rank[d["light"]] for d in shown.values()]
    assert lights == sorted(lights)
    assert len(shown) == len(set(re.findall(r'data-department="([^"]+)"', html)))  # each department once


def test_the_overdue_and_nearly_overdue_cases_show_and_open(browser, staff, late):  # noqa: F811
    """The demo's case received today and settled on the spot is due today (yellow) and the
    bundle made late is red, with its department's light; each has the API's light and opens
    from the dashboard."""
    b = browser("supervisor01")
    html = dashboard(b)
    urgent, shown = urgent_of(html), departments_of(html)
    assert urgent.get(late) == "red" and "yellow" in urgent.values()
    assert list(urgent)[0] == late  # the longest overdue first
    rank = {"red": 0, "yellow": 1, "green": 2}
    for number, light in urgent.items():
        case = staff("supervisor01").get(f"/v1/cases/{number}").json()
        assert case["light"] == light  # the case's own light, as the API and the kiosk show it
        assert rank[shown[case["department_code"]]["light"]] <= rank[light]  # its department's is as grave
    red = staff("supervisor01").get(f"/v1/cases/{late}").json()["department_code"]
    assert shown[red]["light"] == "red" and shown[red]["overdue"] >= 1
    assert next(iter(shown)) == red  # the red department first
    assert f'href="/console/cases/{late}"' in html
    opened = b.get(f"/console/cases/{late}")
    assert opened.status_code == 200 and late in opened.text


def test_clerks_and_approvers_are_refused_and_the_unsigned_sent_to_sign_in(browser):  # noqa: F811
    assert browser("clerk01").get("/console/supervision").status_code == 403
    assert browser("approver-scjg").get("/console/supervision").status_code == 403
    assert browser("admin").get("/console/supervision").status_code == 200
    unsigned = browser().get("/console/supervision")
    assert unsigned.status_code == 303 and unsigned.headers["location"] == "/console/sign-in"


def chart_of(html: str) -> ET.Element:
    found = re.search(r"<svg .*?</svg>", html, re.S)
    assert found, "the dashboard draws its chart"
    return ET.fromstring(found.group(0))


def test_ratings_show_in_a_well_formed_chart_and_a_bad_one_as_a_rectification(browser, rated):  # noqa: F811
    html = dashboard(browser("supervisor01"))
    svg = chart_of(html)
    assert svg.tag == f"{SVG}svg" and svg.get("role") == "img"
    assert svg.find(f"{SVG}title") is not None and svg.find(f"{SVG}desc") is not None
    bars = svg.findall(f".//{SVG}g[@class='bars']/{SVG}rect")
    assert len(bars) == 12
    heights = [float(bar.get("height")) for bar in bars]
    assert heights[-1] > 0 and not any(heights[:-1])  # this week's two ratings, none before
    assert "2" in bars[-1].find(f"{SVG}title").text and "1" in bars[-1].find(f"{SVG}title").text
    share = svg.findall(f".//{SVG}g[@class='bad-share']/{SVG}circle")
    assert len(share) == 1 and share[0].find(f"{SVG}title").text == "50%"
    assert " style=" not in html  # the Content-Security-Policy forbids inline styles
    rows = re.findall(r'<tr class="rectification" data-number="([^"]+)" data-status="(\w+)">(.*?)</tr>', html, re.S)
    assert [(n, s) for n, s, _ in rows] == [(BAD_CASE, "open")]
    assert rated["callback_due"] in rows[0][2] and rated["rectify_due"] in rows[0][2] and "态度差" in rows[0][2]


def test_the_dashboard_speaks_english_on_the_switch(browser, rated):  # noqa: F811
    b = browser("supervisor01")
    b.get("/console/language/en", params={"next": "/console/supervision"})
    html = dashboard(b)
    assert "Supervision dashboard" in html and "Rectifications of bad ratings" in html
    assert "统一督办" not in html and "差评整改" not in html
    assert "Chengmai County Administration for Market Regulation" in html  # the catalogue's English names
    assert "综合受理窗口" not in html  # the intake window's too, though no catalogue department
    chart_of(html)
