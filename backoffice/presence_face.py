"""Presence proven by the citizen's face (人证核验): the back office asks a head turn or a
blink of the citizen at a terminal, and decides from the frames the kiosk took whether a
live face did as asked and is the reference's. The kiosk only films; it decides nothing.

References the back office trusts: for a passport, the DG2 face that passive
authentication proved in the same terminal and kiosk session (kept encrypted by
presence_passport.py for REFERENCE_TTL, deleted when the face step is done); for a
resident ID card, the photo on record behind the provincial real-person service
(face/realperson.py), shown one frontal frame once liveness passed here.

A challenge gives a grant once, is spent after FACE_TRIES attempts or CHALLENGE_TTL, and
belongs to its terminal and session. Every frame's SHA-256 is kept: a frame sent again,
in any set, is a replay. Frames, faces and embeddings are never stored; the audit keeps
the outcome, the score, the model's version and the consent version the citizen gave."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from devices.idcard.icao import lds
from domain.identity import DocumentKind
from domain.ids import is_valid_resident_id

from . import audit, presence
from .errors import ApiError, Forbidden, Gone, Invalid, NotFound, TooMany
from .face import detect, images, liveness, sequence
from .face.model import model as face_model
from .models import FaceChallenge, FaceFrameSeen, FaceReference, utcnow

CHALLENGE_TTL = dt.timedelta(minutes=2)  # consent given, the citizen at the camera: seconds are enough
REFERENCE_TTL = dt.timedelta(minutes=5)  # a proven DG2 waits this long for its face step, no longer
FACE_TRIES = 3
CHALLENGES_PER_SESSION = 4  # two tries' worth of challenges each for a citizen or two: never a queue of them
HOUR = dt.timedelta(hours=1)
EVIDENCE = {DocumentKind.RESIDENT_ID.value: "face_realperson", DocumentKind.PASSPORT.value: "face_passport_dg2"}
REFERENCE_CONTEXT = "face_reference"


class FaceUnavailable(ApiError):
    status = 503
    title = "Service unavailable"


def keep_reference(session: Session, ctx, terminal_id: str, session_ref: str, lookup: str, dg2: bytes) -> None:
    """A DG2 that passive authentication just proved: its face image kept, encrypted, for
    this terminal and session's face step (the caller commits). A DG2 without an image
    keeps nothing, and its holder has no face route."""
    try:
        image = lds.face_image(dg2)
    except lds.LdsError:
        return
    now = utcnow()
    session.execute(delete(FaceReference).where(FaceReference.expires_at <= now))
    session.execute(delete(FaceReference).where(FaceReference.terminal_id == terminal_id,
                                                FaceReference.session_ref == session_ref,
                                                FaceReference.citizen_lookup == lookup))
    reference_id = secrets.token_urlsafe(16)
    session.add(FaceReference(id=reference_id, terminal_id=terminal_id, session_ref=session_ref, citizen_lookup=lookup,
                              image_enc=ctx.vault.encrypt_bytes(image, f"{REFERENCE_CONTEXT}:{reference_id}"),
                              created_at=now, expires_at=now + REFERENCE_TTL))


def challenge(session: Session, ctx, terminal_id: str, session_ref: str, document_kind: str, document_number: str,
              name: str, consent_version: str, can_ask: tuple[str, ...] = liveness.ACTIONS) -> dict:
    """What to ask of the citizen (at random among the actions the kiosk can ask), once a
    reference for them can be had."""
    choices = [action for action in sequence.ACTIONS if action in can_ask]
    if not choices:
        raise Invalid("none of the actions the kiosk can ask is one this back office checks", code="actions_unknown")
    now = utcnow()
    number = document_number.strip().upper()
    if document_kind == DocumentKind.RESIDENT_ID.value and not is_valid_resident_id(number):
        raise Invalid("not a resident ID number", code="id_number_invalid")
    lookup = ctx.vault.lookup(number)
    _hold_to_limits(session, ctx, terminal_id, session_ref, lookup, now)
    reference_id = ""
    if document_kind == DocumentKind.PASSPORT.value:
        reference_id = session.scalar(select(FaceReference.id).where(
            FaceReference.terminal_id == terminal_id, FaceReference.session_ref == session_ref,
            FaceReference.citizen_lookup == lookup, FaceReference.expires_at > now)
            .order_by(FaceReference.created_at.desc()).limit(1)) or ""
        if not reference_id:
            raise Forbidden("no passport face proven by passive authentication in this session: "
                            "read the chip first", code="face_reference_unproven")
    elif not ctx.real_person.available():
        raise FaceUnavailable("the real-person authentication service cannot be reached",
                              code="realperson_unavailable")
    row = FaceChallenge(
        id=secrets.token_urlsafe(16), terminal_id=terminal_id, session_ref=session_ref, citizen_lookup=lookup,
        document_kind=document_kind, reference_id=reference_id, action=secrets.choice(choices),
        document_enc=ctx.vault.encrypt(number, "face_document") if not reference_id else "",
        name_enc=ctx.vault.encrypt(name.strip(), "face_name") if not reference_id and name.strip() else "",
        consent_version=consent_version, tries_left=FACE_TRIES, created_at=now, expires_at=now + CHALLENGE_TTL)
    session.add(row)
    audit.record(session, f"terminal:{terminal_id}", "presence.face_challenge", lookup[:16],
                 document_kind=document_kind, asked=row.action, consent_version=consent_version)
    session.commit()
    return {"challenge": row.id, "actions": [row.action], "expires_in_s": int(CHALLENGE_TTL.total_seconds()),
            "frames_wanted": sequence.FRAMES_WANTED[row.action], "frames_min": sequence.FRAMES_MIN,
            "frames_max": sequence.FRAMES_MAX,
            "tries": FACE_TRIES}


def _hold_to_limits(session: Session, ctx, terminal_id: str, session_ref: str, lookup: str, now: dt.datetime) -> None:
    presence.limits_in_turn(session, terminal_id, lookup)
    asked = session.scalar(select(func.count()).select_from(FaceChallenge).where(
        FaceChallenge.terminal_id == terminal_id, FaceChallenge.session_ref == session_ref))
    if asked >= CHALLENGES_PER_SESSION:
        raise TooMany("too many face checks in one session", retry_after=60, code="session_limit")
    citizen = session.scalars(select(FaceChallenge.created_at).where(
        FaceChallenge.citizen_lookup == lookup, FaceChallenge.created_at > now - HOUR)
        .order_by(FaceChallenge.created_at)).all()
    if len(citizen) >= ctx.settings.face_challenges_per_citizen_hour:
        wait = int((citizen[0] + HOUR - now).total_seconds()) + 1
        raise TooMany("too many face checks for this citizen this hour", retry_after=wait, code="citizen_limit")
    presence.hold_citizen_limits(session, ctx, terminal_id, session_ref, lookup, now)


def grant(session: Session, ctx, terminal_id: str, session_ref: str, challenge_id: str, frames: list[bytes],
          infrared: tuple[bytes, ...] | list[bytes] = ()) -> dict:
    """The frames taken during the challenge's action (and the infrared eye's, where the
    camera has one): a grant for the citizen, or the reason there is none (403 face_none,
    face_many, face_not_live, face_no_match, infrared_required)."""
    if not infrared and ctx.settings.face_infrared == "required":
        raise Forbidden("this county's face checks need the camera's infrared frames: the kiosk sent none",
                        code="infrared_required")
    row = _take_a_try(session, terminal_id, session_ref, challenge_id)
    _refuse_replays(session, terminal_id, row, [*frames, *infrared])
    model = face_model()
    decided_by, score = model.version, None
    try:
        live = sequence.live_face(model, frames, row.action, infrared)
        if row.document_kind == DocumentKind.PASSPORT.value:
            reference = _passport_reference(session, ctx, row, model)
            score = sequence.decide(live, reference, ctx.settings.face_match_threshold).distance
        else:
            decided_by, score = _real_person(ctx, row, live)
    except images.ImageRefused as refused:
        raise Invalid(f"a frame cannot be read: {refused}", code="frame_invalid",
                      tries_left=row.tries_left) from None
    except sequence.FaceRefused as refused:
        _audit_outcome(session, terminal_id, row, refused.code, refused.score, decided_by)
        session.commit()
        extra = {"score": refused.score} if refused.score is not None else {}
        raise Forbidden(refused.reason, code=refused.code, tries_left=row.tries_left, **extra) from None
    spent = session.execute(update(FaceChallenge).where(FaceChallenge.id == row.id, FaceChallenge.used_at.is_(None))
                            .values(used_at=utcnow(), tries_left=0)).rowcount
    if spent != 1:
        session.rollback()
        raise Gone("this face check was already used", code="used")
    if row.reference_id:
        session.execute(delete(FaceReference).where(FaceReference.id == row.reference_id))
    evidence = EVIDENCE[row.document_kind]
    _audit_outcome(session, terminal_id, row, "match", score, decided_by, evidence=evidence)
    granted = presence.issue_grant(session, terminal_id, session_ref, row.citizen_lookup, evidence)
    return {**granted, "outcome": "match", "score": score, "model": decided_by}


def _take_a_try(session: Session, terminal_id: str, session_ref: str, challenge_id: str) -> FaceChallenge:
    """The challenge with one try taken, in one UPDATE (tries hold across processes); 410 when spent."""
    row = session.get(FaceChallenge, challenge_id)
    if row is None or row.terminal_id != terminal_id or row.session_ref != session_ref:
        raise NotFound("no such face check")
    now = utcnow()
    taken = session.execute(update(FaceChallenge).where(
        FaceChallenge.id == row.id, FaceChallenge.used_at.is_(None), FaceChallenge.expires_at > now,
        FaceChallenge.tries_left > 0).values(tries_left=FaceChallenge.tries_left - 1)).rowcount
    session.commit()
    session.refresh(row)
    if taken != 1:
        if row.used_at is not None:
            raise Gone("this face check was already used", code="used")
        if row.tries_left <= 0:
            raise Gone("no tries are left: ask for a new face check", code="tries_exhausted")
        raise Gone("the face check has expired: ask for a new one", code="expired")
    return row


def _refuse_replays(session: Session, terminal_id: str, row: FaceChallenge, frames: list[bytes]) -> None:
    """Each frame's SHA-256 recorded before any is read: one seen before (in this set or
    any other, at any terminal) refuses the set. A camera never takes the same bytes twice."""
    digests = [hashlib.sha256(frame).hexdigest() for frame in frames]
    replayed = len(set(digests)) < len(digests) or session.scalar(
        select(func.count()).select_from(FaceFrameSeen).where(FaceFrameSeen.digest.in_(digests))) > 0
    if not replayed:
        now = utcnow()
        session.add_all([FaceFrameSeen(digest=digest, seen_at=now) for digest in digests])
        try:
            session.commit()
        except IntegrityError:  # the same frames in a request running meanwhile
            session.rollback()
            replayed = True
    if replayed:
        _audit_outcome(session, terminal_id, row, "frames_replayed", None, "")
        session.commit()
        raise Forbidden("these frames were sent before: a face check takes new ones", code="frames_replayed",
                        tries_left=row.tries_left)


def _passport_reference(session: Session, ctx, row: FaceChallenge, model):
    reference = session.get(FaceReference, row.reference_id)
    if reference is None or reference.expires_at <= utcnow():
        raise sequence.FaceRefused("face_reference_unproven",
                                   "the passport's proven face is no longer held: read the chip again")
    image = ctx.vault.decrypt_bytes(reference.image_enc, f"{REFERENCE_CONTEXT}:{reference.id}")
    try:
        return sequence.reference_embedding(model, image)
    except (detect.NoFace, detect.ManyFaces, images.ImageRefused):
        raise sequence.FaceRefused("face_reference_unusable", "the passport's face image holds no usable face") \
            from None


def _real_person(ctx, row: FaceChallenge, live: sequence.LiveFace) -> tuple[str, float | None]:
    number = ctx.vault.decrypt(row.document_enc, "face_document")
    name = ctx.vault.decrypt(row.name_enc, "face_name") if row.name_enc else ""
    verdict = ctx.real_person.compare(number, name, live.best_frame, ctx.settings.face_match_threshold)
    if verdict is None:
        raise FaceUnavailable("the real-person authentication service cannot be reached",
                              code="realperson_unavailable")
    if not verdict.match:
        raise sequence.FaceRefused(verdict.refusal, verdict.reason or "the face is not the one on record",
                                   score=verdict.score)
    return verdict.model, verdict.score


def _audit_outcome(session: Session, terminal_id: str, row: FaceChallenge, outcome: str, score: float | None,
                   decided_by: str, **detail) -> None:
    audit.record(session, f"terminal:{terminal_id}", "presence.face_checked", row.citizen_lookup[:16],
                 outcome=outcome, score=score, model=decided_by, consent_version=row.consent_version,
                 document_kind=row.document_kind, **detail)
