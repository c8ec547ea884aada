"""E-licences: metadata, the A4 PDF with its verification QR code, verification."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.ids import is_valid_licence_id
from domain.tokens import TokenInvalid

from .. import presence
from ..auth import Caller, caller, get_db
from ..errors import Invalid, NotFound
from ..licences import licence_pdf
from ..models import Case, Licence
from ..openapi_docs import answers, binary, problems
from ..schemas.bodies import LicenceVerificationIn, as_sent
from ..schemas.services import LicenceOut, VerificationOut
from .deps import context

router = APIRouter(prefix="/v1/licences", tags=["e-licences"])


def _view(licence: Licence) -> dict:
    return {"identifier": licence.identifier, "name": licence.name, "type_code": licence.type_code,
            "holder_masked": licence.holder_masked, "issuer": licence.issuer_name,
            "issued_at": licence.issued_at.date().isoformat(), "status": licence.status,
            "valid_until": licence.valid_until.isoformat() if licence.valid_until else None,
            "version": licence.version}


def _find(session: Session, identifier: str) -> Licence:
    licence = session.scalar(select(Licence).where(Licence.identifier == identifier))
    if licence is None:
        raise NotFound("no such e-licence")
    return licence


@router.get("/{identifier}", responses={**answers(LicenceOut), **problems(404)})
def get_licence(identifier: str, request: Request,
                who: Caller = Depends(caller("terminal", "clerk", "approver", "supervisor")),
                session: Session = Depends(get_db)):
    return _view(_own(session, request, who, identifier, presence.READ))


def _own(session: Session, request: Request, who: Caller, identifier: str, scope: str) -> Licence:
    """The licence, for staff or for a terminal whose presence grant is its holder's."""
    grant = presence.require(session, request, who, scope)
    licence = _find(session, identifier)
    presence.own(session, who, grant, licence.holder_lookup, licence.identifier, scope)
    session.commit()
    return licence


@router.get("/{identifier}/pdf", response_class=Response,
            responses={200: binary("application/pdf", "The e-licence on A4"), **problems(404)})
def get_pdf(identifier: str, request: Request, who: Caller = Depends(caller("terminal", "clerk")),
            session: Session = Depends(get_db), ctx=Depends(context)):
    licence = _own(session, request, who, identifier, presence.COLLECT)
    case = session.get(Case, licence.case_id)
    holder = ctx.vault.decrypt(case.applicant_name_enc, "applicant-name") if case else licence.holder_masked
    token = ctx.signer.issue("licence", licence.identifier)
    return Response(licence_pdf(licence, token, holder), media_type="application/pdf")


@router.post("/verify", responses=answers(VerificationOut))
def verify(body: LicenceVerificationIn, session: Session = Depends(get_db), ctx=Depends(context)):
    """Public: anyone holding a printed licence can check it (no personal data returned)."""
    payload = as_sent(body)
    identifier = str(payload.get("identifier", ""))
    if payload.get("token"):
        try:
            identifier = ctx.signer.verify(str(payload["token"]), kind="licence").subject
        except TokenInvalid as exc:
            return {"valid": False, "reason": f"verification code refused: {exc}"}
    if not is_valid_licence_id(identifier):
        raise Invalid("not a GB/T 36904 e-licence identifier")
    licence = session.scalar(select(Licence).where(Licence.identifier == identifier))
    if licence is None:
        return {"valid": False, "reason": "not issued by this authority"}
    return {"valid": licence.status == "valid", "licence": _view(licence)}
