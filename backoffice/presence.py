"""Presence grants: a citizen's data is served to a terminal only for the citizen at its
glass, on evidence the back office checks itself. A card read proves nothing to us (the
reader's SAM authenticates the card to the reader, not to the county), so a terminal asks
for a one-time code sent to the mobile number on file for that citizen (or to a number
typed now that the carriers confirm is registered to the name and ID number); the code
typed back at the kiosk buys a grant bound to one citizen, one terminal and one kiosk
session, short-lived, ended by the kiosk at Finish, card removal or timeout, and scoped.

Limits hold a stolen or misbehaving terminal to what a person at the glass could do: one
code a minute per session and citizen, `presence_codes_per_citizen_hour` codes an hour
per citizen, a few citizens per session, and `presence_citizens_per_hour` citizens per
terminal and hour (an alert to supervisors beyond it)."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from domain import signing
from domain.ids import is_mobile_number, mask_phone

from . import audit, locks
from .driver_statement import DriverStatement
from .errors import Conflict, Forbidden, Gone, Invalid, NotFound, TooMany
from .models import Case, FaceChallenge, PresenceChallenge, PresenceGrant, utcnow
from .sms.templates import PRESENCE_CODE

log = logging.getLogger(__name__)

HEADER = signing.HEADER_PRESENCE_GRANT
CODE_TTL = dt.timedelta(minutes=5)
CODE_TRIES = 3
RESEND_AFTER_S = 60
GRANT_TTL = dt.timedelta(minutes=20)  # longer than any session; the kiosk ends it sooner
CITIZENS_PER_SESSION = 3
HOUR = dt.timedelta(hours=1)
DEFERRED_WINDOW = dt.timedelta(days=14)  # as long as the kiosk's outbox keeps trying

READ, SUBMIT, COLLECT, RATE, WITHDRAW = "read", "submit", "collect", "rate", "withdraw"
# A code to the number on file, or to a typed number the carriers confirmed is the
# citizen's, proves the same thing: the person at the glass holds the citizen's phone.
# A passport chip that passed passive and Active Authentication proves at least as much:
# the citizen's own genuine passport is on the reader now (presence_passport.py).
SCOPES = {"sms_on_file": (READ, SUBMIT, COLLECT, RATE, WITHDRAW),
          "sms_carrier_checked": (READ, SUBMIT, COLLECT, RATE, WITHDRAW),
          "epassport_pa_aa": (READ, SUBMIT, COLLECT, RATE, WITHDRAW),
          # A live face the back office matched itself to the photo behind the real-person
          # service, or to a DG2 passive authentication proved (presence_face.py).
          "face_realperson": (READ, SUBMIT, COLLECT, RATE, WITHDRAW),
          "face_passport_dg2": (READ, SUBMIT, COLLECT, RATE, WITHDRAW)}


@dataclass(frozen=True)
class Grant:
    token_hash: str
    citizen_lookup: str
    scopes: tuple[str, ...]
    evidence: str


def _code_hash(key: bytes, challenge_id: str, code: str) -> str:
    return hmac.new(key, f"presence:{challenge_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def phone_on_file(session: Session, ctx, lookup: str) -> str:
    """The mobile number the citizen gave with their latest case whose applicant was known
    to be present (a grant, or staff at a window), or "". A case made on a card read alone
    does not count: whoever held a found card could otherwise name their own phone."""
    enc = session.scalar(select(Case.phone_enc).where(
        Case.applicant_lookup == lookup, Case.phone_enc != "", Case.presence_evidence != "card_read")
        .order_by(Case.received_at.desc(), Case.id.desc()).limit(1))
    return ctx.vault.decrypt(enc, "phone") if enc else ""


def start(session: Session, ctx, terminal_id: str, session_ref: str, id_number: str, name: str = "",
          typed_phone: str = "", language: str = "zh_CN") -> dict:
    """Sends a one-time code for the citizen; answers the challenge's id and the masked
    number it went to."""
    now = utcnow()
    lookup = ctx.vault.lookup(id_number)
    _hold_to_limits(session, ctx, terminal_id, session_ref, lookup, now)
    phone, source = phone_on_file(session, ctx, lookup), "on_file"
    if not phone:
        if not typed_phone:
            raise Conflict("no mobile number is on file for this citizen: ask for one", code="phone_needed")
        if not is_mobile_number(typed_phone):
            raise Invalid("not a mobile number", code="phone_invalid")
        verdict = ctx.carrier_check.registered_to(name, id_number, typed_phone)
        if verdict is None:
            raise Conflict("the carriers' check cannot be made now", code="check_unavailable")
        if not verdict:
            raise Invalid("this number is not registered to the card's holder", code="phone_not_theirs")
        phone, source = typed_phone, "typed"
    code = f"{secrets.randbelow(10 ** 6):06d}"
    challenge = PresenceChallenge(
        id=secrets.token_urlsafe(16), terminal_id=terminal_id, session_ref=session_ref, citizen_lookup=lookup,
        code_hash="", phone_source=source, phone_masked=mask_phone(phone), tries_left=CODE_TRIES,
        created_at=now, expires_at=now + CODE_TTL)
    challenge.code_hash = _code_hash(ctx.settings.lookup_key, challenge.id, code)
    session.add(challenge)
    audit.record(session, f"terminal:{terminal_id}", "presence.code_sent", lookup[:16], phone_source=source)
    session.commit()
    message = ctx.sms.queue(session, f"presence:{challenge.id}", phone, PRESENCE_CODE, {"code": code},
                            language=language, expires_at=challenge.expires_at)
    message = ctx.sms.deliver(session, message)
    if message.status == "failed":
        raise Conflict("the text could not be sent", code="sms_failed")
    return {"challenge": challenge.id, "phone_masked": challenge.phone_masked, "phone_source": source,
            "expires_in_s": int(CODE_TTL.total_seconds()), "resend_after_s": RESEND_AFTER_S, "tries": CODE_TRIES}


def _hold_to_limits(session: Session, ctx, terminal_id: str, session_ref: str, lookup: str, now: dt.datetime) -> None:
    limits_in_turn(session, terminal_id, lookup)
    recent = select(PresenceChallenge).where(PresenceChallenge.created_at > now - HOUR)
    last = session.scalar(recent.where(PresenceChallenge.terminal_id == terminal_id,
                                       PresenceChallenge.session_ref == session_ref,
                                       PresenceChallenge.citizen_lookup == lookup)
                          .order_by(PresenceChallenge.created_at.desc()).limit(1))
    if last is not None and now < last.created_at + dt.timedelta(seconds=RESEND_AFTER_S):
        wait = int((last.created_at + dt.timedelta(seconds=RESEND_AFTER_S) - now).total_seconds()) + 1
        raise TooMany("a code was sent a moment ago", retry_after=wait, code="resend_later")
    citizen_codes = session.scalars(select(PresenceChallenge.created_at).where(
        PresenceChallenge.citizen_lookup == lookup, PresenceChallenge.created_at > now - HOUR)
        .order_by(PresenceChallenge.created_at)).all()
    if len(citizen_codes) >= ctx.settings.presence_codes_per_citizen_hour:
        wait = int((citizen_codes[0] + HOUR - now).total_seconds()) + 1
        raise TooMany("too many codes for this citizen this hour", retry_after=wait, code="citizen_limit")
    hold_citizen_limits(session, ctx, terminal_id, session_ref, lookup, now)


def limits_in_turn(session: Session, terminal_id: str, lookup: str) -> None:
    """The limits below count what was asked before: a request for the same citizen, or at
    the same terminal, waits for one under way (in any process) to commit what it adds."""
    locks.hold_for_transaction(session, f"presence-terminal:{terminal_id}", f"presence-citizen:{lookup}")


def hold_citizen_limits(session: Session, ctx, terminal_id: str, session_ref: str, lookup: str,
                        now: dt.datetime) -> None:
    """How many citizens one kiosk session, and one terminal in an hour, may ask for,
    whatever the evidence (codes or face checks asked for, grants on a chip): a found stack of cards or
    passports buys no more than a hall's honest traffic, and supervisors hear of it."""
    def citizens(asked_where, faced_where, granted_where) -> set[str]:
        asked = select(PresenceChallenge.citizen_lookup).where(PresenceChallenge.terminal_id == terminal_id,
                                                               asked_where)
        faced = select(FaceChallenge.citizen_lookup).where(FaceChallenge.terminal_id == terminal_id, faced_where)
        granted = select(PresenceGrant.citizen_lookup).where(PresenceGrant.terminal_id == terminal_id, granted_where)
        return set(session.scalars(asked).all()) | set(session.scalars(faced).all()) \
            | set(session.scalars(granted).all())

    in_session = citizens(PresenceChallenge.session_ref == session_ref, FaceChallenge.session_ref == session_ref,
                          PresenceGrant.session_ref == session_ref)
    if lookup not in in_session and len(in_session) >= CITIZENS_PER_SESSION:
        raise TooMany("too many citizens in one session", retry_after=RESEND_AFTER_S, code="session_limit")
    seen = citizens(PresenceChallenge.created_at > now - HOUR, FaceChallenge.created_at > now - HOUR,
                    PresenceGrant.created_at > now - HOUR)
    if lookup not in seen and len(seen) >= ctx.settings.presence_citizens_per_hour:
        from .supervision import raise_alert  # supervision prunes grants: imported here, not at the top

        if raise_alert(session, "terminal_citizen_limit", terminal_id,
                       f"终端一小时内为超过{len(seen)}位群众申请验证码，可能被滥用，请核查"):
            audit.record(session, f"terminal:{terminal_id}", "presence.terminal_limit", terminal_id, citizens=len(seen))
            session.commit()
        raise TooMany("this terminal asked for too many citizens this hour", retry_after=600, code="terminal_limit")


def redeem(session: Session, ctx, terminal_id: str, session_ref: str, challenge_id: str, code: str) -> dict:
    """The code typed at the kiosk: a grant for the citizen, or why not."""
    now = utcnow()
    challenge = session.get(PresenceChallenge, challenge_id)
    if challenge is None or challenge.terminal_id != terminal_id or challenge.session_ref != session_ref:
        raise NotFound("no such code request")
    if challenge.redeemed_at is not None:
        raise Gone("this code was already used", code="used")
    if now >= challenge.expires_at:
        raise Gone("the code has expired: ask for a new one", code="expired")
    if challenge.tries_left <= 0:
        raise Gone("too many wrong codes: ask for a new one", code="tries_exhausted")
    if not hmac.compare_digest(challenge.code_hash, _code_hash(ctx.settings.lookup_key, challenge.id, code.strip())):
        # One UPDATE, so tries hold across server processes.
        session.execute(update(PresenceChallenge).where(PresenceChallenge.id == challenge.id,
                                                        PresenceChallenge.tries_left > 0)
                        .values(tries_left=PresenceChallenge.tries_left - 1))
        session.commit()
        session.refresh(challenge)
        if challenge.tries_left <= 0:
            raise Gone("too many wrong codes: ask for a new one", code="tries_exhausted")
        raise Invalid("wrong code", code="wrong_code", tries_left=challenge.tries_left)
    taken = session.execute(update(PresenceChallenge).where(PresenceChallenge.id == challenge.id,
                                                            PresenceChallenge.redeemed_at.is_(None))
                            .values(redeemed_at=now)).rowcount
    if taken != 1:
        session.rollback()
        raise Gone("this code was already used", code="used")
    evidence = "sms_on_file" if challenge.phone_source == "on_file" else "sms_carrier_checked"
    return issue_grant(session, terminal_id, session_ref, challenge.citizen_lookup, evidence)


def issue_grant(session: Session, terminal_id: str, session_ref: str, citizen_lookup: str, evidence: str) -> dict:
    """A grant for the citizen on `evidence` the caller verified; audited and committed."""
    now = utcnow()
    token = secrets.token_urlsafe(32)
    scopes = SCOPES[evidence]
    session.add(PresenceGrant(token_hash=_token_hash(token), terminal_id=terminal_id, session_ref=session_ref,
                              citizen_lookup=citizen_lookup, scopes=",".join(scopes), evidence=evidence,
                              created_at=now, expires_at=now + GRANT_TTL))
    audit.record(session, f"terminal:{terminal_id}", "presence.granted", citizen_lookup[:16], evidence=evidence)
    session.commit()
    log.info("presence grant issued", extra={"terminal": terminal_id, "evidence": evidence})
    return {"grant": token, "scopes": list(scopes), "evidence": evidence,
            "expires_in_s": int(GRANT_TTL.total_seconds())}


def end(session: Session, terminal_id: str, token: str, reason: str) -> bool:
    """The kiosk's session ended (Finish, card removed, timeout): the grant opens nothing more."""
    ended = session.execute(update(PresenceGrant).where(
        PresenceGrant.token_hash == _token_hash(token), PresenceGrant.terminal_id == terminal_id,
        PresenceGrant.ended_at.is_(None)).values(ended_at=utcnow(), ended_reason=reason[:16])).rowcount
    session.commit()
    return ended == 1


# Built once, columns only: every request a citizen's session makes presents its grant.
_grants = PresenceGrant.__table__
_GRANT = DriverStatement(select(
    _grants.c.token_hash, _grants.c.terminal_id, _grants.c.citizen_lookup, _grants.c.scopes, _grants.c.evidence,
    _grants.c.ended_at, _grants.c.expires_at).where(_grants.c.token_hash == bindparam("token_hash")))


def grant_of(session: Session, request, terminal_id: str, deferred: bool = False) -> Grant | None:
    """The grant the request presents for this terminal, or None: a live one, or with
    `deferred` one whose session ended in the last DEFERRED_WINDOW (see require)."""
    token = request.headers.get(HEADER, "")
    if not token or len(token) > 100:
        return None
    row = _GRANT.first(session, {"token_hash": _token_hash(token)})
    if row is None or row.terminal_id != terminal_id:
        return None
    now = utcnow()
    over = min(row.ended_at or row.expires_at, row.expires_at)
    if over <= now and not (deferred and now - over < DEFERRED_WINDOW):
        return None
    return Grant(row.token_hash, row.citizen_lookup, tuple(row.scopes.split(",")), row.evidence)


def require(session: Session, request, who, scope: str, deferred: bool = False) -> Grant | None:
    """A terminal must present a grant with `scope` (staff act within their role and need
    none); 403 before anything about the citizen is looked up. `deferred`: what the citizen
    decided at the glass and the kiosk's outbox may deliver after the session (a rating,
    an application) is accepted under the grant of that session for DEFERRED_WINDOW."""
    if who.kind != "terminal":
        return None
    grant = grant_of(session, request, who.name, deferred)
    if grant is None:
        raise Forbidden("the citizen at the kiosk must confirm it is them first", code="presence_needed")
    if scope not in grant.scopes:
        raise Forbidden(f"this confirmation does not allow {scope}", code="presence_scope")
    return grant


def own(session: Session, who, grant: Grant | None, citizen_lookup: str, subject: str, scope: str) -> None:
    """After require(), for one case or licence: another citizen's answers 404, as a number
    that does not exist does, so counting numbers finds nothing. Audits the access (in the
    caller's transaction)."""
    if grant is not None and grant.citizen_lookup != citizen_lookup:
        raise NotFound(f"no such record {subject}")
    audit.record(session, who.actor, f"personal.{scope}", subject,
                 **({"evidence": grant.evidence} if grant is not None else {"role": who.role}))
