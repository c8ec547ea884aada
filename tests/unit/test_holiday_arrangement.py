"""The State Council's arrangement as a county imports it: the holiday law's statutory
days (checked against the official package's twenty published years), and a file
refused with every problem named, before anything is applied."""
from __future__ import annotations

import datetime as dt
import json

import chinese_calendar
import pytest

from backoffice.holiday_arrangement import ArrangementInvalid, parse_arrangement, read_arrangement
from backoffice.holiday_law import FESTIVALS, lunar_dates, statutory_days
from domain.workdays import chinese_calendar_source
from tests.api.arrangements import NOTICE_2026, lawful_arrangement, notice_2026, shifted

D = dt.date
OFFICIAL = chinese_calendar_source()


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_statutory_days_are_days_off_in_the_published_years(year):
    days = statutory_days(year)
    assert sum(len(d) for d in days.values()) == 13  # the amended law's thirteen days
    for festival, dates in days.items():
        for day in dates:
            assert chinese_calendar.is_holiday(day), (festival, day)
    assert days["spring_festival"][0] == {2025: D(2025, 1, 28), 2026: D(2026, 2, 16)}[year]  # 除夕


def test_the_lunar_festivals_fall_on_the_published_holidays_since_2008():
    """The lunar dates and 清明 come from astronomy, not from a table: checked against every
    year the official package publishes (春节初一, 清明, 端午 and 中秋 were days off in each)."""
    for year in range(2008, 2027):  # 清明, 端午 and 中秋 have been days off since 2008
        lunar = lunar_dates(year)
        spring_festival = lunar["new_year_eve"] + dt.timedelta(days=1)
        for day in (spring_festival, lunar["qingming"], lunar["dragon_boat"], lunar["mid_autumn"]):
            assert chinese_calendar.is_holiday(day), (year, day)
    with pytest.raises(ValueError):
        statutory_days(2024)  # older rules: the official package has those years


def test_the_2026_notice_as_shipped_agrees_with_the_official_package():
    arrangement = read_arrangement(NOTICE_2026, OFFICIAL)
    assert arrangement.year == 2026 and arrangement.notice.number == "国办发明电〔2025〕7号"
    for day, (working, _) in arrangement.days().items():
        assert chinese_calendar.is_workday(day) == working, day
    assert arrangement.days()[D(2026, 2, 28)] == (True, "春节调休上班")


def test_a_lawful_arrangement_for_a_year_not_yet_published_is_accepted():
    arrangement = parse_arrangement(lawful_arrangement(2027), OFFICIAL)
    days = arrangement.days()
    assert days[D(2027, 2, 5)] == (False, "春节") and days[D(2027, 2, 10)] == (False, "春节")
    assert D(2027, 2, 11) not in days


def problems_of(data, official=OFFICIAL) -> list[str]:
    with pytest.raises(ArrangementInvalid) as refused:
        parse_arrangement(data, official)
    return refused.value.problems


def test_2026_dates_copied_into_2027_are_refused():
    """A file that copies last year's dates (as some published "2027" tables do) misses
    every lunar festival of 2027."""
    copied = notice_2026()
    copied["year"] = 2027
    for period in copied["holidays"]:
        period["off"] = [d.replace("2026", "2027") for d in period["off"]]
        period["work"] = [d.replace("2026", "2027") for d in period.get("work", [])]
    problems = "\n".join(problems_of(copied))
    for name in ("春节", "端午节", "中秋节"):
        assert f"{name} (" in problems
    assert "make-up working day 2027-01-04 is a Monday" in problems


def test_every_problem_is_named_at_once():
    data = lawful_arrangement(2027)
    data["holidays"] = [p for p in data["holidays"] if p["festival"] != "dragon_boat"]
    data["holidays"][0]["work"] = ["2027-01-06", "2027-01-01"]  # a Wednesday; and a day off
    data["holidays"][1]["days"] = 3
    data["notice"]["issued"] = "2028-01-01"
    problems = problems_of(data)
    text = "\n".join(problems)
    assert "端午节 (dragon_boat) is missing" in text
    assert "2027-01-06 is a Wednesday" in text
    assert "2027-01-01 is both a day off and a make-up working day" in text
    assert "the notice says 3 days" in text
    assert "notice.issued: 2028-01-01 is after the year" in text
    assert len(problems) >= 5


def test_statutory_day_outside_its_period_overlaps_and_imbalance_are_refused():
    data = lawful_arrangement(2027)
    spring = next(p for p in data["holidays"] if p["festival"] == "spring_festival")
    spring["off"] = ["2027-02-06", "2027-02-10"]  # 除夕 (02-05) left out
    assert any("春节 (spring_festival): its statutory day(s)" in p and "2027-02-05 is not" in p
               for p in problems_of(data))

    data = lawful_arrangement(2027)
    labour = next(p for p in data["holidays"] if p["festival"] == "labour_day")
    labour["off"] = ["2027-05-01", "2027-05-05"]  # three more weekdays off, nothing made up
    assert any("make-up working days are listed" in p for p in problems_of(data))

    data = lawful_arrangement(2027)
    dragon_boat = next(p for p in data["holidays"] if p["festival"] == "dragon_boat")
    dragon_boat.update(festival="mid_autumn", off=["2027-10-02", "2027-10-02"])
    text = "\n".join(problems_of(data))
    assert "中秋节 (mid_autumn) is arranged 2 times" in text and "端午节 (dragon_boat) is missing" in text
    assert "国庆节 (2027-10-01 to 2027-10-05) and 中秋节 (2027-10-02 to 2027-10-02) overlap" in text


def test_a_2026_file_that_disagrees_with_the_official_package_is_refused():
    data = notice_2026()
    data["holidays"][0]["off"] = ["2026-01-01", "2026-01-04"]
    data["holidays"][0].pop("days")
    data["holidays"][0]["work"] = ["2026-01-10"]
    text = "\n".join(problems_of(data))
    assert "the official schedule for 2026 disagrees" in text and "2026-01-04" in text


@pytest.mark.parametrize("content, says", [
    (b"{not json", "is not valid JSON"),
    (b"\xff\xfe", "is not UTF-8"),
    (b"[]", "must be a JSON object"),
    (json.dumps({"year": 2019}).encode(), "year: a whole number from 2025"),
    (b" " * 70_000, "an arrangement is at most"),
])
def test_a_broken_file_gets_a_clear_answer(tmp_path, content, says):
    path = tmp_path / "arrangement.json"
    path.write_bytes(content)
    with pytest.raises(ArrangementInvalid) as refused:
        read_arrangement(path)
    assert says in str(refused.value)


def test_festival_keys_are_the_laws_seven():
    assert [f.key for f in FESTIVALS] == ["new_year", "spring_festival", "tomb_sweeping", "labour_day",
                                         "dragon_boat", "mid_autumn", "national_day"]
    assert problems_of(shifted(lawful_arrangement(2027), format="other/1"))[0].startswith("format:")
