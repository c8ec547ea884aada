"""Terminals: register, heartbeat (signed), commands and their acknowledgement, fleet."""
from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain import signing

from .. import audit, terminals
from ..auth import Caller, caller, get_db
from ..errors import Conflict, Invalid, NotFound
from ..idempotency import idempotent
from ..models import Terminal, TerminalCommand, utcnow
from ..openapi_docs import IDEMPOTENCY_KEY, ROW_ID_MAX, answers, problems
from ..schemas.bodies import AckIn, CommandIn, HeartbeatIn, TerminalDisabledIn, TerminalRegistrationIn, as_sent
from ..schemas.fleet import (
    AckOut,
    FleetOut,
    HeartbeatAnswerOut,
    QueuedCommandOut,
    RegisteredOut,
    SecretRotatedOut,
    ServerTimeOut,
    TerminalDisabledOut,
    TerminalSelfOut,
)
from .deps import json_answer
from .one_step import OneStepRoute, stand_alone

router = APIRouter(prefix="/v1/terminals", tags=["terminals"])


@router.post("", status_code=201, responses={**answers(RegisteredOut, 201), **problems(409)},
             openapi_extra=IDEMPOTENCY_KEY)
def register(request: Request, body: TerminalRegistrationIn, who: Caller = Depends(caller("admin")),
             session: Session = Depends(get_db)):
    payload = as_sent(body)
    terminal_id = str(payload.get("id", "")).strip()
    if not (3 <= len(terminal_id) <= 64):
        raise Invalid("terminal id must be 3-64 characters")

    def produce():
        if session.get(Terminal, terminal_id) is not None:
            raise Conflict("terminal already registered")
        secret = terminals.register(session, request.app.state.vault, terminal_id, str(payload.get("name", "")),
                                    str(payload.get("location", "")), who.actor)
        return 201, {"id": terminal_id, "secret": secret}

    return idempotent(request, session, f"terminal:{who.actor}", terminal_id, produce, shown_once=("secret",))


@router.get("/me", responses=answers(TerminalSelfOut))
def who_am_i(who: Caller = Depends(caller("terminal")), session: Session = Depends(get_db)):
    """The calling terminal as the back office knows it; changes nothing (unlike the
    heartbeat, which hands out commands). A wrong secret or an unknown terminal is 401, a
    disabled one 403: `kiosk-diag report` reads this to confirm an install."""
    terminal = session.get(Terminal, who.name)
    return {"id": terminal.id, "name": terminal.name, "location": terminal.location}


@router.post("/me/secret", status_code=201, responses=answers(SecretRotatedOut, 201))
def rotate_own_secret(request: Request, who: Caller = Depends(caller("terminal")),
                      session: Session = Depends(get_db)):
    """A new secret for the calling terminal, shown once (the `rotate_secret` command asks
    a kiosk to call this). The secret it signed this request with keeps working until
    `previous_valid_until` or until the new one is first used; asked again with that old
    secret (this answer was lost), the old one is kept and another new one given."""
    settings = request.app.state.settings
    rotated = terminals.rotate_secret(session, request.app.state.vault, who.name, settings.terminal_secret_overlap_s,
                                      who.actor, signed_with_previous=who.signed_with_previous)
    if rotated is None:  # signed, so it exists; deleted between the two statements
        raise NotFound("no such terminal")
    secret, until = rotated
    return {"secret": secret, "previous_valid_until": until.isoformat() + "Z" if until else None}


@stand_alone
def heartbeat(request: Request, body: HeartbeatIn, who: Caller = Depends(caller("terminal")),
              session: Session = Depends(get_db)):
    beat = terminals.heartbeat(session, who.name, as_sent(body), request.app.state.settings.device_alert_after_s,
                               guard=who.replay_guard)
    return json_answer({"server_time": time.time(), "in_service": beat.in_service, "commands": beat.commands,
                        "catalogue_version": beat.catalogue_version})


# Most of all requests: served in one step, the signature checked on the beat's connection.
router.add_api_route("/heartbeat", heartbeat, methods=["POST"], responses=answers(HeartbeatAnswerOut),
                     route_class_override=OneStepRoute)


@router.post("/commands/{command_id}/ack", responses={**answers(AckOut), **problems(404)})
def ack(command_id: Annotated[int, Path(ge=1, le=ROW_ID_MAX)], body: AckIn | None = Body(None),
        who: Caller = Depends(caller("terminal")), session: Session = Depends(get_db)):
    payload = as_sent(body)
    command = session.get(TerminalCommand, command_id)
    if command is None or command.terminal_id != who.name:
        raise NotFound("no such command for this terminal")
    outcome = str(payload.get("outcome", "done"))
    if outcome not in terminals.OUTCOMES:
        raise Invalid(f"outcome must be one of {', '.join(terminals.OUTCOMES)}")
    terminals.acknowledge(session, command, str(payload.get("result", "done")), outcome)
    audit.record(session, who.actor, "terminal.ack", str(command_id), command=command.command, outcome=outcome)
    session.commit()
    return {"id": command.id, "acked": True}


@router.get("", responses=answers(FleetOut))
def fleet(request: Request, who: Caller = Depends(caller("supervisor")), session: Session = Depends(get_db)):
    return {"terminals": terminals.fleet(session, request.app.state.settings.silent_terminal_s)}


@router.put("/{terminal_id}/disabled", responses={**answers(TerminalDisabledOut), **problems(404)})
def set_disabled(terminal_id: str, body: TerminalDisabledIn, who: Caller = Depends(caller("admin")),
                 session: Session = Depends(get_db)):
    """Cut a terminal off at once (a stolen or misbehaving kiosk): every request it signs is
    refused 403 until it is enabled again. Audited with the reason."""
    if not terminals.set_disabled(session, terminal_id, body.disabled, body.reason, who.actor):
        raise NotFound("no such terminal")
    return {"id": terminal_id, "disabled": body.disabled, "reason": body.reason if body.disabled else ""}


@router.post("/{terminal_id}/commands", status_code=201, responses={**answers(QueuedCommandOut, 201), **problems(404)},
             openapi_extra=IDEMPOTENCY_KEY)
def queue_command(terminal_id: str, request: Request, body: CommandIn,
                  who: Caller = Depends(caller("admin")), session: Session = Depends(get_db)):
    if session.get(Terminal, terminal_id) is None:
        raise NotFound("no such terminal")
    name = body.command
    if name not in terminals.COMMANDS:
        raise Invalid(f"command must be one of {', '.join(terminals.COMMANDS)}")
    argument = body.argument if name == "update" else ""

    def produce():
        command = terminals.queue_command(session, terminal_id, name, argument, who.actor, who.name)
        return 201, {"id": command.id, "command": name, "argument": argument}

    return idempotent(request, session, f"command:{who.actor}", f"{terminal_id}:{name}:{argument}", produce)


@router.get("/{terminal_id}/time", responses={**answers(ServerTimeOut), **problems(404)})
def signed_time(request: Request, terminal_id: Annotated[str, Path(min_length=3, max_length=64)],
                challenge: Annotated[str, Query(pattern=r"^[0-9a-f]{32}$")], session: Session = Depends(get_db)):
    """The back office's time, signed under the terminal's secret over a challenge its key
    holder made (services/keyholder/keys.py): the key holder signs only timestamps near
    this time, so a kiosk process cannot make it believe the back office's clock is ahead.
    Unsigned, as a kiosk whose clock is wrong must reach it: the answer is the time alone,
    and its signature proves nothing but that."""
    row = session.execute(select(Terminal.secret_enc, Terminal.secret_previous_enc, Terminal.secret_previous_until)
                          .where(Terminal.id == terminal_id)).first()
    if row is None:
        raise NotFound("no such terminal")
    current, previous, until = row
    keys = [current] + ([previous] if previous and until is not None and until > utcnow() else [])
    now = f"{time.time():.3f}"
    vault = request.app.state.vault
    return {"server_time": now, "signatures": [
        signing.sign_server_time(vault.decrypt(k, "terminal-secret"), terminal_id, challenge, now) for k in keys]}
