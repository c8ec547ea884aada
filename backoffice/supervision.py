"""统一督办: deadline supervision. The sweep marks overdue cases, terminates cases whose
容缺 material was never supplied, asks the courier how posted results are getting on,
prunes spent nonces and raises alerts (among them the working-day calendar running out);
a database lease makes sure only one server process sweeps at a time."""
from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import socket

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from domain.cases import CaseStatus
from domain.county import to_cst
from domain.lifecycle import Action

from . import audit, lights, locks, notices, shipping
from .alert_delivery import channel_from_settings, deliver_pending
from .auth import Caller
from .calendar import missing_year
from .cases import LIGHT_STATES, Context, apply_action
from .models import (
    Alert,
    Case,
    FaceChallenge,
    FaceFrameSeen,
    FaceReference,
    IdempotencyRecord,
    LoginFailure,
    PassportChallenge,
    PresenceChallenge,
    PresenceGrant,
    StaffToken,
    Terminal,
    TerminalNonce,
    utcnow,
)
from .presence import DEFERRED_WINDOW

# A kiosk that lost a submission's answer retries with the same key, possibly days later
# after an outage: the record that makes the retry answer the first case is kept a month.
IDEMPOTENCY_KEEP = dt.timedelta(days=30)
# A face frame's digest bars it for a year: a recorded set replayed later meets a new
# random head turn only by chance, and the digests themselves reveal nothing of a face.
FRAMES_SEEN_KEPT = dt.timedelta(days=365)

log = logging.getLogger(__name__)
SYSTEM = Caller("system", "sweep", role="admin")
OPEN_STATES = [s.value for s in (CaseStatus.RECEIVED, CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW,
                                 CaseStatus.CORRECTION_REQUIRED, CaseStatus.SUSPENDED, CaseStatus.DECIDED)]


def sweep(session: Session, ctx: Context, today: dt.date | None = None) -> dict:
    holder = f"{socket.gethostname()}:{os.getpid()}"
    if not locks.try_acquire(session, "sweep", holder, ttl_s=600):
        return {"ran": False, "reason": "another sweep is running"}
    try:
        today = today or ctx.today()
        result = {"ran": True, "overdue": 0, "terminated": 0, "alerts": 0}
        for case in session.scalars(select(Case).where(Case.status.in_(OPEN_STATES))):
            if case.deferred_pending and case.deferred_due and today > case.deferred_due \
                    and CaseStatus(case.status) in (CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW, CaseStatus.SUSPENDED):
                apply_action(session, ctx, case, Action.TERMINATE,
                             {"note": "容缺材料逾期未补交，依承诺终止办理",
                              "note_en": "Ended: a deferred material was not supplied in time, "
                                         "as the signed commitment provides"}, SYSTEM)
                result["terminated"] += 1
                continue
            overdue = bool(case.promised_date and today > case.promised_date
                           and CaseStatus(case.status) in LIGHT_STATES)
            if overdue and not case.overdue:
                case.overdue = True
                result["overdue"] += 1
                result["alerts"] += _raise(session, "case_overdue", case.number,
                                           f"{case.item_name} 已超过承诺办结时限", case.department_code)
        if ctx.sms is not None:
            result["sms_reminders"] = (notices.deferred_reminders(session, ctx, today)
                                       + notices.appointment_reminders(session, ctx, today))
        if ctx.courier is not None:
            result.update(shipping.poll(session, ctx))
        result["alerts"] += _silent_terminals(session, ctx)
        result["alerts"] += _calendar_running_out(session, ctx, today)
        result.update(prune(session, ctx))
        if ctx.sms is not None:
            result.update(ctx.sms.deliver_due(session))
            result["sms_receipts"] = ctx.sms.collect_receipts(session)
        session.commit()  # the alerts raised above are claimed and sent one by one
        result["alerts_delivered"] = deliver_pending(session, channel_from_settings(ctx.settings))
        audit.record(session, SYSTEM.actor, "supervision.sweep", "", **{k: v for k, v in result.items() if k != "ran"})
        session.commit()
        log.info("sweep ran", extra={k: v for k, v in result.items() if isinstance(v, int) and not isinstance(v, bool)})
        return result
    finally:
        locks.release(session, "sweep", holder)


def prune(session: Session, ctx: Context) -> dict[str, int]:
    """What is kept only for a while: nonces outside the signature window, expired staff
    tokens, login failures outside the throttling window, old idempotency records, code
    requests, passport and face challenges a day after they expired, grants once no outbox
    delivery can use them, a passport's proven face the moment it expired, the digests of
    face frames seen after FRAMES_SEEN_KEPT."""
    now = utcnow()
    signatures = dt.timedelta(seconds=ctx.settings.signature_window_s * 2)
    logins = dt.timedelta(seconds=ctx.settings.login_window_s)
    return {
        "nonces_pruned": session.execute(
            delete(TerminalNonce).where(TerminalNonce.seen_at < now - signatures)).rowcount,
        "tokens_pruned": session.execute(delete(StaffToken).where(StaffToken.expires_at < now)).rowcount,
        "login_failures_pruned": session.execute(delete(LoginFailure).where(LoginFailure.at < now - logins)).rowcount,
        "idempotency_pruned": session.execute(
            delete(IdempotencyRecord).where(IdempotencyRecord.created_at < now - IDEMPOTENCY_KEEP)).rowcount,
        "presence_codes_pruned": session.execute(delete(PresenceChallenge).where(
            PresenceChallenge.expires_at < now - dt.timedelta(days=1))).rowcount,
        "passport_challenges_pruned": session.execute(delete(PassportChallenge).where(
            PassportChallenge.expires_at < now - dt.timedelta(days=1))).rowcount,
        "presence_grants_pruned": session.execute(delete(PresenceGrant).where(
            PresenceGrant.expires_at < now - DEFERRED_WINDOW)).rowcount,
        "face_challenges_pruned": session.execute(delete(FaceChallenge).where(
            FaceChallenge.expires_at < now - dt.timedelta(days=1))).rowcount,
        # A face is kept no longer than its purpose: gone the moment it expired.
        "face_references_pruned": session.execute(delete(FaceReference).where(
            FaceReference.expires_at <= now)).rowcount,
        "face_frames_pruned": session.execute(delete(FaceFrameSeen).where(
            FaceFrameSeen.seen_at < now - FRAMES_SEEN_KEPT)).rowcount,
    }


def _silent_terminals(session: Session, ctx: Context) -> int:
    limit = utcnow() - dt.timedelta(seconds=ctx.settings.silent_terminal_s)
    raised = 0
    for terminal in session.scalars(select(Terminal).where(Terminal.in_service.is_(True))):
        if terminal.last_seen_at is None or terminal.last_seen_at < limit:
            raised += _raise(session, "terminal_silent", terminal.id, "终端心跳中断")
        else:
            clear(session, "terminal_silent", terminal.id)
    return raised


def _calendar_running_out(session: Session, ctx: Context, today: dt.date) -> int:
    """Warns from 60 days before the year ends while next year's arrangement is not
    imported (and at once when this year's is not): without it no case gets a promised date."""
    missing = missing_year(ctx.calendar, today)
    for stale in session.scalars(select(Alert.subject).where(Alert.kind == "calendar_year_missing",
                                                             Alert.cleared_at.is_(None))).all():
        if stale != str(missing):
            clear(session, "calendar_year_missing", stale)
    if missing is None:
        return 0
    return _raise(session, "calendar_year_missing", str(missing),
                  f"{missing}年工作日历尚未导入国务院节假日安排：该年的承诺办结日期无法计算")


def _raise(session: Session, kind: str, subject: str, message: str, department: str = "") -> int:
    existing = session.scalar(select(Alert).where(Alert.kind == kind, Alert.subject == subject,
                                                  Alert.cleared_at.is_(None)))
    if existing is not None:
        return 0
    session.add(Alert(kind=kind, subject=subject, message=message, department_code=department))
    return 1


raise_alert = _raise


def clear(session: Session, kinds: str | tuple[str, ...], subject: str) -> None:
    """Clears the subject's open alerts of these kinds in one UPDATE (every heartbeat
    calls this, and nearly always there is nothing to clear)."""
    kinds = (kinds,) if isinstance(kinds, str) else kinds
    session.execute(update(Alert).where(Alert.kind.in_(kinds), Alert.subject == subject,
                                        Alert.cleared_at.is_(None)).values(cleared_at=utcnow()),
                    execution_options={"synchronize_session": "auto" if session.identity_map else False})


def summary(session: Session, ctx: Context, today: dt.date | None = None) -> list[dict]:
    """Per department: open, at risk (yellow), overdue (red), completed, on-time rate and
    average working days from receipt to completion. The counts are one grouped query (the
    lights as dates, lights.py); only completed cases are read, as four columns each."""
    today = today or ctx.today()
    bounds = lights.light_bounds(ctx.calendar, today)
    rows: dict[str, dict] = {}
    for code, name, in_hand, late, near in session.execute(
            select(Case.department_code, func.max(Case.department_name),
                   *[lights.count_where(condition) for condition in (Case.status.in_(OPEN_STATES),
                                                                     lights.lit_with(bounds, "red"),
                                                                     lights.lit_with(bounds, "yellow"))])
            .group_by(Case.department_code)):
        rows[code] = {"department_code": code, "department": name, "open": int(in_hand), "at_risk": int(near),
                      "overdue": int(late), "completed": 0, "on_time": 0, "_days": []}
    between = functools.cache(ctx.calendar.working_days_between)
    for code, received_at, completed_at, promised in session.execute(
            select(Case.department_code, Case.received_at, Case.completed_at, Case.promised_date)
            .where(Case.completed_at.is_not(None))):
        dep = rows[code]
        dep["completed"] += 1
        done = to_cst(completed_at).date()
        if promised and done <= promised:
            dep["on_time"] += 1
        try:
            dep["_days"].append(between(to_cst(received_at).date(), done))
        except LookupError:
            pass
    out = []
    for dep in rows.values():
        days = dep.pop("_days")
        dep["on_time_rate"] = round(dep["on_time"] / dep["completed"], 3) if dep["completed"] else None
        dep["average_working_days"] = round(sum(days) / len(days), 1) if days else None
        out.append(dep)
    return sorted(out, key=lambda d: d["department_code"])
