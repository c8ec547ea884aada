"""Holiday arrangements for tests. The State Council's real 2026 notice ships in
deploy/calendar/2026.json; for a year it has not published, `lawful_arrangement` makes one
that obeys the holiday law (each festival's statutory days off, a statutory day on a
weekend or shared by two festivals given back on the next weekday, festivals that meet
joined as the notices join them, no 调休) so that nothing invented passes as a notice."""
from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

from backoffice.holiday_arrangement import FORMAT
from backoffice.holiday_law import statutory_days

ROOT = Path(__file__).resolve().parents[2]
NOTICE_2026 = ROOT / "deploy" / "calendar" / "2026.json"


def notice_2026() -> dict:
    return json.loads(NOTICE_2026.read_text(encoding="utf-8"))


def lawful_arrangement(year: int) -> dict:
    groups: list[tuple[list[str], list[dt.date]]] = []
    for festival, days in sorted(statutory_days(year).items(), key=lambda item: item[1][0]):
        if groups and days[0] <= max(groups[-1][1]) + dt.timedelta(days=1):
            groups[-1][0].append(festival)
            groups[-1][1].extend(days)
        else:
            groups.append(([festival], list(days)))
    holidays = []
    for festivals, days in groups:
        last = max(days)
        owed = len(days) - len({d for d in days if d.weekday() < 5})
        while owed:
            last += dt.timedelta(days=1)
            if last.weekday() < 5:
                owed -= 1
        holidays.append({"festival": festivals if len(festivals) > 1 else festivals[0],
                         "off": [min(days).isoformat(), last.isoformat()]})
    return {"format": FORMAT, "year": year,
            "notice": {"number": f"测试〔{year - 1}〕1号", "issued": f"{year - 1}-11-01",
                       "title": f"test arrangement for {year} (not the State Council's)"},
            "holidays": holidays}


def shifted(arrangement: dict, **changes) -> dict:
    changed = copy.deepcopy(arrangement)
    changed.update(changes)
    return changed
