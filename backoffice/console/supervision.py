"""统一督办: the supervisor's dashboard. Where the county stands at a glance: a traffic light
per department with its cases in hand, overdue and nearly overdue; those cases, each a link
to its page; 容缺 commitments coming due and expired; rectifications of bad ratings with
their deadlines; ratings over the last weeks as a chart drawn here, as SVG (no chart library,
no script: the Content-Security-Policy allows neither inline script nor inline style).

The lights are the back office's own (cases.light_of, domain.workdays.deadline_light on the
working-day calendar): a case is red once today is past its promised date and yellow while
at most two working days are left. That rule turns into two dates for today (lights.py),
so each figure is one SQL query grouped by department, never a walk over every case."""
from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Request
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from domain.cases import STATUS_LABELS, CaseStatus
from domain.county import CST, to_cst
from domain.workdays import CalendarUnknown, WorkCalendar

from ..auth import get_db
from ..calendar import load_calendar
from ..db import read_phase
from ..english_names import EnglishNames
from ..lights import LIT, Bounds, count_where, light_bounds, lit, most_urgent
from ..models import Case, Department, Rating, Rectification
from ..supervision import OPEN_STATES
from . import i18n, pages

router = APIRouter(prefix="/console", include_in_schema=False)
ROLES = ("supervisor",)  # and administrators (auth.role_may)
DEFERRED_DAYS = 5  # 容缺 commitments shown from this many working days before they fall due
WEEKS = 12  # ratings over this many weeks
BAD = 2  # a rating at or below this level is a 差评 (routes/ratings.py opens a rectification)
LIMIT = 200  # rows at most in each list (the counts above them are complete)
RECTIFICATION_LABELS = {"open": i18n.N_("Awaiting callback"), "called_back": i18n.N_("Called back"),
                        "appealed": i18n.N_("Appealed"), "rectified": i18n.N_("Rectified"),
                        "closed": i18n.N_("Closed")}
IN_PROGRESS = ("open", "called_back", "appealed")


def departments(session: Session, bounds: Bounds, english: EnglishNames | None) -> list[dict]:
    """Per department: cases in hand, overdue, nearly overdue and the light (red if any is
    overdue, yellow if any is nearly); the most pressing first."""
    lighted = lit()
    overdue = lighted & (Case.promised_date < bounds.today)
    soon = lighted & Case.promised_date.between(bounds.today, bounds.yellow_until)
    # Counted from ix_cases_urgency alone: no case row is read.
    rows = session.execute(select(Case.department_code, func.count(), count_where(overdue), count_where(soon))
                           .where(Case.status.in_(OPEN_STATES)).group_by(Case.department_code)).all()
    catalogue = {d.code: (d.name, d.name_en)
                 for d in session.execute(select(Department.code, Department.name, Department.name_en))}
    figures = {code: (int(in_hand), int(late), int(near)) for code, in_hand, late, near in rows}
    # A department not in the catalogue (the intake window, one retired) by the name its cases keep.
    elsewhere = set(figures) - set(catalogue)
    kept = dict(session.execute(select(Case.department_code, func.max(Case.department_name)).where(
        Case.status.in_(OPEN_STATES), Case.department_code.in_(elsewhere)).group_by(Case.department_code)).all()
    ) if elsewhere else {}
    out = []
    for code in sorted(set(catalogue) | set(figures)):
        zh, en = catalogue.get(code, (kept.get(code, ""), ""))
        name = zh or code
        in_hand, late, near = figures.get(code, (0, 0, 0))
        if english is not None:  # a case keeps the Chinese name: the intake window's and a bundle's joined names too
            name = english.department(name) or en or name
        light = "red" if late else "yellow" if near else "green"
        out.append({"code": code, "name": name, "in_hand": in_hand, "overdue": late, "due_soon": near,
                    "light": light})
    order = {"red": 0, "yellow": 1, "green": 2}
    return sorted(out, key=lambda d: (order[d["light"]], -d["overdue"], -d["due_soon"], -d["in_hand"], d["code"]))


def urgent_cases(session: Session, bounds: Bounds, _) -> list[dict]:
    """The overdue and nearly overdue cases, the longest overdue first."""
    rows = session.execute(most_urgent(
        (Case.number, Case.item_code, Case.bundle_code, Case.item_name, Case.department_code, Case.department_name,
         Case.status, Case.promised_date, Case.received_at), LIT, Case.promised_date <= bounds.yellow_until, bounds,
        LIMIT)).all()
    out = []
    for row in rows:
        light = "red" if row.promised_date < bounds.today else "yellow"
        out.append({**_names(row), "number": row.number,
                    "status": _(STATUS_LABELS[CaseStatus(row.status)]), "promised_date": row.promised_date.isoformat(),
                    "received_at": to_cst(row.received_at).strftime("%Y-%m-%d"), "light": light,
                    "light_label": _(pages.LIGHT_LABELS[light])})
    return out


def deferred_commitments(session: Session, calendar: WorkCalendar, today: dt.date) -> list[dict]:
    """容缺 commitments still unmet: expired ones (the sweep ends those cases) and those
    falling due within DEFERRED_DAYS working days, the earliest first."""
    try:
        until = calendar.add_working_days(today, DEFERRED_DAYS)
    except CalendarUnknown:
        until = today + dt.timedelta(days=DEFERRED_DAYS)
    rows = session.execute(
        select(Case.number, Case.item_code, Case.bundle_code, Case.item_name, Case.department_name,
               Case.deferred_due)
        .where(Case.status.in_(OPEN_STATES), Case.deferred_pending.is_(True), Case.deferred_due.is_not(None),
               Case.deferred_due <= until)
        .order_by(Case.deferred_due, Case.number).limit(LIMIT)).all()
    return [{**_names(r), "number": r.number, "due": r.deferred_due.isoformat(), "expired": r.deferred_due < today}
            for r in rows]


def rectifications(session: Session, today: dt.date, _) -> tuple[list[dict], dict[str, int]]:
    """Rectifications still in progress with the deadline of their next step (the callback
    while open, the rectification after it), the earliest first; and how many are in each
    state."""
    counts = {status: int(n) for status, n in session.execute(
        select(Rectification.status, func.count()).group_by(Rectification.status))}
    due = case((Rectification.status == "open", Rectification.callback_due), else_=Rectification.rectify_due)
    rows = session.execute(
        select(Rectification.id, Rectification.status, Rectification.callback_due, Rectification.rectify_due,
               Rating.level, Rating.reasons, Case.number, Case.item_code, Case.bundle_code, Case.item_name,
               Case.department_name, due.label("due"))
        .join(Rating, Rating.id == Rectification.rating_id).join(Case, Case.id == Rating.case_id)
        .where(Rectification.status.in_(IN_PROGRESS)).order_by(due, Rectification.id).limit(LIMIT)).all()
    out = [{"id": r.id, "state": _(RECTIFICATION_LABELS.get(r.status, r.status)), "status": r.status,
            **_names(r), "number": r.number, "level": r.level,
            "reasons": "、".join(map(str, r.reasons or [])),
            "callback_due": r.callback_due.isoformat() if r.callback_due else "",
            "rectify_due": r.rectify_due.isoformat() if r.rectify_due else "",
            "late": bool(r.due and r.due < today)} for r in rows]
    return out, counts


def _names(row) -> dict:
    return {"item_code": row.item_code, "bundle_code": row.bundle_code, "item_name": row.item_name,
            "department": row.department_name}


def weeks_of(today: dt.date, weeks: int = WEEKS) -> list[dt.date]:
    """The Mondays (China Standard Time) of the last `weeks` weeks, this week's last."""
    monday = today - dt.timedelta(days=today.weekday())
    return [monday - dt.timedelta(weeks=weeks - 1 - i) for i in range(weeks)]


def _utc(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), CST).astimezone(dt.timezone.utc).replace(tzinfo=None)


def ratings_by_week(session: Session, today: dt.date) -> list[dict]:
    """Per week: ratings given and how many were 差评, in one query grouped by week (the
    week a rating falls in is a CASE over the weeks' first instants, as portable as SQL goes)."""
    mondays = weeks_of(today)
    starts = [_utc(m) for m in mondays]
    week = case(*[(Rating.created_at >= start, index) for index, start in reversed(list(enumerate(starts)))],
                else_=-1).label("week")
    rows = session.execute(select(week, func.count(), count_where(Rating.level <= BAD))
                           .where(Rating.created_at >= starts[0]).group_by(week)).all()
    found = {int(index): (int(count), int(bad)) for index, count, bad in rows}
    out = []
    for index, monday in enumerate(mondays):
        count, bad = found.get(index, (0, 0))
        out.append({"monday": monday, "count": count, "bad": bad, "share": bad / count if count else None})
    return out


# --- the chart --------------------------------------------------------------------------------
WIDTH, HEIGHT = 760, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 56, 20, 44


def _nice_top(largest: int) -> int:
    for step in (1, 2, 5):
        for scale in (1, 10, 100, 1000, 10000, 100000):
            if step * scale * 4 >= largest:
                return step * scale * 4
    return largest


def rating_chart(weeks: list[dict]) -> dict:
    """Geometry for supervision_chart.html: a bar per week (ratings given, left axis) and
    the share of 差评 as a line over them (right axis, 0 to 100%)."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = _nice_top(max([w["count"] for w in weeks] + [1]))
    slot = plot_w / len(weeks)
    bar_w = slot * 0.6
    base = TOP + plot_h
    bars, points = [], []
    for i, w in enumerate(weeks):
        x = LEFT + slot * i + (slot - bar_w) / 2
        height = plot_h * w["count"] / top
        centre = LEFT + slot * i + slot / 2
        label = w["monday"].strftime("%m-%d")
        bars.append({"x": round(x, 1), "y": round(base - height, 1), "w": round(bar_w, 1), "h": round(height, 1),
                     "count": w["count"], "bad": w["bad"], "label": label, "centre": round(centre, 1),
                     "share": "" if w["share"] is None else f"{round(w['share'] * 100)}%",
                     "warn": w["share"] is not None and w["share"] > 0})
        if w["share"] is not None:
            points.append({"x": round(centre, 1), "y": round(base - plot_h * w["share"], 1),
                           "share": f"{round(w['share'] * 100)}%"})
    ticks = [{"y": round(base - plot_h * i / 4, 1), "count": top * i // 4, "share": f"{25 * i}%"} for i in range(5)]
    return {"width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT, "top": TOP, "base": base,
            "bars": bars, "points": points, "line": " ".join(f"{p['x']},{p['y']}" for p in points),
            "ticks": ticks, "total": sum(w["count"] for w in weeks), "bad": sum(w["bad"] for w in weeks)}


@router.get("/supervision")
def dashboard(request: Request, session: Session = Depends(get_db)):
    who = pages.who_may(request, session, ROLES)
    language = pages.language(request)
    _ = i18n.translations(language).gettext
    with read_phase(session):
        calendar, today = load_calendar(session), dt.datetime.now(CST).date()
        bounds = light_bounds(calendar, today)
        urgent = urgent_cases(session, bounds, _)
        deferred = deferred_commitments(session, calendar, today)
        rects, rect_counts = rectifications(session, today, _)
        english = None
        if language == "en":  # the catalogue's English names, in three small queries
            listed = urgent + deferred + rects
            english = EnglishNames.load(session, {r["item_code"] for r in listed}, {r["bundle_code"] for r in listed})
            for row in listed:
                row["item_name"] = (english.bundles.get(row["bundle_code"]) if row["bundle_code"]
                                    else english.items.get(row["item_code"] or "")) or row["item_name"]
                row["department"] = english.department(row["department"]) or row["department"]
        by_department = departments(session, bounds, english)
        weeks = ratings_by_week(session, today)
    totals = {key: sum(d[key] for d in by_department) for key in ("in_hand", "overdue", "due_soon")}
    return pages.render(request, "supervision.html", {
        "departments": pages.rows(by_department), "totals": totals, "urgent": pages.rows(urgent),
        "deferred": pages.rows(deferred), "rectifications": pages.rows(rects),
        "rect_counts": {s: rect_counts.get(s, 0) for s in RECTIFICATION_LABELS},
        "rect_labels": {s: _(label) for s, label in RECTIFICATION_LABELS.items()},
        "weeks": weeks, "chart": rating_chart(weeks), "today": today.isoformat(), "limit": LIMIT,
        "light_labels": {k: _(v) for k, v in pages.LIGHT_LABELS.items()}}, who, language)
