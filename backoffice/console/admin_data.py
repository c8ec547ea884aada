"""The administrator's pages for the county's reference data: the working-day calendar
(`kiosk-backoffice calendar` in the console: its status, the imported years, the override
days, a day set or deleted, a year's arrangement imported from its pasted text) and the
catalogue (its items and the versions the kiosks refresh to).

Administrators only, every POST with its CSRF token; the calendar changes through
backoffice.calendar as the command line's and the API's do (one transaction, audited).
A new catalogue file is uploaded (the one multipart form, under its own body limit),
checked in full as `kiosk-backoffice load-catalogue --check` checks it, every problem shown
at once, and loaded as a new version only when asked and only with none."""
from __future__ import annotations

import datetime as dt
import secrets
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from domain.county import CST, to_cst

from .. import calendar, locks
from ..auth import Caller, get_db
from ..catalogue import LOAD_LOCK, load_catalogue_data
from ..catalogue_check import MAX_CATALOGUE_BYTES, CatalogueInvalid, catalogue_of
from ..db import read_phase
from ..holiday_arrangement import MAX_FILE_BYTES, ArrangementInvalid, arrangement_from_text
from ..models import CatalogueVersion, Department, Item, Material
from . import i18n, pages
from .admin import ADMIN_ROLES

router = APIRouter(prefix="/console/admin", include_in_schema=False)
CHANGED_KINDS = {"windows": i18n.N_("windows"), "items": i18n.N_("items"), "bundles": i18n.N_("bundles")}
NECESSITY_LABELS = {"required": i18n.N_("required"), "optional": i18n.N_("optional"),
                    "deferrable": i18n.N_("may follow later")}


def _at(value: dt.datetime | None) -> str:
    return to_cst(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _back(path: str) -> Response:
    return RedirectResponse(path, status_code=303, headers=pages.headers())


# --- the working-day calendar -----------------------------------------------------------------

def _calendar_page(request: Request, session: Session, who: Caller, year: int | None = None, problems=(),
                   pasted: str = "", imported: str = "", status: int = 200) -> Response:
    today = dt.datetime.now(CST).date()
    with read_phase(session):
        overview = calendar.overview(session, today, year)
        work = calendar.load_calendar(session)
    return pages.render(request, "admin_calendar.html", {
        "overview": overview, "year": year, "missing_year": calendar.missing_year(work, today),
        "horizon_days": calendar.horizon_days(work, today), "problems": list(problems), "pasted": pasted,
        "imported": imported, "max_kb": MAX_FILE_BYTES // 1024, "section": "calendar"}, who, pages.language(request),
        status=status)


@router.get("/calendar")
def calendar_page(request: Request, year: int | None = None, imported: str = "", session: Session = Depends(get_db)):
    who = pages.who_may(request, session, ADMIN_ROLES)
    shown = year if year is not None and dt.MINYEAR <= year <= dt.MAXYEAR else None
    return _calendar_page(request, session, who, shown, imported=imported[:4])


@router.post("/calendar/days")
async def set_day(request: Request, session: Session = Depends(get_db)):
    form = await pages.form_of(request)
    return await run_in_threadpool(_set_day, request, session, form)


def _set_day(request: Request, session: Session, form: dict[str, str]) -> Response:
    """An administrator's own day: a typhoon closure, a day given back. Kept over a later
    import of the year's arrangement (calendar.import_arrangement)."""
    who = pages.who_may(request, session, ADMIN_ROLES)
    pages.check_csrf(request, form)
    _ = i18n.translations(pages.language(request)).gettext
    try:
        day = dt.date.fromisoformat(form.get("day", ""))
    except ValueError:
        raise pages.Refused(422, _("Give the day as a date (YYYY-MM-DD).")) from None
    kind = form.get("kind", "")
    if kind not in ("working", "rest"):
        raise pages.Refused(422, _("Say whether the day is a working day or a rest day."))
    reason = form.get("reason", "").strip()[:200]
    if not reason:
        raise pages.Refused(422, _("Say why: the reason is kept in the audit log."))
    calendar.set_day(session, day, kind == "working", reason, who.actor)
    session.commit()
    return _back("/console/admin/calendar")


@router.post("/calendar/days/{day}/delete")
async def delete_day(day: str, request: Request, session: Session = Depends(get_db)):
    form = await pages.form_of(request)
    return await run_in_threadpool(_delete_day, day, request, session, form)


def _delete_day(day: str, request: Request, session: Session, form: dict[str, str]) -> Response:
    who = pages.who_may(request, session, ADMIN_ROLES)
    pages.check_csrf(request, form)
    _ = i18n.translations(pages.language(request)).gettext
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        raise pages.Refused(404, _("There is no override for this day.")) from None
    if not calendar.delete_day(session, date, who.actor):
        raise pages.Refused(404, _("There is no override for this day."))
    session.commit()
    return _back("/console/admin/calendar")


@router.post("/calendar/arrangements")
async def import_arrangement(request: Request, session: Session = Depends(get_db)):
    form = await pages.form_of(request)
    return await run_in_threadpool(_import_arrangement, request, session, form)


def _import_arrangement(request: Request, session: Session, form: dict[str, str]) -> Response:
    """The State Council's arrangement for a year, pasted as the file's text: checked in full
    as the command line checks a file, every problem shown at once with the text kept."""
    who = pages.who_may(request, session, ADMIN_ROLES)
    pages.check_csrf(request, form)
    pasted = form.get("arrangement", "")
    try:
        arrangement = arrangement_from_text(pasted.encode("utf-8"), calendar.official)
    except ArrangementInvalid as invalid:
        return _calendar_page(request, session, who, problems=invalid.problems, pasted=pasted[:MAX_FILE_BYTES],
                              status=422)
    calendar.import_arrangement(session, arrangement, who.actor)
    session.commit()
    return _back(f"/console/admin/calendar?imported={arrangement.year}")


# --- the catalogue ----------------------------------------------------------------------------

def _fee(item: Item, language: str) -> str:
    return "；".join(str((f.get("name_en") if language == "en" else "") or f.get("name", "")) for f in item.fees or [])


@router.get("/catalogue")
def catalogue_page(request: Request, loaded: int = 0, session: Session = Depends(get_db)):
    who = pages.who_may(request, session, ADMIN_ROLES)
    return _catalogue_page(request, session, who, loaded=max(0, loaded))


def _catalogue_page(request: Request, session: Session, who: Caller, problems=(), checked: int = 0,
                    loaded: int = 0, status: int = 200) -> Response:
    """Every item, the retired ones too (the cases that name them keep them), and every
    version loaded: the last is what kiosks refresh to."""
    language = pages.language(request)
    _ = i18n.translations(language).gettext
    with read_phase(session):
        items = session.scalars(select(Item).order_by(Item.retired_at.is_not(None), Item.code)).all()
        counts = dict(session.execute(select(Material.item_code, func.count()).group_by(Material.item_code)).all())
        names = {d.code: (d.name_en if language == "en" and d.name_en else d.name)
                 for d in session.scalars(select(Department))}
        versions = session.scalars(select(CatalogueVersion).order_by(CatalogueVersion.number.desc())).all()
    rows = [{"code": i.code, "quoted": quote(i.code, safe=""), "name": i.name_en if language == "en" else i.name,
             "department": names.get(i.department_code, i.department_code), "legal_days": i.legal_days,
             "promised_days": i.promised_days, "fee": _fee(i, language), "materials": counts.get(i.code, 0),
             "kiosk": i.kiosk, "retired": _at(i.retired_at)} for i in items]
    history = [{"number": v.number, "sha256": v.sha256, "loaded_by": v.loaded_by, "loaded_at": _at(v.loaded_at),
                "added": v.added, "changed": v.changed, "retired": v.retired,
                "changes": [(_(CHANGED_KINDS.get(kind, kind)), counted) for kind, counted in (v.changes or {}).items()
                            if any(counted.values())]} for v in versions]
    return pages.render(request, "admin_catalogue.html", {
        "items": rows, "versions": history, "in_use": sum(1 for r in rows if not r["retired"]),
        "problems": list(problems), "checked": checked, "loaded": loaded,
        "max_mb": MAX_CATALOGUE_BYTES // (1024 * 1024), "section": "catalogue"}, who, language, status=status)


@router.post("/catalogue/load")
async def load_catalogue_file(request: Request, session: Session = Depends(get_db)):
    fields, files = await pages.upload_of(request)
    return await run_in_threadpool(_load_catalogue_file, request, session, fields, files)


def _load_catalogue_file(request: Request, session: Session, fields: dict[str, str],
                         files: dict[str, bytes]) -> Response:
    """The uploaded file checked in full; with "load", a new version kiosks refresh to,
    under the same lock as the command line's (two loads would take one number)."""
    who = pages.who_may(request, session, ADMIN_ROLES)
    pages.check_csrf(request, fields)
    _ = i18n.translations(pages.language(request)).gettext
    raw = files.get("catalogue", b"")
    if not raw:
        return _catalogue_page(request, session, who, problems=[_("Choose a catalogue file first.")], status=422)
    try:
        data, raw = catalogue_of(raw)
    except CatalogueInvalid as invalid:
        return _catalogue_page(request, session, who, problems=invalid.problems, status=422)
    if fields.get("action") != "load":
        return _catalogue_page(request, session, who, checked=len(data["items"]))
    holder = f"console:{who.name}:{secrets.token_hex(4)}"
    if not locks.try_acquire(session, LOAD_LOCK, holder, ttl_s=600):
        return _catalogue_page(request, session, who, status=409, problems=[
            _("Another catalogue load is running; nothing changed. Try again when it has finished.")])
    try:
        version = load_catalogue_data(session, data, raw, who.actor)["version"]
    finally:
        session.rollback()  # whatever a failed load left, so the release commits only itself
        locks.release(session, LOAD_LOCK, holder)
    return _back(f"/console/admin/catalogue?loaded={version}")


@router.get("/catalogue/items/{code}")
def item_page(code: str, request: Request, session: Session = Depends(get_db)):
    who = pages.who_may(request, session, ADMIN_ROLES)
    language = pages.language(request)
    _ = i18n.translations(language).gettext
    with read_phase(session):
        item = session.scalar(select(Item).where(Item.code == code).options(selectinload(Item.materials)))
        department = session.get(Department, item.department_code) if item else None
    if item is None:
        raise pages.Refused(404, _("There is no such item in the catalogue."))
    english = language == "en"
    materials = [{"code": m.code, "name": m.name_en if english and m.name_en else m.name,
                  "necessity": _(NECESSITY_LABELS.get(m.necessity, m.necessity)), "copies": m.copies,
                  "forms": "、".join(m.forms or []), "source": m.source} for m in item.materials]
    return pages.render(request, "admin_item.html", {
        "item": item, "name": item.name_en if english and item.name_en else item.name,
        "department": (department.name_en if english and department.name_en else department.name) if department
        else item.department_code, "fee": _fee(item, language), "materials": materials,
        "conditions": (item.conditions_en if english and item.conditions_en else item.conditions) or [],
        "fields": len(item.form or []), "retired": _at(item.retired_at), "section": "catalogue"}, who, language)
