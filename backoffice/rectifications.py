"""好差评 整改: the steps of a bad rating's rectification, one rule for the API
(routes/ratings.py) and the supervisor's dashboard (console/rectifications.py). A callback,
a rectification, an appeal and its review each move the rectification on, are audited, and
are written on the rated case's timeline with their note: the applicant who rated sees what
was done about it (国办发〔2019〕51号 asks for the rectification to be fed back)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from . import audit
from .auth import Caller
from .errors import Conflict, Forbidden, Invalid
from .models import Case, CaseEvent, Rating, Rectification, utcnow

STAFF_STEPS = ("callback", "rectify", "review")  # a supervisor's (or an administrator's)
STEPS = STAFF_STEPS + ("appeal",)  # the applicant's, through a terminal, or a clerk's for them
DECISIONS = ("upheld", "overturned")
TIMELINE_ACTION = "rectification"
# What a step is called on the case's timeline, before its note.
TIMELINE_LABELS = {"callback": ("差评回访", "Bad rating: applicant called back"),
                   "rectify": ("差评整改", "Bad rating rectified"),
                   "appeal": ("差评申诉", "Bad rating appealed"),
                   "review_upheld": ("申诉复核：维持差评", "Appeal reviewed: rating upheld"),
                   "review_overturned": ("申诉复核：撤销差评", "Appeal reviewed: rating overturned")}


def may_take(step: str, who: Caller) -> bool:
    """Whether `who` may take the step; one not in STEPS is refused later, as the state's."""
    return step not in STAFF_STEPS or who.role in ("supervisor", "admin")


def take_step(session: Session, rect: Rectification, step: str, payload: dict, who: Caller) -> Rectification:
    """One step: callback (an optional `note`), rectify (`response`: what was done), appeal
    (`reason`), review (`decision` upheld | overturned, an optional `note`). A step the
    rectification's state does not allow answers 409, a missing text 422."""
    if not may_take(step, who):
        raise Forbidden(f"{step} is a supervisor's step")
    note = str(payload.get("note", "")).strip()[:500]
    label = step
    if step == "callback" and rect.status == "open":
        rect.called_back_at, rect.status = utcnow(), "called_back"
        told = note
    elif step == "rectify" and rect.status in ("open", "called_back"):
        response = str(payload.get("response", "")).strip()
        if not response:
            raise Invalid("say what was done in 'response'")
        rect.rectified_at, rect.response, rect.status = utcnow(), response, "rectified"
        told = response
    elif step == "appeal" and rect.status in ("open", "called_back", "rectified"):
        reason = str(payload.get("reason", "")).strip()
        if not reason:
            raise Invalid("an appeal needs a 'reason'")
        rect.appeal_reason, rect.status = reason[:500], "appealed"
        told = rect.appeal_reason
    elif step == "review" and rect.status == "appealed":
        decision = payload.get("decision")
        if decision not in DECISIONS:
            raise Invalid("decision must be upheld or overturned")
        rect.appeal_decision = decision
        rect.status = "closed" if decision == "overturned" else "rectified" if rect.rectified_at else "open"
        label, told = f"review_{decision}", note
    else:
        raise Conflict(f"cannot {step} a rectification that is {rect.status}")
    _on_timeline(session, rect, label, told, who)
    audit.record(session, who.actor, f"rectification.{step}", str(rect.id), status=rect.status,
                 **({"note": note} if note else {}))
    return rect


def _on_timeline(session: Session, rect: Rectification, label: str, told: str, who: Caller) -> None:
    case = session.get(Case, session.get(Rating, rect.rating_id).case_id)
    zh, en = TIMELINE_LABELS[label]
    case.events.append(CaseEvent(at=utcnow(), action=TIMELINE_ACTION, status=case.status,
                                 department=case.department_name, note=f"{zh}：{told}" if told else zh,
                                 note_en=f"{en}: {told}" if told else en, actor=who.actor))
