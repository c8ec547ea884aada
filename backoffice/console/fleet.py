"""The fleet in the console: every terminal with its last heartbeat,
devices, paper, outbox, disk, versions and open alerts, its availability over the last week
and its time to repair; a terminal's page with its commands, a form to queue one, its latest
diagnostics bundle, and disabling or enabling it.

Seeing the fleet is the API's fleet route's rule (supervisors, and admins); queueing a
command and disabling or enabling a terminal are admins' (the API's routes' rule), through
the functions those routes call (terminals.queue_command, terminals.set_disabled,
diagnostics.hand_out), so the audit records are the same whichever way staff went."""
from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from domain.county import to_cst

from .. import diagnostics, terminals
from ..auth import get_db, role_may
from ..db import read_phase
from ..errors import ApiError
from ..models import Alert, CatalogueVersion, Release, Terminal, TerminalCommand, utcnow
from . import i18n, pages

router = APIRouter(prefix="/console", include_in_schema=False)
SEE_ROLES = ("supervisor",)  # GET /v1/terminals: caller("supervisor"), an admin too
CHANGE_ROLES = ("admin",)  # commands and disabling: caller("admin")
WINDOW = dt.timedelta(days=7)
# What takes a terminal out of service in the availability figure: silence (the sweep's
# alert) and a device unable to serve for minutes. Paper out and disk low are warnings the
# kiosk still serves through; they count for the time to repair only.
OUTAGE_ALERTS = ("terminal_silent", "device_not_ready")
SHOWN_COMMANDS = 30
ALERT_LABELS = {"terminal_silent": i18n.N_("No heartbeat"), "paper_out": i18n.N_("Out of paper"),
                "disk_low": i18n.N_("Disk nearly full"), "device_not_ready": i18n.N_("Device not ready")}
COMMAND_LABELS = {"restart": i18n.N_("Restart the kiosk"), "out_of_service": i18n.N_("Take out of service"),
                  "in_service": i18n.N_("Put back in service"), "refresh_catalogue": i18n.N_("Refresh the catalogue"),
                  "upload_diagnostics": i18n.N_("Upload a diagnostics bundle"),
                  "send_outbox": i18n.N_("Send the outbox now"), "rotate_secret": i18n.N_("Rotate its secret"),
                  "update": i18n.N_("Update to a release")}
OUTCOME_LABELS = {"done": i18n.N_("done"), "failed": i18n.N_("failed"), "unavailable": i18n.N_("unavailable")}
PAPER_LABELS = {"ok": i18n.N_("OK"), "low": i18n.N_("Low"), "out": i18n.N_("Out"), "jammed": i18n.N_("Jammed")}
# The kiosk's device families and states as it reports them (devices/health.py, the kiosk's
# readiness report), in the staff's words; an unknown one is shown as reported.
DEVICE_LABELS = {"idcard": i18n.N_("ID card reader"), "receipt_printer": i18n.N_("Receipt printer"),
                 "document_printer": i18n.N_("Document printer"), "scanner": i18n.N_("QR scanner"),
                 "speech": i18n.N_("Speech"), "doccam": i18n.N_("Document camera"), "face": i18n.N_("Face camera")}
STATE_LABELS = {"online": i18n.N_("working"), "offline": i18n.N_("offline"), "no_device": i18n.N_("not connected"),
                "hardware_error": i18n.N_("hardware fault"), "user_error": i18n.N_("needs attention (cover, paper)"),
                "busy": i18n.N_("busy")}


def _at(value: dt.datetime | None) -> str:
    return to_cst(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _parsed(iso: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(iso.removesuffix("Z")) if iso else None


# --- availability and time to repair ----------------------------------------------------------

def service_record(session: Session, now: dt.datetime, silent_after_s: int,
                   terminal_id: str | None = None) -> dict[str, dict]:
    """Per terminal over the last 7 days: the share of time in service, and the mean time
    from a terminal alert raised to cleared.

    The back office keeps only a terminal's last heartbeat (Terminal.last_seen_at), not each
    beat, so the history is read from what it does keep with times:
    - the alerts (raised_at, cleared_at): silence, raised by the sweep once a terminal has
      been without heartbeat for silent_terminal_s and cleared by its next heartbeat, and
      a device unable to serve for device_alert_after_s, raised and cleared by heartbeats.
      An alert still open runs to now. Silence therefore counts from the sweep's alert,
      a few minutes after the last beat; a terminal silent now by the same rule
      (fleet()'s) with no alert yet counts from last beat + silent_terminal_s;
    - the out_of_service and in_service commands the terminal acknowledged done (acked_at):
      taken out of service by staff is not in service either.
    The periods are merged (overlaps count once) and clipped to the window and to the
    terminal's registration, so of the switches before the window only each terminal's
    last one counts (out of service then is out at the window's start). Time to repair is
    the mean of cleared_at - raised_at over every terminal alert (paper and disk included)
    cleared within the window."""
    start = now - WINDOW
    known = select(Terminal.id, Terminal.registered_at, Terminal.last_seen_at, Terminal.in_service)
    alerts = select(Alert.kind, Alert.subject, Alert.raised_at, Alert.cleared_at).where(
        Alert.kind.in_(terminals.HEARTBEAT_ALERTS), Alert.raised_at < now,
        or_(Alert.cleared_at.is_(None), Alert.cleared_at >= start))
    switched = (TerminalCommand.command.in_(("out_of_service", "in_service")) & (TerminalCommand.outcome == "done")
                & TerminalCommand.acked_at.is_not(None))
    if terminal_id is not None:
        known, alerts = known.where(Terminal.id == terminal_id), alerts.where(Alert.subject == terminal_id)
        switched = switched & (TerminalCommand.terminal_id == terminal_id)
    before = select(TerminalCommand.terminal_id, TerminalCommand.command, TerminalCommand.acked_at,
                    func.row_number().over(partition_by=TerminalCommand.terminal_id, order_by=(
                        TerminalCommand.acked_at.desc(), TerminalCommand.id.desc())).label("latest")
                    ).where(switched, TerminalCommand.acked_at < start).subquery()
    with read_phase(session):
        known_rows = session.execute(known).all()
        alert_rows = session.execute(alerts).all()
        switches = session.execute(select(before.c.terminal_id, before.c.command, before.c.acked_at)
                                   .where(before.c.latest == 1)).all()
        switches += session.execute(select(TerminalCommand.terminal_id, TerminalCommand.command,
                                           TerminalCommand.acked_at).where(
            switched, TerminalCommand.acked_at >= start, TerminalCommand.acked_at < now)
            .order_by(TerminalCommand.acked_at, TerminalCommand.id)).all()
    down: dict[str, list[tuple[dt.datetime, dt.datetime]]] = {}
    repairs: dict[str, list[float]] = {}
    silent_alert_open = set()
    for a in alert_rows:
        if a.kind in OUTAGE_ALERTS:
            down.setdefault(a.subject, []).append((a.raised_at, a.cleared_at or now))
        if a.kind == "terminal_silent" and a.cleared_at is None:
            silent_alert_open.add(a.subject)
        if a.cleared_at is not None:
            repairs.setdefault(a.subject, []).append((a.cleared_at - a.raised_at).total_seconds())
    out_since: dict[str, dt.datetime] = {}
    for s in switches:  # in acknowledgement order: each out until the next back in
        if s.command == "out_of_service":
            out_since.setdefault(s.terminal_id, s.acked_at)
        elif s.terminal_id in out_since:
            down.setdefault(s.terminal_id, []).append((out_since.pop(s.terminal_id), s.acked_at))
    for terminal_id, since in out_since.items():
        down.setdefault(terminal_id, []).append((since, now))
    record = {}
    for t in known_rows:
        begin = max(start, t.registered_at)
        periods = list(down.get(t.id, []))
        quiet_since = (t.last_seen_at or t.registered_at) + dt.timedelta(seconds=silent_after_s)
        if t.in_service and t.id not in silent_alert_open and quiet_since < now:
            periods.append((quiet_since, now))
        lost = _covered([(max(a, begin), min(b, now)) for a, b in periods], begin)
        span = (now - begin).total_seconds()
        times = repairs.get(t.id, [])
        record[t.id] = {"availability": max(0.0, 1 - lost / span) if span > 0 else None,
                        "repair_s": sum(times) / len(times) if times else None, "repairs": len(times)}
    return record


def _covered(periods: list[tuple[dt.datetime, dt.datetime]], begin: dt.datetime) -> float:
    """Seconds covered by the periods, overlaps once."""
    total, reached = 0.0, begin
    for a, b in sorted(p for p in periods if p[1] > p[0]):
        if b > reached:
            total += (b - max(a, reached)).total_seconds()
            reached = b
    return total


def _duration(seconds: float | None, _) -> str:
    if seconds is None:
        return "—"
    if seconds < 3600:
        return _("{minutes} min").format(minutes=max(1, round(seconds / 60)))
    if seconds < 2 * 86400:
        return _("{hours} h").format(hours=f"{seconds / 3600:.1f}")
    return _("{days} days").format(days=f"{seconds / 86400:.1f}")


# --- what a row shows -------------------------------------------------------------------------

def _row(t: dict, record: dict, current_catalogue: int, _) -> dict:
    reported = t["reported"] or {}
    devices = t["devices"] or {}
    shown_devices = [{"name": name, "state": str(v.get("state", "")) if isinstance(v, dict) else str(v),
                      "media": str(v.get("media") or "") if isinstance(v, dict) else ""}
                     for name, v in sorted(devices.items())]
    media = [d["media"] for d in shown_devices if d["media"]]
    paper = "out" if "out" in media else "low" if "low" in media else media[0] if media else ""
    free = reported.get("disk_free_mb")
    catalogue = reported.get("catalogue_version")
    outbox = reported.get("outbox") or {}
    share = record.get("availability")
    for d in shown_devices:
        d["media_label"] = _(PAPER_LABELS[d["media"]]) if d["media"] in PAPER_LABELS else d["media"]
        d["label"] = _(DEVICE_LABELS[d["name"]]) if d["name"] in DEVICE_LABELS else d["name"]
        d["state_label"] = _(STATE_LABELS[d["state"]]) if d["state"] in STATE_LABELS else d["state"]
        d["working"] = d["state"] in ("online", "busy")
    return {
        "id": t["id"], "name": t["name"], "location": t["location"], "online": t["online"],
        "last_seen": _at(_parsed(t["last_seen_at"])), "in_service": t["in_service"], "disabled": t["disabled"],
        "disabled_reason": t["disabled_reason"], "devices": shown_devices,
        "paper": _(PAPER_LABELS[paper]) if paper in PAPER_LABELS else paper, "paper_code": paper,
        "outbox": t["outbox_length"], "outbox_parked": outbox.get("parked"),
        "disk_free": "" if free is None else (f"{free / 1024:.1f} GB" if free >= 1024 else f"{free:.0f} MB"),
        "disk_low": free is not None and free < terminals.DISK_LOW_MB,
        "app_version": t["app_version"], "catalogue_version": "" if catalogue is None else str(catalogue),
        "catalogue_behind": catalogue is not None and catalogue < current_catalogue,
        "alerts": [{"label": _(ALERT_LABELS.get(a["kind"], a["kind"])), "message": a["message"],
                    "raised_at": _at(_parsed(a["raised_at"]))} for a in t["alerts"]],
        "availability": "—" if share is None else f"{share * 100:.1f}%",
        "availability_low": share is not None and share < 0.95,
        "repair": _duration(record.get("repair_s"), _), "repairs": record.get("repairs", 0),
    }


def _fleet_rows(request: Request, session: Session, _, terminal_id: str | None = None) -> list[dict]:
    """The list's rows (or the one terminal's); the fleet view's commands are left out,
    the list shows none and the terminal's page reads its own."""
    silent_after_s = request.app.state.settings.silent_terminal_s
    with read_phase(session):  # the API's view, its silent-terminal rule
        listed = terminals.fleet(session, silent_after_s, with_commands=False, terminal_id=terminal_id)
        current = session.scalar(select(func.max(CatalogueVersion.number))) or 0
    record = service_record(session, utcnow(), silent_after_s, terminal_id)
    return [_row(t, record.get(t["id"], {}), current, _) for t in listed]


@router.get("/fleet")
def fleet_page(request: Request, session: Session = Depends(get_db)):
    who = pages.who_may(request, session, SEE_ROLES)
    language = pages.language(request)
    _ = i18n.translations(language).gettext
    rows = _fleet_rows(request, session, _)
    return pages.render(request, "fleet.html", {
        "terminals": rows, "silent": sum(1 for r in rows if not r["online"]),
        "silent_after_s": request.app.state.settings.silent_terminal_s}, who, language)


# --- a terminal -------------------------------------------------------------------------------

def _command_state(c: TerminalCommand, _) -> str:
    if c.acked_at:
        return _("acknowledged: {outcome}").format(outcome=_(OUTCOME_LABELS.get(c.outcome, c.outcome or "done")))
    return _("delivered") if c.delivered_at else _("queued")


@router.get("/fleet/{terminal_id}")
def terminal_page(terminal_id: str, request: Request, session: Session = Depends(get_db)):
    who = pages.who_may(request, session, SEE_ROLES)
    language = pages.language(request)
    _ = i18n.translations(language).gettext
    row = next(iter(_fleet_rows(request, session, _, terminal_id)), None)
    if row is None:
        raise pages.Refused(404, _("There is no such terminal."))
    with read_phase(session):
        commands = session.scalars(select(TerminalCommand).where(TerminalCommand.terminal_id == terminal_id)
                                   .order_by(TerminalCommand.id.desc()).limit(SHOWN_COMMANDS)).all()
        releases = session.scalars(select(Release.version).order_by(Release.sequence.desc()).limit(20)).all()
        bundles = diagnostics.listing(session, terminal_id)[:1]
        registered = session.scalar(select(Terminal.registered_at).where(Terminal.id == terminal_id))
    shown = [{"id": c.id, "command": _(COMMAND_LABELS.get(c.command, c.command)), "argument": c.argument,
              "created_at": _at(c.created_at), "created_by": c.created_by, "delivered_at": _at(c.delivered_at),
              "acked_at": _at(c.acked_at), "state": _command_state(c, _), "outcome": c.outcome,
              "result": c.result} for c in commands]
    latest = bundles[0] if bundles else None
    if latest:
        latest = {**latest, "received_at": _at(_parsed(latest["received_at"])),
                  "size_kb": max(1, round(latest["size"] / 1024))}
    return pages.render(request, "fleet_terminal.html", {
        "t": row, "commands": shown, "latest": latest, "registered": _at(registered),
        "may_change": role_may(who, CHANGE_ROLES), "choices": [(c, _(COMMAND_LABELS[c])) for c in terminals.COMMANDS],
        "releases": releases, "quoted": quote(terminal_id, safe="")}, who, language)


def _back(terminal_id: str) -> Response:
    return RedirectResponse(f"/console/fleet/{quote(terminal_id, safe='')}", status_code=303, headers=pages.headers())


@router.post("/fleet/{terminal_id}/commands")
async def queue_command(terminal_id: str, request: Request, session: Session = Depends(get_db)):
    form = await pages.form_of(request)
    return await run_in_threadpool(_queue_command, terminal_id, request, session, form)


def _queue_command(terminal_id: str, request: Request, session: Session, form: dict[str, str]) -> Response:
    """The command waits for the terminal's next heartbeat, as one queued over the API."""
    who = pages.who_may(request, session, CHANGE_ROLES)
    pages.check_csrf(request, form)
    _ = i18n.translations(pages.language(request)).gettext
    name = form.get("command", "")
    if name not in terminals.COMMANDS:
        raise pages.Refused(400, _("There is no such command."))
    try:
        terminals.queue_command(session, terminal_id, name, form.get("argument", "").strip()[:32], who.actor,
                                who.name)
    except ApiError as exc:
        session.rollback()
        raise pages.Refused(exc.status, _("There is no such terminal.") if exc.status == 404
                            else _("An update needs a published release: choose one.")) from None
    session.commit()
    return _back(terminal_id)


@router.post("/fleet/{terminal_id}/disabled")
async def set_disabled(terminal_id: str, request: Request, session: Session = Depends(get_db)):
    form = await pages.form_of(request)
    return await run_in_threadpool(_set_disabled, terminal_id, request, session, form)


def _set_disabled(terminal_id: str, request: Request, session: Session, form: dict[str, str]) -> Response:
    """Cut a terminal off (every request it signs is refused 403) or let it back, with the
    reason the audit record keeps."""
    who = pages.who_may(request, session, CHANGE_ROLES)
    pages.check_csrf(request, form)
    _ = i18n.translations(pages.language(request)).gettext
    disabled = form.get("disabled") == "1"
    reason = form.get("reason", "").strip()[:200]
    if not reason:
        raise pages.Refused(422, _("Say why: the reason is kept in the audit log."))
    if not terminals.set_disabled(session, terminal_id, disabled, reason, who.actor):
        raise pages.Refused(404, _("There is no such terminal."))
    return _back(terminal_id)


@router.get("/fleet/{terminal_id}/diagnostics/{bundle_id}")
def download_diagnostics(terminal_id: str, bundle_id: int, request: Request, session: Session = Depends(get_db)):
    """The bundle as the API hands it out (diagnostics.hand_out: the download audited)."""
    who = pages.who_may(request, session, SEE_ROLES)
    _ = i18n.translations(pages.language(request)).gettext
    with read_phase(session):
        owner = session.scalar(select(diagnostics.TerminalDiagnostics.terminal_id)
                               .where(diagnostics.TerminalDiagnostics.id == bundle_id))
    if owner != terminal_id:
        raise pages.Refused(404, _("There is no such diagnostics bundle."))
    bundle = diagnostics.hand_out(session, bundle_id, who.actor)
    if bundle is None:
        raise pages.Refused(404, _("There is no such diagnostics bundle."))
    return Response(bundle.content, media_type="application/zip", headers={
        **pages.headers(), "Content-Disposition": f'attachment; filename="{diagnostics.file_name(bundle)}"'})
