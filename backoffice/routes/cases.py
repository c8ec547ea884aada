"""Cases: submit, list by applicant, detail, track by QR token, staff actions, documents."""
from __future__ import annotations

from fastapi import APIRouter, Body, Depends, Query, Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from domain.lifecycle import Action
from domain.tokens import TokenInvalid

from .. import cases as lifecycle
from .. import notices, presence, shipping
from ..auth import Caller, caller, get_db
from ..db import read_phase
from ..english_names import EnglishNames
from ..errors import Forbidden, Invalid, NotFound
from ..idempotency import idempotent
from ..models import Case, Licence
from ..openapi_docs import IDEMPOTENCY_KEY, answers, problems
from ..schemas.bodies import ActionIn, CaseSearchIn, SubmissionIn, as_sent
from ..schemas.cases import CaseDetailOut, CaseListOut, CorrectionNoticeOut, ReceiptOut, SubmissionOut
from ..views import ISSUING_OFFICE, case_detail, case_summary, receipt
from .deps import context, json_answer
from .one_step import OneStepRoute

router = APIRouter(prefix="/v1", tags=["cases"])
ANYONE = ("terminal", "clerk", "approver", "supervisor")
# What a terminal's presence grant must allow for the actions terminals may take.
ACTION_SCOPES = {Action.DELIVER: presence.COLLECT, Action.WITHDRAW: presence.WITHDRAW,
                 Action.SUPPLEMENT: presence.SUBMIT}


def load_case(session: Session, number: str) -> Case:
    case = session.scalar(select(Case).where(Case.number == number).options(
        selectinload(Case.events), selectinload(Case.materials), selectinload(Case.parts)))
    if case is None:
        raise NotFound(f"no case numbered {number}")
    return case


def _licences(session: Session, case: Case) -> list[Licence]:
    return list(session.scalars(select(Licence).where(Licence.case_id == case.id)))


def _detail(session: Session, ctx, case: Case) -> dict:
    names = EnglishNames.for_case(session, case)
    return case_detail(case, ctx.calendar, ctx.today(), names, _licences(session, case),
                       notices.sent_for(session, case), shipping.shipment_of(session, case))


def submit_case(request: Request, body: SubmissionIn, who: Caller = Depends(caller("terminal", "clerk")),
                session: Session = Depends(get_db), ctx=Depends(context)):
    """Submit an application. Requires `Idempotency-Key`. A terminal may present the
    applicant's presence grant (its session's, also once ended: the kiosk's outbox may
    deliver later); without one the case is marked as identified by a card read only,
    for the clerk to check the applicant in person.

    Results by post: for an item whose form offers `delivery` "post" (免费邮寄), send
    `delivery: {method: "post", town_code, village_code, detail, recipient, phone}` with
    the codes from GET /v1/addresses/towns. Every problem is answered at once (422, each
    in `problems` with its `field`, e.g. `delivery.village_code`). The case and the receipt
    then show only the town and village, the rest masked (`金江镇建国社区居委会****`)."""
    payload = as_sent(body)
    with read_phase(session):  # a read: the submission's write takes the writer's turn later
        grant = presence.grant_of(session, request, who.name, deferred=True) if who.kind == "terminal" else None
    if grant is not None and (presence.SUBMIT not in grant.scopes or grant.citizen_lookup != ctx.vault.lookup(
            str((payload.get("applicant") or {}).get("document_number", "")).strip().upper())):
        raise Forbidden("the grant is for another citizen", code="presence_other_citizen")
    evidence = grant.evidence if grant is not None else ("card_read" if who.kind == "terminal" else "staff")

    def check():  # reads only, before the write (on SQLite without the write lock)
        checked = lifecycle.check_submission(session, ctx, payload, who)
        return checked, EnglishNames.for_submission(session, checked.items, checked.bundle, checked.catalogue)

    def produce(checked_and_names):
        checked, names = checked_and_names
        checked.case.presence_evidence = evidence
        case = lifecycle.record_submission(session, ctx, checked, who)
        return 201, {"case": case_detail(case, ctx.calendar, ctx.today(), names),
                     "receipt": receipt(case, who.name, names)}

    return idempotent(request, session, f"submit:{who.actor}", lifecycle.request_fingerprint(payload), produce,
                      check, look_first=False)


# With the fleet's heartbeats, most of the back office's work: served in one step.
router.add_api_route("/cases", submit_case, methods=["POST"], status_code=201,
                     responses={**answers(SubmissionOut, 201), **problems(404, 409)}, openapi_extra=IDEMPOTENCY_KEY,
                     route_class_override=OneStepRoute)


# What a case summary reads (views.case_summary), as plain rows: a list needs no ORM
# objects and none of the encrypted columns.
SUMMARY_COLUMNS = (Case.number, Case.item_code, Case.bundle_code, Case.item_name, Case.status, Case.decision,
                   Case.department_name, Case.department_code, Case.received_at, Case.promised_date,
                   Case.promised_date_pending, Case.sms_notices)


@router.post("/cases/search", responses=answers(CaseListOut))
def search_cases(body: CaseSearchIn, request: Request, who: Caller = Depends(caller(*ANYONE)),
                 session: Session = Depends(get_db), ctx=Depends(context)):
    """An applicant's newest cases (`limit`, 50 unless asked) and how many there are in all.
    The ID number travels in the body, never in a URL; a terminal asks only for the
    citizen its presence grant is for."""
    # The reads first, without the writer's turn (SQLite): only the audit row needs it.
    with read_phase(session):
        grant = presence.require(session, request, who, presence.READ)
        lookup = ctx.vault.lookup(body.applicant)
        if grant is not None and grant.citizen_lookup != lookup:
            raise Forbidden("the grant is for another citizen", code="presence_other_citizen")
        whose = Case.applicant_lookup == lookup
        total = session.scalar(select(func.count()).select_from(Case).where(whose)) or 0
        rows = session.execute(select(*SUMMARY_COLUMNS).where(whose)
                               .order_by(Case.received_at.desc(), Case.id.desc()).limit(body.limit)).all()
        today, names = ctx.today(), EnglishNames.for_cases(session, rows)
        answer = {"cases": [case_summary(c, ctx.calendar, today, names) for c in rows], "total": total}
    presence.own(session, who, grant, lookup, "cases", presence.READ)
    session.commit()
    return json_answer(answer)


@router.get("/cases/{number}", responses={**answers(CaseDetailOut), **problems(404)})
def get_case(number: str, request: Request, who: Caller = Depends(caller(*ANYONE)),
             session: Session = Depends(get_db), ctx=Depends(context)):
    case = _read_own_case(session, request, who, number)
    with read_phase(session):
        return _detail(session, ctx, case)


def _own_case(session: Session, request: Request, who: Caller, number: str, scope: str,
              deferred: bool = False) -> Case:
    """The case, for staff or for a terminal whose presence grant is its applicant's."""
    grant = presence.require(session, request, who, scope, deferred)
    case = load_case(session, number)
    presence.own(session, who, grant, case.applicant_lookup, case.number, scope)
    session.commit()
    return case


def _read_own_case(session: Session, request: Request, who: Caller, number: str) -> Case:
    """As _own_case, for a route that only reads: the reads without the writer's turn
    (SQLite), the audit row after them. (An action reads and writes in one transaction.)"""
    with read_phase(session):
        grant = presence.require(session, request, who, presence.READ)
        case = load_case(session, number)
    presence.own(session, who, grant, case.applicant_lookup, case.number, presence.READ)
    session.commit()
    return case


@router.get("/track", responses={**answers(CaseDetailOut), **problems(404)})
def track(token: str = Query(..., max_length=2048), who: Caller = Depends(caller(*ANYONE)),
          session: Session = Depends(get_db), ctx=Depends(context)):
    """Resolve a receipt's tracking QR code: the masked detail, no card needed."""
    try:
        parsed = ctx.signer.verify(token, kind="case")
    except TokenInvalid as exc:
        raise Invalid(f"tracking code refused: {exc}") from None
    with read_phase(session):
        return _detail(session, ctx, load_case(session, parsed.subject))


@router.post("/cases/{number}/actions/{action}", responses={**answers(CaseDetailOut), **problems(404, 409, 503)})
def act(number: str, action: Action, request: Request, body: ActionIn | None = Body(None),
        who: Caller = Depends(caller("terminal", "clerk", "approver", "supervisor")),
        session: Session = Depends(get_db), ctx=Depends(context)):
    """Move a case through its lifecycle; an action not allowed in its state answers 409.
    `deliver` of a result by post hands it to the courier (EMS government mail): the case's
    `shipment` then has the waybill, and the applicant who asked for texts gets one naming
    it. A retried deliver never makes a second waybill. When the courier cannot take it,
    503 (`code` courier_unavailable) and nothing changed: try again. At a kiosk, a result
    by post is not collected (409, `code` result_by_post)."""
    case = _own_case(session, request, who, number, ACTION_SCOPES.get(action, presence.WITHDRAW))
    lifecycle.apply_action(session, ctx, case, action, as_sent(body), who)
    session.commit()
    return _detail(session, ctx, case)


@router.get("/cases/{number}/receipt", responses={**answers(ReceiptOut), **problems(404)})
def get_receipt(number: str, request: Request, who: Caller = Depends(caller(*ANYONE)),
                session: Session = Depends(get_db)):
    case = _read_own_case(session, request, who, number)
    with read_phase(session):
        return receipt(case, "", EnglishNames.for_case(session, case))


@router.get("/cases/{number}/correction-notice", responses={**answers(CorrectionNoticeOut), **problems(404)})
def correction_notice(number: str, request: Request, who: Caller = Depends(caller(*ANYONE)),
                      session: Session = Depends(get_db)):
    case = _read_own_case(session, request, who, number)
    if not case.correction:
        raise NotFound("this case has no correction notice")
    with read_phase(session):
        names = EnglishNames.for_cases(session, [case])
    return {"case_number": case.number, "item_name": case.item_name, "item_name_en": names.item(case),
            "applicant_masked": case.applicant_masked,
            "issued_at": case.correction.get("issued_at"), "deficiencies": case.correction["deficiencies"],
            "due": case.correction.get("due"), "department": case.department_name,
            "department_en": names.department(case.department_name),
            "hotline": "12345", "issuing_office": ISSUING_OFFICE}
