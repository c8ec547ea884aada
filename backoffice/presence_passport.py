"""Presence proven by an ePassport's chip. The back office hands a terminal eight random
bytes for one kiosk session; the terminal sends back what the chip holds (EF.SOD, DG1,
DG15, DG2 if it read it) and the chip's signature over those bytes. passport_auth.py
verifies them, here, not at the kiosk, and a grant follows for the passport's holder,
keyed by the document number as cases key a foreign applicant.

A challenge is used once, by its own terminal and session, within CHALLENGE_TTL, whether
the proof passes or not: a signature seen once cannot be replayed. Every attempt is
audited under the keyed hash of the number in DG1, never the number itself.

A DG2 face that passive authentication proved is kept, encrypted, for the face step of
the same session (presence_face.py), even when Active Authentication fails: a chip
without it can still stand behind its holder's face."""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from devices.idcard.icao import lds

from . import audit, passport_auth, presence, presence_face
from .errors import ApiError, Forbidden, Gone, Invalid, NotFound, TooMany
from .models import PassportChallenge, utcnow

CHALLENGE_TTL = dt.timedelta(minutes=2)  # the chip is on the reader: one read, a few seconds
CHALLENGES_PER_SESSION = 6  # a passport or two, read again when the chip slipped: never a stack of them


class NoTrustList(ApiError):
    status = 503
    title = "Service unavailable"


@dataclass(frozen=True)
class ChipRead:
    """The bytes a kiosk read from the chip, unverified."""
    sod: bytes
    dg1: bytes
    dg15: bytes | None
    dg2: bytes | None
    aa_signature: bytes | None


def challenge(session: Session, terminal_id: str, session_ref: str) -> dict:
    now = utcnow()
    asked = session.scalar(select(func.count()).select_from(PassportChallenge).where(
        PassportChallenge.terminal_id == terminal_id, PassportChallenge.session_ref == session_ref))
    if asked >= CHALLENGES_PER_SESSION:
        raise TooMany("too many passport checks in one session", retry_after=60, code="session_limit")
    row = PassportChallenge(id=secrets.token_urlsafe(16), terminal_id=terminal_id, session_ref=session_ref,
                            nonce=secrets.token_bytes(8).hex(), created_at=now, expires_at=now + CHALLENGE_TTL)
    session.add(row)
    session.commit()
    return {"challenge": row.id, "nonce": row.nonce, "expires_in_s": int(CHALLENGE_TTL.total_seconds())}


def prove(session: Session, ctx, terminal_id: str, session_ref: str, challenge_id: str, chip: ChipRead) -> dict:
    """A grant for the passport's holder, or the check that failed (422 malformed, 403 failed)."""
    trust_list = _trust_list(ctx.settings.csca_trust_list)
    crls = _crls(ctx.settings.csca_crls)
    nonce = _spend(session, terminal_id, session_ref, challenge_id)
    try:
        verified = passport_auth.verify_passive(chip.sod, chip.dg1, chip.dg15, trust_list, dg2=chip.dg2, crls=crls,
                                                stale_crl=ctx.settings.csca_crl_stale)
        lookup = ctx.vault.lookup(verified.document_number)
        if chip.dg2 is not None:
            presence_face.keep_reference(session, ctx, terminal_id, session_ref, lookup, chip.dg2)
        passport_auth.verify_active(chip.dg15, nonce, chip.aa_signature)
    except passport_auth.PassportRefused as refusal:
        audit.record(session, f"terminal:{terminal_id}", "presence.passport_refused", _subject(ctx, chip.dg1),
                     check=refusal.check)
        session.commit()
        error = Invalid if refusal.malformed else Forbidden
        raise error(refusal.detail, code=refusal.check, **refusal.extra) from None
    presence.limits_in_turn(session, terminal_id, lookup)
    presence.hold_citizen_limits(session, ctx, terminal_id, session_ref, lookup, utcnow())
    return presence.issue_grant(session, terminal_id, session_ref, lookup, passport_auth.EVIDENCE)


def _trust_list(location: str) -> list:
    """Read at each proof: a CSCA added to or removed from the list counts at once."""
    if not location:
        raise NoTrustList("no CSCA trust list is configured", code="passport_unavailable")
    try:
        certificates = passport_auth.load_trust_list(location)
    except (OSError, ValueError):
        raise NoTrustList("the CSCA trust list cannot be read", code="passport_unavailable") from None
    if not certificates:
        raise NoTrustList("the CSCA trust list is empty", code="passport_unavailable")
    return certificates


def _crls(location: str) -> list:
    """Read at each proof, as the trust list is: a new CRL dropped in counts at once. One
    that cannot be read stops passport proofs (a revocation might be in it) rather than
    letting them pass unchecked."""
    if not location:
        return []
    try:
        return passport_auth.load_crls(location)
    except (OSError, ValueError):
        raise NoTrustList("the CSCA revocation lists cannot be read", code="passport_unavailable") from None


def _spend(session: Session, terminal_id: str, session_ref: str, challenge_id: str) -> bytes:
    """The challenge's nonce, marked used in one UPDATE (so it holds across processes)."""
    row = session.get(PassportChallenge, challenge_id)
    if row is None or row.terminal_id != terminal_id or row.session_ref != session_ref:
        raise NotFound("no such passport challenge")
    now = utcnow()
    taken = session.execute(update(PassportChallenge).where(
        PassportChallenge.id == row.id, PassportChallenge.used_at.is_(None), PassportChallenge.expires_at > now)
        .values(used_at=now)).rowcount
    if taken != 1:
        session.rollback()
        session.refresh(row)
        if row.used_at is not None:
            raise Gone("this challenge was already used", code="used")
        raise Gone("the challenge has expired: ask for a new one", code="expired")
    session.commit()
    return bytes.fromhex(row.nonce)


def _subject(ctx, dg1: bytes) -> str:
    """The audit's subject for an attempt: the keyed hash of DG1's number, if it has one."""
    try:
        return ctx.vault.lookup(lds.parse_dg1(dg1).document_number)[:16]
    except lds.LdsError:
        return ""
