"""The terminal fleet: registration with a secret, heartbeats, commands, alerts."""
from __future__ import annotations

import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from . import audit
from .models import Terminal, TerminalCommand, utcnow
from .supervision import clear, raise_alert

COMMANDS = ("restart", "out_of_service", "in_service", "refresh_catalogue", "upload_diagnostics")


def register(session: Session, vault, terminal_id: str, name: str = "", location: str = "",
             actor: str = "system", secret: str | None = None) -> str:
    """Returns the terminal's secret; it is shown once and stored only encrypted."""
    secret = secret or secrets.token_urlsafe(32)
    terminal = session.get(Terminal, terminal_id) or Terminal(id=terminal_id)
    terminal.name, terminal.location = name, location
    terminal.secret_enc = vault.encrypt(secret, "terminal-secret")
    session.add(terminal)
    audit.record(session, actor, "terminal.register", terminal_id)
    session.commit()
    return secret


def heartbeat(session: Session, terminal_id: str, report: dict) -> tuple[bool, list[dict]]:
    """Records the report; returns (in service, the commands waiting for the terminal).

    One short transaction of UPDATEs, the terminal never loaded: a thousand terminals
    send this every 30 s, and on SQLite every statement here runs under the write lock."""
    devices = report.get("devices") or {}
    devices = {str(k)[:32]: v for k, v in devices.items()} if isinstance(devices, dict) else {}
    in_service = session.execute(update(Terminal).where(Terminal.id == terminal_id).values(
        last_seen_at=utcnow(), app_version=str(report.get("app_version", ""))[:32],
        uptime_s=int(report.get("uptime_s", 0) or 0), outbox_length=int(report.get("outbox_length", 0) or 0),
        devices=devices,
    ).returning(Terminal.in_service).execution_options(synchronize_session=False)).scalar_one()
    paper_out = any(isinstance(v, dict) and v.get("media") == "out" for v in devices.values())
    if paper_out:
        clear(session, "terminal_silent", terminal_id)
        raise_alert(session, "paper_out", terminal_id, "打印机缺纸")
    else:
        clear(session, ("terminal_silent", "paper_out"), terminal_id)
    pending = list(session.scalars(select(TerminalCommand).where(
        TerminalCommand.terminal_id == terminal_id, TerminalCommand.acked_at.is_(None)).order_by(TerminalCommand.id)))
    for command in pending:
        command.delivered_at = command.delivered_at or utcnow()
    session.commit()
    return in_service, [{"id": c.id, "command": c.command} for c in pending]


def fleet(session: Session, silent_after_s: int) -> list[dict]:
    now = utcnow()
    out = []
    for t in session.scalars(select(Terminal).order_by(Terminal.id)):
        silent = t.last_seen_at is None or (now - t.last_seen_at).total_seconds() > silent_after_s
        out.append({"id": t.id, "name": t.name, "location": t.location, "in_service": t.in_service,
                    "online": not silent, "last_seen_at": t.last_seen_at.isoformat() + "Z" if t.last_seen_at else None,
                    "app_version": t.app_version, "uptime_s": t.uptime_s, "outbox_length": t.outbox_length,
                    "devices": t.devices})
    return out
