"""The terminal fleet: registration with a secret, heartbeats, commands, alerts."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from typing import NamedTuple

from sqlalchemy import bindparam, exists, func, literal_column, or_, select, update
from sqlalchemy.orm import Session

from . import audit
from .auth import ReplayGuard, execute_guarded, with_replay_guard
from .db import statements_stand_alone
from .driver_statement import DriverStatement
from .errors import Invalid, NotFound
from .models import Alert, CatalogueVersion, Release, Terminal, TerminalCommand, utcnow
from .supervision import clear, raise_alert

HEARTBEAT_ALERTS = ("terminal_silent", "paper_out", "disk_low", "device_not_ready")  # what a heartbeat clears
# Below this the kiosk soon cannot keep captured pages or its outbox (the kiosk's own
# readiness report warns from 1 GiB too).
DISK_LOW_MB = 1024
COMMANDS = ("restart", "out_of_service", "in_service", "refresh_catalogue", "upload_diagnostics", "send_outbox",
            "rotate_secret", "update")  # update VERSION: releases.py queues it for rings
OUTCOMES = ("done", "failed", "unavailable")  # how the terminal says a command went
RECENT_COMMANDS = 10  # per terminal in the fleet view, besides every one not yet acked


def register(session: Session, vault, terminal_id: str, name: str = "", location: str = "",
             actor: str = "system", secret: str | None = None) -> str:
    """Returns the terminal's secret; it is shown once and stored only encrypted. For a
    terminal already registered this is a new secret (the old one stops working); a name
    or location not given keeps the one it had."""
    secret = secret or secrets.token_urlsafe(32)
    terminal = session.get(Terminal, terminal_id) or Terminal(id=terminal_id)
    terminal.name = name or terminal.name or ""
    terminal.location = location or terminal.location or ""
    terminal.secret_enc = vault.encrypt(secret, "terminal-secret")
    terminal.secret_previous_enc, terminal.secret_previous_until = "", None
    session.add(terminal)
    audit.record(session, actor, "terminal.register", terminal_id)
    session.flush()  # the caller commits (over the API, with the Idempotency-Key's record)
    return secret


def rotate_secret(session: Session, vault, terminal_id: str, overlap_s: int, actor: str,
                  signed_with_previous: bool = False) -> tuple[str, dt.datetime | None] | None:
    """A new secret for the terminal, shown once; the one it replaces keeps signing for
    `overlap_s` (until the new one is first used). Asked with the previous secret (the
    answer to an earlier rotation was lost, so the kiosk never had that one), the
    previous one is kept and only the never-used current one is replaced. None when
    there is no such terminal."""
    terminal = session.get(Terminal, terminal_id)
    if terminal is None:
        return None
    secret = secrets.token_urlsafe(32)
    if not signed_with_previous:
        terminal.secret_previous_enc = terminal.secret_enc
        terminal.secret_previous_until = utcnow() + dt.timedelta(seconds=overlap_s)
    terminal.secret_enc = vault.encrypt(secret, "terminal-secret")
    audit.record(session, actor, "terminal.rotate_secret", terminal_id, overlap_s=overlap_s)
    session.commit()
    return secret, terminal.secret_previous_until


def set_disabled(session: Session, terminal_id: str, disabled: bool, reason: str, actor: str) -> bool:
    """Cuts a terminal off (or lets it back); False when there is no such terminal."""
    terminal = session.get(Terminal, terminal_id)
    if terminal is None:
        return False
    terminal.disabled, terminal.disabled_reason = disabled, reason[:200] if disabled else ""
    action = "terminal.disable" if disabled else "terminal.enable"
    audit.record(session, actor, action, terminal_id, reason=reason[:200])
    session.commit()
    return True


def queue_command(session: Session, terminal_id: str, name: str, argument: str, actor: str,
                  created_by: str) -> TerminalCommand:
    """Queues a command for the terminal's next heartbeat and audits it (the caller
    commits); the API's route and the console's fleet page both queue through this."""
    if session.get(Terminal, terminal_id) is None:
        raise NotFound("no such terminal")
    if name not in COMMANDS:
        raise Invalid(f"command must be one of {', '.join(COMMANDS)}")
    argument = argument if name == "update" else ""
    if name == "update" and session.get(Release, argument) is None:
        raise Invalid("update needs the version of a published release (kiosk-backoffice release publish)")
    command = TerminalCommand(terminal_id=terminal_id, command=name, argument=argument, created_by=created_by)
    session.add(command)
    session.flush()
    audit.record(session, actor, "terminal.command", terminal_id, command=name, argument=argument)
    return command


class HeartbeatAnswer(NamedTuple):
    in_service: bool
    commands: list[dict]  # waiting for the terminal
    catalogue_version: int  # the current one, for kiosks holding an older copy; 0 before the first load


def _heartbeat_statements():
    """The heartbeat's UPDATEs, built once: building and keying a statement cost more of
    a heartbeat's CPU than running it. `beat` writes liveness alone and matches only when
    the rest of the report is unchanged (its digest); `report` writes everything."""
    table, commands, alerts = Terminal.__table__, TerminalCommand.__table__, Alert.__table__
    terminal_id = bindparam("terminal_id")
    # The UPDATE also says whether there is anything to clear or deliver, so the usual
    # heartbeat (nothing to clear, no command) is this one statement.
    answer = (table.c.in_service,
              # The kinds as literals: a list bound as parameters is re-expanded at every execution.
              exists().where(alerts.c.subject == terminal_id,
                             alerts.c.kind.in_([literal_column(f"'{kind}'") for kind in HEARTBEAT_ALERTS]),
                             alerts.c.cleared_at.is_(None)).label("alerts_open"),
              exists().where(commands.c.terminal_id == terminal_id, commands.c.acked_at.is_(None))
              .label("commands_waiting"),
              select(func.max(CatalogueVersion.number)).scalar_subquery().label("catalogue_version"))
    liveness = {"last_seen_at": bindparam("now"), "uptime_s": bindparam("uptime"),
                "outbox_length": bindparam("outbox")}
    beat = update(table).where(table.c.id == terminal_id, table.c.report_digest == bindparam("digest")) \
        .values(**liveness).returning(*answer)
    # Where the signature check left the request's nonce to the beat, written in the same statement.
    guarded = with_replay_guard(beat)
    report = update(table).where(table.c.id == terminal_id).values(
        **liveness, app_version=bindparam("version"), devices=bindparam("devices", type_=table.c.devices.type),
        reported=bindparam("reported", type_=table.c.reported.type), report_digest=bindparam("digest"),
    ).returning(*answer)
    return DriverStatement(beat), DriverStatement(guarded), DriverStatement(report)


_BEAT, _BEAT_GUARDED, _REPORT = _heartbeat_statements()


def heartbeat(session: Session, terminal_id: str, report: dict, device_alert_after_s: int = 300,
              guard: ReplayGuard | None = None) -> HeartbeatAnswer:
    """Records the report; returns what the terminal is told back. A device the kiosk
    reports unable to serve for `device_alert_after_s` raises an alert.

    A thousand terminals send this every 30 s, the terminal never loaded: the usual beat
    (the same devices and report as the last, nothing to clear, no command) is one UPDATE
    of its time, uptime and outbox length, on its own (no transaction around it on
    PostgreSQL, where it also writes the request's nonce when `guard` is given; on SQLite
    it runs under the write lock)."""
    devices = report.get("devices") or {}
    devices = {str(k)[:32]: v for k, v in devices.items()} if isinstance(devices, dict) else {}
    reported = reported_fields(report)
    version = str(report.get("app_version", ""))[:32]
    digest = hashlib.blake2b(json.dumps([version, devices, reported], sort_keys=True, default=str).encode(),
                             digest_size=16).hexdigest()
    now = utcnow()
    values = {"terminal_id": terminal_id, "now": now, "uptime": int(report.get("uptime_s", 0) or 0),
              "outbox": int(report.get("outbox_length", 0) or 0), "digest": digest}
    statements_stand_alone(session)
    rows = execute_guarded(session, _BEAT_GUARDED, values, guard) if guard else _BEAT.rows(session, values)
    if not rows:  # something besides liveness changed (or the terminal is new to it)
        rows = _REPORT.rows(session, {**values, "version": version, "devices": devices, "reported": reported})
    row = rows[0]
    session.commit()  # what follows, when anything does, is a transaction of its own
    free = _number(report.get("disk_free_mb"))
    failing = sorted(name for name, v in devices.items()
                     if isinstance(v, dict) and (_number(v.get("not_ready_s")) or 0) >= device_alert_after_s)
    problems = {"paper_out": (any(isinstance(v, dict) and v.get("media") == "out" for v in devices.values()),
                              "打印机缺纸"),
                "disk_low": (free is not None and free < DISK_LOW_MB, "终端磁盘空间不足，请清理或更换存储"),
                "device_not_ready": (bool(failing), "设备故障持续未恢复：" + "、".join(failing))}
    if any(on for on, _ in problems.values()):
        clear(session, tuple(k for k in HEARTBEAT_ALERTS if not problems.get(k, (False, ""))[0]), terminal_id)
        for kind, (on, message) in problems.items():
            if on:
                raise_alert(session, kind, terminal_id, message)
    elif row.alerts_open:
        clear(session, HEARTBEAT_ALERTS, terminal_id)
    pending = []
    if row.commands_waiting:
        commands = TerminalCommand.__table__
        pending = session.execute(select(commands.c.id, commands.c.command, commands.c.argument).where(
            commands.c.terminal_id == terminal_id, commands.c.acked_at.is_(None)).order_by(commands.c.id)).all()
        session.execute(update(commands).where(commands.c.id.in_([c.id for c in pending]),
                                               commands.c.delivered_at.is_(None)).values(delivered_at=now))
    if session.in_transaction():
        session.commit()
    return HeartbeatAnswer(row.in_service, [{"id": c.id, "command": c.command, "argument": c.argument or ""}
                                            for c in pending],
                           row.catalogue_version or 0)


def reported_fields(report: dict) -> dict:
    """What the fleet view keeps of a heartbeat besides devices, version and uptime: the
    outbox in detail, service and screen as the kiosk sees them. Nothing else is stored."""
    outbox = report.get("outbox") if isinstance(report.get("outbox"), dict) else {}
    return {
        "outbox": {key: _number(outbox.get(key)) for key in ("pending", "parked", "oldest_pending_s")},
        "in_service": report.get("in_service") if isinstance(report.get("in_service"), bool) else None,
        "screen": str(report.get("screen", ""))[:40],
        "ui_responsive": report.get("ui_responsive") if isinstance(report.get("ui_responsive"), bool) else None,
        "heartbeat_s": _number(report.get("heartbeat_s")),
        "commands_waiting": [str(c)[:32] for c in report.get("commands_waiting") or [] if isinstance(c, str)][:10]
        if isinstance(report.get("commands_waiting"), list) else [],
        "disk_free_mb": _number(report.get("disk_free_mb")),
        "catalogue_version": version if isinstance(version := report.get("catalogue_version"), int)
        and not isinstance(version, bool) else None,
    }


def _number(value) -> float | int | None:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def acknowledge(session: Session, command: TerminalCommand, result: str, outcome: str) -> None:
    """The terminal's word on a command. Only a command that was carried out changes the
    service state the fleet view shows."""
    command.acked_at = command.acked_at or utcnow()
    command.result = result[:500]
    command.outcome = outcome
    if command.command in ("out_of_service", "in_service") and outcome == "done":
        session.get(Terminal, command.terminal_id).in_service = command.command == "in_service"


def command_view(c: TerminalCommand) -> dict:
    def at(value):
        return value.isoformat() + "Z" if value else None

    return {"id": c.id, "command": c.command, "argument": c.argument or "",
            "created_by": c.created_by, "created_at": at(c.created_at),
            "delivered_at": at(c.delivered_at), "acked_at": at(c.acked_at), "outcome": c.outcome,
            "result": c.result}


def fleet(session: Session, silent_after_s: int, with_commands: bool = True,
          terminal_id: str | None = None) -> list[dict]:
    """Every terminal (or the one named) as the fleet view shows it, with its open alerts
    and, unless left out, its commands: every one not yet acknowledged and the last
    RECENT_COMMANDS acknowledged, the newest first."""
    now = utcnow()
    alerts: dict[str, list[dict]] = {}
    open_alerts = select(Alert).where(Alert.kind.in_(HEARTBEAT_ALERTS), Alert.cleared_at.is_(None))
    if terminal_id is not None:
        open_alerts = open_alerts.where(Alert.subject == terminal_id)
    for a in session.scalars(open_alerts.order_by(Alert.id)):
        alerts.setdefault(a.subject, []).append({"kind": a.kind, "message": a.message,
                                                 "raised_at": a.raised_at.isoformat() + "Z"})
    commands: dict[str, list[dict]] = {}
    if with_commands:
        for c in session.scalars(_shown_commands(terminal_id)):
            commands.setdefault(c.terminal_id, []).append(command_view(c))
    out = []
    listed = select(Terminal).order_by(Terminal.id)
    if terminal_id is not None:
        listed = listed.where(Terminal.id == terminal_id)
    for t in session.scalars(listed):
        silent = t.last_seen_at is None or (now - t.last_seen_at).total_seconds() > silent_after_s
        out.append({"id": t.id, "name": t.name, "location": t.location, "in_service": t.in_service,
                    "disabled": t.disabled, "disabled_reason": t.disabled_reason,
                    "online": not silent, "last_seen_at": t.last_seen_at.isoformat() + "Z" if t.last_seen_at else None,
                    "app_version": t.app_version, "uptime_s": t.uptime_s, "outbox_length": t.outbox_length,
                    "devices": t.devices, "reported": t.reported or {}, "alerts": alerts.get(t.id, []),
                    "commands": commands.get(t.id, [])})
    return out


def _shown_commands(terminal_id: str | None):
    """The commands the fleet view shows, chosen in the database: a terminal's history
    runs to thousands of acknowledged commands, of which it shows the last few."""
    table = TerminalCommand
    acked = select(table.id, func.row_number().over(partition_by=table.terminal_id, order_by=table.id.desc())
                   .label("newest")).where(table.acked_at.is_not(None))
    waiting = table.acked_at.is_(None)
    if terminal_id is not None:
        acked, waiting = acked.where(table.terminal_id == terminal_id), waiting & (table.terminal_id == terminal_id)
    recent = acked.subquery()
    return select(table).where(or_(waiting, table.id.in_(select(recent.c.id).where(
        recent.c.newest <= RECENT_COMMANDS)))).order_by(table.id.desc())
