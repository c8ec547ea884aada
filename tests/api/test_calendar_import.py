"""A county administrator enters next year's working-day calendar over HTTP, on SQLite and
PostgreSQL: the State Council's arrangement imported in one transaction and audited, a
bad file refused with every problem named and nothing changed, days listed and deleted,
and the kiosk's copy of the catalogue promising the dates the back office promises."""
from __future__ import annotations

import datetime as dt

from services.api import BackofficeClient
from services.catalogue_cache import CatalogueCache
from tests.api.arrangements import lawful_arrangement, notice_2026

YEAR = 2031  # a year the official package does not know, whatever the date of the run


def working_days(anonymous, start: str, end: str):
    return anonymous.get("/v1/calendar/working-days", params={"start": start, "end": end})


def test_an_invalid_arrangement_is_refused_whole_and_changes_nothing(anonymous, staff):
    admin = staff("admin")
    before = anonymous.get("/v1/calendar", params={"year": YEAR}).json()
    broken = lawful_arrangement(YEAR)
    broken["holidays"] = broken["holidays"][:-1]  # 国庆节 left out
    broken["holidays"][0]["work"] = [f"{YEAR}-01-08"]  # a Wednesday
    answer = admin.put(f"/v1/calendar/arrangements/{YEAR}", broken)
    assert answer.status_code == 422 and answer.headers["Content-Type"].startswith("application/problem+json")
    problems = "\n".join(answer.json()["problems"])
    assert "国庆节 (national_day) is missing" in problems and f"{YEAR}-01-08 is a Wednesday" in problems
    assert anonymous.get("/v1/calendar", params={"year": YEAR}).json() == before
    assert working_days(anonymous, f"{YEAR}-01-01", f"{YEAR}-01-31").status_code == 422
    mismatch = admin.put(f"/v1/calendar/arrangements/{YEAR + 1}", lawful_arrangement(YEAR))
    assert mismatch.status_code == 422 and "the year in the address" in mismatch.json()["detail"]
    assert staff("clerk01").put(f"/v1/calendar/arrangements/{YEAR}", lawful_arrangement(YEAR)).status_code == 403


def test_an_arrangement_is_imported_declared_listed_and_audited(anonymous, staff):
    admin = staff("admin")
    typhoon = {"working": False, "reason": "台风停工"}
    assert admin.put(f"/v1/calendar/overrides/{YEAR}-07-20", typhoon).status_code == 200
    answer = admin.put(f"/v1/calendar/arrangements/{YEAR}", lawful_arrangement(YEAR))
    assert answer.status_code == 200, answer.text
    imported = answer.json()
    assert imported["year"] == YEAR and imported["declared"] and imported["days"] > 13
    days = working_days(anonymous, f"{YEAR}-01-01", f"{YEAR}-01-09").json()["working_days"]
    assert f"{YEAR}-01-01" not in days and f"{YEAR}-01-02" in days

    calendar = anonymous.get("/v1/calendar", params={"year": YEAR}).json()
    year = next(y for y in calendar["years"] if y["year"] == YEAR)
    assert year["notice_number"] == f"测试〔{YEAR - 1}〕1号" and len(year["sha256"]) == 64
    listed = {d["day"]: d for d in calendar["overrides"]}
    assert listed[f"{YEAR}-01-01"] == {"day": f"{YEAR}-01-01", "working": False, "reason": "元旦",
                                      "source": f"arrangement:{YEAR}"}
    assert listed[f"{YEAR}-07-20"]["source"] == "manual"  # the typhoon day set by hand stays

    # Imported again (a corrected notice): the earlier import's days are replaced, not added to.
    again = admin.put(f"/v1/calendar/arrangements/{YEAR}", lawful_arrangement(YEAR)).json()
    assert again["days"] == imported["days"]
    assert anonymous.get("/v1/calendar", params={"year": YEAR}).json()["overrides"] == calendar["overrides"]

    entries = admin.get("/v1/audit", params={"limit": 1000}).json()["entries"]
    imports = [e for e in entries if e["action"] == "calendar.import" and e["subject"] == str(YEAR)]
    assert len(imports) == 2 and imports[0]["detail"]["sha256"] == year["sha256"]
    assert imports[0]["detail"]["notice"] == year["notice_number"]


def test_a_day_is_deleted_and_audited(anonymous, staff):
    admin = staff("admin")
    typhoon = {"working": False, "reason": "台风"}
    assert admin.put(f"/v1/calendar/overrides/{YEAR + 2}-03-03", typhoon).status_code == 200
    answer = admin.http.delete(f"{admin.base}/v1/calendar/overrides/{YEAR + 2}-03-03", timeout=30)
    assert answer.status_code == 200 and answer.json() == {"day": f"{YEAR + 2}-03-03", "deleted": True}
    again = admin.http.delete(f"{admin.base}/v1/calendar/overrides/{YEAR + 2}-03-03", timeout=30)
    assert again.status_code == 404
    assert not anonymous.get("/v1/calendar", params={"year": YEAR + 2}).json()["overrides"]
    entries = admin.get("/v1/audit", params={"limit": 1000}).json()["entries"]
    assert any(e["action"] == "calendar.override_deleted" and e["subject"] == f"{YEAR + 2}-03-03" for e in entries)
    forbidden = staff("supervisor01").http.delete(f"{admin.base}/v1/calendar/overrides/{YEAR}-01-01", timeout=30)
    assert forbidden.status_code == 403


def test_the_shipped_2026_notice_imports_and_agrees(anonymous, staff):
    answer = staff("admin").put("/v1/calendar/arrangements/2026", notice_2026())
    assert answer.status_code == 200, answer.text
    days = working_days(anonymous, "2026-02-14", "2026-02-28").json()["working_days"]
    assert days[0] == "2026-02-14" and days[-1] == "2026-02-28" and "2026-02-20" not in days


def test_the_kiosks_copy_promises_what_the_back_office_promises(server, staff, anonymous, tmp_path):
    """A kiosk's guide says "by this date if you apply today" from its own copy: after an
    import it counts the imported year, offline too."""
    assert staff("admin").put(f"/v1/calendar/arrangements/{YEAR}", lawful_arrangement(YEAR)).status_code == 200
    cache = CatalogueCache(BackofficeClient(server.url, timeout=10), tmp_path / "catalogue.json")
    cache.refresh()
    offline = CatalogueCache(BackofficeClient("http://127.0.0.1:9", timeout=1), tmp_path / "catalogue.json")
    calendar = offline.work_calendar()
    assert calendar.knows_year(YEAR)
    county = working_days(anonymous, f"{YEAR}-09-30", f"{YEAR}-10-31").json()["working_days"]
    for n in (1, 5):  # across 国庆节 (and 中秋节, which in 2031 falls on 1 October) and its 补休
        assert calendar.add_working_days(dt.date(YEAR, 9, 30), n).isoformat() == county[n]
