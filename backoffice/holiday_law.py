"""The statutory holidays (法定节假日) that the State Council's yearly arrangement must cover.

Source: 全国年节及纪念日放假办法, as amended by State Council Order No. 795 (2024-11-10),
in force from 2025-01-01. Days off for all citizens:
  元旦 1 January; 春节 除夕 and 正月初一 to 初三 (four days); 清明节 the day of the 清明
  solar term; 劳动节 1 and 2 May; 端午节 五月初五; 中秋节 八月十五; 国庆节 1 to 3 October.
Thirteen days a year. Lunar dates and the solar term come from lunar-python (astronomical
computation, no data files), checked against chinesecalendar's published years in tests.
Years before 2025 followed older rules and are already in the official package.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

FIRST_YEAR = 2025  # the amended rules' first year
LAST_YEAR = 2100


@dataclass(frozen=True)
class Festival:
    key: str
    name: str      # as the notice writes it
    name_en: str


FESTIVALS: tuple[Festival, ...] = (
    Festival("new_year", "元旦", "New Year's Day"),
    Festival("spring_festival", "春节", "Spring Festival"),
    Festival("tomb_sweeping", "清明节", "Tomb-Sweeping Day"),
    Festival("labour_day", "劳动节", "Labour Day"),
    Festival("dragon_boat", "端午节", "Dragon Boat Festival"),
    Festival("mid_autumn", "中秋节", "Mid-Autumn Festival"),
    Festival("national_day", "国庆节", "National Day"),
)
BY_KEY = {f.key: f for f in FESTIVALS}


def statutory_days(year: int) -> dict[str, tuple[dt.date, ...]]:
    """Each festival's statutory days off in `year` (FIRST_YEAR..LAST_YEAR)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"statutory holidays are known for {FIRST_YEAR}-{LAST_YEAR}, not {year}")
    lunar = lunar_dates(year)
    return {
        "new_year": (dt.date(year, 1, 1),),
        "spring_festival": tuple(lunar["new_year_eve"] + dt.timedelta(days=n) for n in range(4)),
        "tomb_sweeping": (lunar["qingming"],),
        "labour_day": (dt.date(year, 5, 1), dt.date(year, 5, 2)),
        "dragon_boat": (lunar["dragon_boat"],),
        "mid_autumn": (lunar["mid_autumn"],),
        "national_day": (dt.date(year, 10, 1), dt.date(year, 10, 2), dt.date(year, 10, 3)),
    }


def lunar_dates(year: int) -> dict[str, dt.date]:
    """除夕 before the lunar year that starts in `year`, the 清明 solar term, 五月初五 and
    八月十五, in the Gregorian calendar."""
    from lunar_python import Lunar  # only the back office's calendar import needs it

    first_month = Lunar.fromYmd(year, 1, 1)
    return {"new_year_eve": _date(first_month.next(-1).getSolar()),
            "qingming": _date(first_month.getJieQiTable()["清明"]),
            "dragon_boat": _date(Lunar.fromYmd(year, 5, 5).getSolar()),
            "mid_autumn": _date(Lunar.fromYmd(year, 8, 15).getSolar())}


def _date(solar) -> dt.date:
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())
