"""Presence grants: a terminal asks a one-time code for the citizen at its glass, trades
the code the citizen types for a grant, and ends the grant with the session. Or it has
the citizen's ePassport chip sign a challenge and trades what the chip gave for a grant.
Or, with the citizen's consent, it films the head turn the back office asks for and the
back office matches the live face with a reference it trusts (人证核验)."""
from __future__ import annotations

import base64
import binascii

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from .. import presence, presence_face, presence_passport
from ..auth import Caller, caller, get_db
from ..errors import ApiError, Invalid
from ..openapi_docs import answers, problems
from ..schemas.presence import (
    CodeIn,
    CodeRequestIn,
    CodeSentOut,
    FaceChallengeIn,
    FaceChallengeOut,
    FaceFramesIn,
    FaceGrantOut,
    GrantEndedOut,
    GrantEndIn,
    GrantOut,
    PassportChallengeIn,
    PassportChallengeOut,
    PassportProofIn,
)
from .deps import context

router = APIRouter(prefix="/v1/presence", tags=["presence"])


class NoSmsProvider(ApiError):
    status = 503
    title = "Service unavailable"


@router.post("/codes", status_code=201, responses={**answers(CodeSentOut, 201), **problems(409, 422, 429, 503)})
def request_code(body: CodeRequestIn, who: Caller = Depends(caller("terminal")),
                 session: Session = Depends(get_db), ctx=Depends(context)):
    """Sends six digits, valid 5 minutes, to the number on file (or, answered 409
    phone_needed, to a typed number the carriers confirm is the citizen's)."""
    if ctx.sms.provider.name == "none":
        raise NoSmsProvider("no SMS provider is configured", code="sms_unavailable")
    return presence.start(session, ctx, who.name, body.session, body.id_number.strip().upper(), body.name,
                          body.phone.strip(), body.language)


@router.post("/grants", status_code=201, responses={**answers(GrantOut, 201), **problems(404, 410, 422)})
def redeem_code(body: CodeIn, who: Caller = Depends(caller("terminal")),
                session: Session = Depends(get_db), ctx=Depends(context)):
    """Three tries; a wrong code answers 422 with `tries_left`, a spent one 410."""
    return presence.redeem(session, ctx, who.name, body.session, body.challenge, body.code)


@router.post("/grants/end", responses=answers(GrantEndedOut))
def end_grant(body: GrantEndIn, request: Request, who: Caller = Depends(caller("terminal")),
              session: Session = Depends(get_db)):
    """The session ended: the grant presented in X-Presence-Grant opens nothing more."""
    return {"ended": presence.end(session, who.name, request.headers.get(presence.HEADER, ""), body.reason)}


@router.post("/passport-challenges", status_code=201,
             responses={**answers(PassportChallengeOut, 201), **problems(429)})
def passport_challenge(body: PassportChallengeIn, who: Caller = Depends(caller("terminal")),
                       session: Session = Depends(get_db)):
    """Eight random bytes for the passport's chip to sign (INTERNAL AUTHENTICATE), for this
    terminal and kiosk session, once, within 2 minutes."""
    return presence_passport.challenge(session, who.name, body.session)


@router.post("/passport-grants", status_code=201,
             responses={**answers(GrantOut, 201), **problems(404, 410, 422, 429, 503)})
def passport_grant(body: PassportProofIn, who: Caller = Depends(caller("terminal")),
                   session: Session = Depends(get_db), ctx=Depends(context)):
    """The chip's EF.SOD, DG1, DG15 (DG2 if read) and its signature over the challenge,
    base64. The back office checks them itself: 403 names the failed check (pa_signer_untrusted,
    pa_signature_invalid, pa_hash_mismatch with `data_group`, aa_unavailable,
    aa_signature_invalid), 422 a file that does not parse; the challenge is spent either way."""
    chip = presence_passport.ChipRead(
        sod=_decoded(body.sod, "sod"), dg1=_decoded(body.dg1, "dg1"), dg15=_decoded(body.dg15, "dg15") or None,
        dg2=_decoded(body.dg2, "dg2") or None, aa_signature=_decoded(body.aa_signature, "aa_signature") or None)
    return presence_passport.prove(session, ctx, who.name, body.session, body.challenge, chip)


@router.post("/face-challenges", status_code=201,
             responses={**answers(FaceChallengeOut, 201), **problems(429, 503)})
def face_challenge(body: FaceChallengeIn, who: Caller = Depends(caller("terminal")),
                   session: Session = Depends(get_db), ctx=Depends(context)):
    """What to ask of the citizen (`actions`: a head turn or a blink, at random among those
    the kiosk says it can ask), for this terminal and kiosk session, within 2 minutes. Ask
    only after the citizen consented on the face check's own page, and offer the SMS code
    beside it every time.

    Refused: 403 face_reference_unproven for a passport whose chip (with DG2) was not
    proven by passive authentication in this session (POST /v1/presence/passport-grants;
    its DG2 face is then held 5 minutes); 503 realperson_unavailable when the real-person
    service cannot be reached for a resident ID card; 422 id_number_invalid; 429
    session_limit (4 per session), citizen_limit, terminal_limit with Retry-After."""
    return presence_face.challenge(session, ctx, who.name, body.session, body.document_kind, body.document_number,
                                   body.name, body.consent_version, can_ask=tuple(body.actions))


@router.post("/face-grants", status_code=201,
             responses={**answers(FaceGrantOut, 201), **problems(404, 410, 422, 503)})
def face_grant(body: FaceFramesIn, who: Caller = Depends(caller("terminal")),
               session: Session = Depends(get_db), ctx=Depends(context)):
    """The challenge's frames, JPEG, base64, in the order taken (and a binocular camera's
    infrared frames): the back office finds one face in each, checks the head turned or
    the eyes blinked as asked and that the infrared frames show the face where it is, and
    compares the face with the reference. A match answers a grant as a code does (evidence
    face_realperson or face_passport_dg2) with the score and the model that decided.

    403 with `code` and `tries_left` (and `score` for face_no_match): face_none (no face
    in the first frame or too few), face_many (a second person in a frame), face_not_live
    (no turn or blink, the wrong way, a flat picture, the face changing between frames, no
    face in an infrared frame), infrared_required (none sent where the county needs them),
    face_no_match, frames_replayed (a frame sent before), face_reference_unproven (the
    passport's proven face is no longer held). 410 used, expired or tries_exhausted (3
    tries; each request takes one). 422 frame_invalid for a frame that is not a JPEG of
    16 to 2048 pixels a side, or too few or too many frames. After two failures, offer the
    SMS code or the staffed window."""
    frames = [_decoded(frame, "frames") for frame in body.frames]
    infrared = [_decoded(frame, "infrared") for frame in body.infrared]
    return presence_face.grant(session, ctx, who.name, body.session, body.challenge, frames, infrared)


def _decoded(text: str, field: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise Invalid(f"{field} is not base64", code="not_base64", field=field) from None
