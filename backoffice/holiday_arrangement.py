"""The State Council's yearly holiday arrangement (国务院办公厅关于某年部分节假日安排的通知)
as a file a county administrator imports: parsed, and validated before anything is applied.

The file format is documented in deploy/calendar/README.md; deploy/calendar/2026.json is
the 2026 notice written in it. Every problem is reported at once (一次性告知), each with
where it is, so the administrator mends the file in one pass.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domain.workdays import OfficialSource

from .holiday_law import BY_KEY, FESTIVALS, FIRST_YEAR, LAST_YEAR, statutory_days

FORMAT = "chengmai-holiday-arrangement/1"
MAX_FILE_BYTES = 64 * 1024
MAX_PERIOD_DAYS = 15  # the longest arrangement so far is nine days (春节 2026)
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class ArrangementInvalid(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Notice:
    number: str   # 文号, e.g. 国办发明电〔2025〕7号
    issued: dt.date
    title: str
    url: str


@dataclass(frozen=True)
class HolidayPeriod:
    festivals: tuple[str, ...]   # two where the notice joins them (中秋节、国庆节)
    first: dt.date
    last: dt.date
    work: tuple[dt.date, ...]    # make-up working days (调休上班), always weekend days

    @property
    def name(self) -> str:
        return "、".join(BY_KEY[key].name for key in self.festivals)

    def days_off(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=n) for n in range((self.last - self.first).days + 1)]


@dataclass(frozen=True)
class Arrangement:
    year: int
    notice: Notice
    periods: tuple[HolidayPeriod, ...]
    sha256: str  # of the file's JSON as given, for the audit trail

    def days(self) -> dict[dt.date, tuple[bool, str]]:
        """Each day the arrangement names: (working, reason)."""
        return named_days(self.periods)


def named_days(periods) -> dict[dt.date, tuple[bool, str]]:
    """Each day the periods name: (working, reason)."""
    named: dict[dt.date, tuple[bool, str]] = {}
    for period in periods:
        for day in period.days_off():
            named[day] = (False, period.name)
        for day in period.work:
            named[day] = (True, f"{period.name}调休上班")
    return named


def read_arrangement(path: Path, official: OfficialSource | None = None) -> Arrangement:
    """Reads and validates a file; every failure is an ArrangementInvalid with its reason."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ArrangementInvalid([f"cannot read {path}: {exc.strerror or exc}"]) from None
    return arrangement_from_text(raw, official, str(path))


def arrangement_from_text(raw: bytes, official: OfficialSource | None = None,
                          where: str = "the arrangement") -> Arrangement:
    """The file's bytes however they came (read from disk, pasted into the console),
    validated as read_arrangement does."""
    if len(raw) > MAX_FILE_BYTES:
        raise ArrangementInvalid([f"{where} is {len(raw)} bytes; an arrangement is at most {MAX_FILE_BYTES}"])
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ArrangementInvalid([f"{where} is not UTF-8 text"]) from None
    except json.JSONDecodeError as exc:
        raise ArrangementInvalid([f"{where} is not valid JSON: {exc.msg} at line {exc.lineno}, "
                                  f"column {exc.colno}"]) from None
    return parse_arrangement(data, official)


def parse_arrangement(data: Any, official: OfficialSource | None = None) -> Arrangement:
    """Validates the arrangement against the holiday law, the weekdays, and, for a year the
    official package already knows, against that package's schedule."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise ArrangementInvalid(["the arrangement must be a JSON object"])
    if data.get("format") != FORMAT:
        problems.append(f"format: must be {FORMAT!r}")
    year = data.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise ArrangementInvalid(problems + [f"year: a whole number from {FIRST_YEAR} to {LAST_YEAR} "
                                             f"(earlier years follow older rules and are in the official package)"])
    notice = _notice(data.get("notice"), year, problems)
    periods = _periods(data.get("holidays"), year, problems)
    if periods and len(periods) == len(data.get("holidays") or []):  # each period read: judge the whole
        _check_festivals(periods, year, problems)
        _check_overlaps(periods, problems)
    if not problems:
        _check_balance(periods, year, problems)
    if not problems and official is not None:
        _check_official(periods, year, official, problems)
    if problems or notice is None:
        raise ArrangementInvalid(problems)
    canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return Arrangement(year, notice, tuple(periods), hashlib.sha256(canonical.encode()).hexdigest())


def _notice(value: Any, year: int, problems: list[str]) -> Notice | None:
    if not isinstance(value, dict):
        problems.append("notice: an object with the notice's number, issued date, title and url")
        return None
    number = _text(value, "number", 64, problems, required=True)
    title = _text(value, "title", 200, problems)
    url = _text(value, "url", 500, problems)
    if url and not url.startswith(("https://", "http://")):
        problems.append("notice.url: an http(s) address of the published notice")
    issued = _date(value.get("issued"), "notice.issued", problems)
    if issued is not None and issued > dt.date(year, 12, 31):
        problems.append(f"notice.issued: {issued} is after the year it arranges")
    if issued is None or not number:
        return None
    return Notice(number, issued, title, url)


def _text(obj: dict, key: str, limit: int, problems: list[str], required: bool = False) -> str:
    value = obj.get(key, "")
    if not isinstance(value, str) or len(value) > limit or (required and not value.strip()):
        problems.append(f"notice.{key}: {'required, ' if required else ''}text of at most {limit} characters")
        return ""
    return value.strip()


def _date(value: Any, where: str, problems: list[str]) -> dt.date | None:
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    problems.append(f"{where}: {value!r} is not a date (YYYY-MM-DD)")
    return None


def _periods(value: Any, year: int, problems: list[str]) -> list[HolidayPeriod]:
    if not isinstance(value, list) or not value or len(value) > len(FESTIVALS):
        problems.append(f"holidays: a list of 1 to {len(FESTIVALS)} periods, one per festival of the notice")
        return []
    earliest, latest = dt.date(year - 1, 12, 1), dt.date(year, 12, 31)
    periods = []
    for index, entry in enumerate(value):
        where = f"holidays[{index}]"
        if not isinstance(entry, dict):
            problems.append(f"{where}: an object with festival, off and work")
            continue
        festivals = entry.get("festival")
        festivals = [festivals] if isinstance(festivals, str) else festivals
        if not isinstance(festivals, list) or not festivals \
                or not all(isinstance(f, str) and f in BY_KEY for f in festivals):
            problems.append(f"{where}.festival: one of {', '.join(BY_KEY)} (or a list where the notice joins two)")
            continue
        off = entry.get("off")
        if not isinstance(off, list) or len(off) != 2:
            problems.append(f"{where}.off: [first day, last day] of the days off")
            continue
        first, last = _date(off[0], f"{where}.off[0]", problems), _date(off[1], f"{where}.off[1]", problems)
        work_values = entry.get("work", [])
        if not isinstance(work_values, list):
            problems.append(f"{where}.work: a list of the make-up working days")
            continue
        work = [_date(w, f"{where}.work[{n}]", problems) for n, w in enumerate(work_values)]
        if first is None or last is None or None in work:
            continue
        work_days = tuple(d for d in work if d is not None)
        name = "、".join(BY_KEY[f].name for f in festivals)
        length = (last - first).days + 1
        if not 1 <= length <= MAX_PERIOD_DAYS:
            problems.append(f"{where} ({name}): off from {first} to {last} is not a period of 1 to "
                            f"{MAX_PERIOD_DAYS} days")
            continue
        if "days" in entry and entry["days"] != length:
            problems.append(f"{where} ({name}): the notice says {entry['days']!r} days, "
                            f"but {first} to {last} is {length}")
        for day in (first, last, *work_days):
            if not earliest <= day <= latest:
                problems.append(f"{where} ({name}): {day} is outside {year} (and its preceding December)")
        for day in work_days:
            if day.weekday() < 5:
                problems.append(f"{where} ({name}): make-up working day {day} is a {WEEKDAY_NAMES[day.weekday()]}; "
                                f"a make-up working day is always a Saturday or Sunday")
            if first <= day <= last:
                problems.append(f"{where} ({name}): {day} is both a day off and a make-up working day")
        if len(set(work_days)) != len(work_days):
            problems.append(f"{where} ({name}): a make-up working day is listed twice")
        periods.append(HolidayPeriod(tuple(festivals), first, last, work_days))
    return periods


def _check_festivals(periods: list[HolidayPeriod], year: int, problems: list[str]) -> None:
    statutory = statutory_days(year)
    seen = [key for period in periods for key in period.festivals]
    for festival in FESTIVALS:
        count = seen.count(festival.key)
        if count == 0:
            problems.append(f"holidays: {festival.name} ({festival.key}) is missing; every statutory "
                            f"holiday of the year must be arranged")
        elif count > 1:
            problems.append(f"holidays: {festival.name} ({festival.key}) is arranged {count} times")
    for period in periods:
        for key in period.festivals:
            outside = [d for d in statutory[key] if not period.first <= d <= period.last]
            if outside:
                problems.append(f"{BY_KEY[key].name} ({key}): its statutory day(s) "
                                f"{', '.join(map(str, statutory[key]))} must be within the days off "
                                f"{period.first} to {period.last}; {', '.join(map(str, outside))} is not")


def _check_overlaps(periods: list[HolidayPeriod], problems: list[str]) -> None:
    ordered = sorted(periods, key=lambda p: p.first)
    for before, after in zip(ordered, ordered[1:]):
        if after.first <= before.last:
            problems.append(f"holidays: {before.name} ({before.first} to {before.last}) and {after.name} "
                            f"({after.first} to {after.last}) overlap")
    work = [day for period in periods for day in period.work]
    for period in periods:
        for day in work:
            if period.first <= day <= period.last and day not in period.work:
                problems.append(f"holidays: {day} is a make-up working day inside {period.name}'s days off")


def _check_balance(periods: list[HolidayPeriod], year: int, problems: list[str]) -> None:
    """调休 swaps days: each weekday off beyond the statutory days (a statutory day on a
    weekend is given back on a weekday) is paid back by one make-up working day."""
    statutory = sum(len(days) for days in statutory_days(year).values())
    weekdays_off = sum(1 for period in periods for day in period.days_off() if day.weekday() < 5)
    work = sum(len(period.work) for period in periods)
    if weekdays_off - statutory != work:
        problems.append(f"holidays: {weekdays_off} weekdays off less the {statutory} statutory days leaves "
                        f"{weekdays_off - statutory} days of 调休, but {work} make-up working days are listed")


def _check_official(periods: list[HolidayPeriod], year: int, official: OfficialSource,
                    problems: list[str]) -> None:
    """Where the official package already knows the year, the file must say the same."""
    if official(dt.date(year, 7, 1)) is None:
        return
    named = named_days(periods)
    disagree = []
    day = dt.date(year, 1, 1)
    while day.year == year:
        expected = official(day)
        working = named[day][0] if day in named else day.weekday() < 5
        if expected is not None and working != expected:
            disagree.append(f"{day} ({'working' if expected else 'rest'} in the official schedule)")
        day += dt.timedelta(days=1)
    if disagree:
        problems.append(f"the official schedule for {year} disagrees on {len(disagree)} day(s): "
                        + ", ".join(disagree[:10]))
