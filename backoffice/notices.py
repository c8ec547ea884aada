"""Texts to the applicant as the case moves (办件短信通知), for those who asked for them:
accepted with its promised date, not accepted, every correction asked for with its deadline,
a 容缺 material due in 3 working days and the case ended when it was not supplied, suspended
and resumed, approved or denied, ready to collect, a result posted with its waybill, and the
call back after a bad rating; and the day before an appointment, a reminder to those who
asked for one.

A notice is a registered template and parameters (sms/templates.py): the item, the case
number, a date; never a name or an ID number. It is staged in the transaction that moves
the case, under a key of the case and the event, so it goes out exactly once and only if
the change is kept; the gateway sends it outside the quiet hours."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from domain.cases import CaseStatus
from domain.county import CST, to_cst
from domain.lifecycle import Action
from domain.workdays import CalendarUnknown

from . import shipping
from .models import Appointment, Bundle, Case, CaseEvent, Item, SmsMessage, Window, utcnow
from .sms import templates as t

DEFERRED_WARNING_DAYS = 3  # working days before a 容缺 material's due date
PLACE = {"zh_CN": "县政务服务中心统一出件窗口", "en": "the county service center's collection window"}
ITEM_CHARS = {"zh_CN": 20, "en": 35}  # an item's name in a parameter, shortened past this
NOTICE_OF_ACTION = {Action.ACCEPT: t.CASE_ACCEPTED, Action.REFUSE: t.CASE_REFUSED,
                    Action.REQUEST_CORRECTION: t.CASE_CORRECTION, Action.SUSPEND: t.CASE_SUSPENDED,
                    Action.RESUME: t.CASE_RESUMED, Action.COMPLETE: t.CASE_READY}


def wanted(case: Case, ctx) -> bool:
    return bool(case.sms_notices and case.phone_enc and ctx.sms is not None)


def after_action(session: Session, ctx, case: Case, action: Action, before: CaseStatus) -> None:
    """The notice a lifecycle step owes the applicant, staged with the step (cases.apply_action)."""
    if not wanted(case, ctx):
        return
    template = NOTICE_OF_ACTION.get(action)
    if action in (Action.APPROVE, Action.DENY):
        if case.status != CaseStatus.DECIDED.value or before == CaseStatus.DECIDED:
            return  # a bundle's part decided, not yet the whole case
        template = t.CASE_DENIED if case.decision == "denied" else t.CASE_APPROVED
    elif action == Action.COMPLETE and shipping.by_post(case):
        return  # not to be collected: the text with the waybill follows when it is posted
    elif action == Action.DELIVER:
        shipment = shipping.shipment_of(session, case) if shipping.by_post(case) else None
        if shipment is None:
            return  # handed over at the window or the kiosk: the applicant was there
        _stage(session, ctx, case, f"{action.value}:1", t.CASE_SHIPPED, waybill=shipment.waybill)
        return
    elif action == Action.TERMINATE and case.deferred_pending and case.deferred_due \
            and ctx.today() > case.deferred_due:
        template = t.DEFERRED_EXPIRED
    if template is None:
        return
    occurrence = sum(1 for e in case.events if e.action == action.value)
    _stage(session, ctx, case, f"{action.value}:{occurrence}", template)


def deferred_reminders(session: Session, ctx, today: dt.date) -> int:
    """容缺 materials due within DEFERRED_WARNING_DAYS working days: one reminder per case and
    due date (the supervision sweep, each day)."""
    staged = 0
    cases = session.scalars(select(Case).where(Case.deferred_pending.is_(True), Case.sms_notices.is_(True),
                                               Case.deferred_due.is_not(None), Case.deferred_due >= today,
                                               Case.status.in_([s.value for s in (CaseStatus.ACCEPTED,
                                                                CaseStatus.IN_REVIEW, CaseStatus.SUSPENDED)])))
    for case in cases:
        assert case.deferred_due is not None
        try:
            if ctx.calendar.working_days_between(today, case.deferred_due) > DEFERRED_WARNING_DAYS:
                continue
        except CalendarUnknown:  # the days between not yet known: warned once they are
            continue
        key = f"deferred_due_soon:{case.deferred_due.isoformat()}"
        if _already(session, case, key):
            continue
        _stage(session, ctx, case, key, t.DEFERRED_DUE_SOON, date=case.deferred_due)
        staged += 1
    return staged


def appointment_reminders(session: Session, ctx, today: dt.date) -> int:
    """Appointments tomorrow whose applicants asked for a reminder: one text each (the sweep);
    the quiet hours hold one staged late until the morning."""
    start = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(0), tzinfo=CST)
    first, last = (moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
                   for moment in (start, start + dt.timedelta(days=1)))
    staged = 0
    for appointment in session.scalars(select(Appointment).where(
            Appointment.status == "booked", Appointment.phone_enc != "",
            Appointment.slot_start >= first, Appointment.slot_start < last)):
        key = f"appointment:{appointment.code}:reminder"
        if session.scalar(select(SmsMessage.id).where(SmsMessage.key == key)) is not None:
            continue
        item, window = session.get(Item, appointment.item_code), session.get(Window, appointment.window_code)
        slot = to_cst(appointment.slot_start)
        params = {"time": f"{slot.month}月{slot.day}日{slot:%H:%M}",
                  "place": _short(window.name if window else "县政务服务中心", 20),
                  "item": _short(item.name if item else "", ITEM_CHARS["zh_CN"])}
        ctx.sms.stage(session, key, ctx.vault.decrypt(appointment.phone_enc, "phone"), t.APPOINTMENT_REMINDER,
                      params, event="appointment_reminder")
        staged += 1
    return staged


def after_bad_rating(session: Session, ctx, case: Case) -> None:
    """A bad rating's call back (回访), announced to the applicant."""
    if wanted(case, ctx):
        _stage(session, ctx, case, "rating_callback", t.RATING_CALLBACK)


# A text sent, as the case's timeline says it (Chinese, English).
TIMELINE_NOTES = {
    "case_accepted": ("已受理及承诺办结日期", "accepted, with the promised date"),
    "case_refused": ("不予受理", "not accepted"),
    "case_correction": ("需补正的材料及期限", "the corrections and their deadline"),
    "deferred_due_soon": ("容缺材料即将到期", "a deferred material due soon"),
    "deferred_expired": ("容缺材料逾期终止", "ended: the deferred material was not supplied"),
    "case_suspended": ("暂停计时", "suspended"), "case_resumed": ("恢复办理", "resumed"),
    "case_approved": ("审批通过", "approved"), "case_denied": ("未获批准", "not approved"),
    "case_ready": ("可领取结果", "ready to collect"), "case_shipped": ("已寄出及运单号", "posted, with the waybill"),
    "rating_callback": ("评价回访", "the call back after a rating")}


def on_sent(session: Session, message: SmsMessage) -> None:
    """A case's text, once the provider took it, on the case's timeline: the applicant sees in
    My cases what was texted and when (the gateway calls this in the send's transaction)."""
    if message.case_id is None or message.template not in TIMELINE_NOTES:
        return
    case = session.get(Case, message.case_id)
    if case is None:
        return
    zh, en = TIMELINE_NOTES[message.template]
    session.execute(insert(CaseEvent.__table__).values(
        case_id=case.id, at=utcnow(), action="notice", status=case.status, department=case.department_name,
        note=f"短信已发送至{message.phone_masked}：{zh}", note_en=f"Text sent to {message.phone_masked}: {en}",
        actor="system:sms"))


def sent_for(session: Session, case: Case) -> list[SmsMessage]:
    """What was texted about the case, oldest first: the console and the case's answer show it."""
    return list(session.scalars(select(SmsMessage).where(SmsMessage.case_id == case.id).order_by(SmsMessage.id)))


# --- the parameters ---------------------------------------------------------------------------

def _stage(session: Session, ctx, case: Case, event: str, template: t.Template, date: dt.date | None = None,
           waybill: str = "") -> None:
    language = case.notice_language if case.notice_language in ("zh_CN", "en") else "zh_CN"
    values = {"item": _item_name(session, case, language), "number": case.number,
              "date": _day(date or _date_for(case, template), language), "what": _deficiencies(case),
              "place": PLACE[language], "days": str(ctx.settings.callback_days), "waybill": waybill}
    params = {name: values[name] for name in template.params}
    phone = ctx.vault.decrypt(case.phone_enc, "phone")
    ctx.sms.stage(session, f"case:{case.number}:{event}", phone, template, params, language,
                  case_id=case.id, event=event.split(":", 1)[0])


def _already(session: Session, case: Case, event: str) -> bool:
    return session.scalar(select(SmsMessage.id).where(SmsMessage.key == f"case:{case.number}:{event}")) is not None


def _date_for(case: Case, template: t.Template) -> dt.date | None:
    if template is t.CASE_CORRECTION:
        due = (case.correction or {}).get("due")
        return dt.date.fromisoformat(due) if due else None
    return case.promised_date


def _day(day: dt.date | None, language: str) -> str:
    if day is None:
        return "—"
    return day.strftime("%-d %b %Y") if language == "en" else f"{day.month}月{day.day}日"


def _item_name(session: Session, case: Case, language: str) -> str:
    name = case.item_name
    if language == "en":
        source = session.get(Item, case.item_code) if case.item_code else (
            session.get(Bundle, case.bundle_code) if case.bundle_code else None)
        name = (source.name_en if source is not None else "") or name
    return _short(name, ITEM_CHARS[language])


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _deficiencies(case: Case) -> str:
    """Every deficiency named, shortened to fit a parameter: "营业执照、章程等3项"."""
    names = [d.get("material") or d.get("problem", "") for d in (case.correction or {}).get("deficiencies", [])]
    names = [n for n in names if n]
    text = "、".join(names)
    if len(text) <= t.MAX_PARAM_CHARS:
        return text or "—"
    shown = ""
    for name in names:
        candidate = f"{shown}、{name}" if shown else name
        if len(candidate) + len(f"等{len(names)}项") > t.MAX_PARAM_CHARS:
            break
        shown = candidate
    return f"{shown or names[0][:20]}等{len(names)}项"
