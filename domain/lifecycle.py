"""The case state machine: every allowed transition in one table.

Administrative Licensing Law art. 32-45: a case is received, then accepted (possibly with
a deferred 容缺 material), sent back for correction (补正, every deficiency at once) or not
accepted; reviewed by the responsible department(s) (按责转办; several in parallel for a
"一件事" bundle, 并联审批), possibly suspended (特别程序: the clock pauses), decided,
completed and delivered; it can be withdrawn by the applicant or terminated (e.g. a 容缺
material never supplied).
"""
from __future__ import annotations

from enum import Enum

from domain.cases import CaseStatus as S


class Action(str, Enum):
    ACCEPT = "accept"
    REFUSE = "refuse"
    REQUEST_CORRECTION = "request_correction"
    SUPPLEMENT = "supplement"
    ROUTE = "route"
    SUSPEND = "suspend"
    RESUME = "resume"
    APPROVE = "approve"
    DENY = "deny"
    COMPLETE = "complete"
    DELIVER = "deliver"
    WITHDRAW = "withdraw"
    TERMINATE = "terminate"


_OPEN = (S.RECEIVED, S.CORRECTION_REQUIRED, S.ACCEPTED, S.IN_REVIEW, S.SUSPENDED)

# action -> {from state: to state}
TRANSITIONS: dict[Action, dict[S, S]] = {
    Action.ACCEPT: {S.RECEIVED: S.ACCEPTED},
    Action.REFUSE: {S.RECEIVED: S.NOT_ACCEPTED, S.CORRECTION_REQUIRED: S.NOT_ACCEPTED},
    Action.REQUEST_CORRECTION: {S.RECEIVED: S.CORRECTION_REQUIRED},
    # Supplying corrected materials sends the case back for acceptance; supplying a
    # deferred (容缺) material later leaves an accepted case where it is.
    Action.SUPPLEMENT: {S.CORRECTION_REQUIRED: S.RECEIVED, S.ACCEPTED: S.ACCEPTED,
                        S.IN_REVIEW: S.IN_REVIEW, S.SUSPENDED: S.SUSPENDED},
    Action.ROUTE: {S.ACCEPTED: S.IN_REVIEW, S.IN_REVIEW: S.IN_REVIEW},
    Action.SUSPEND: {S.IN_REVIEW: S.SUSPENDED},
    Action.RESUME: {S.SUSPENDED: S.IN_REVIEW},
    Action.APPROVE: {S.IN_REVIEW: S.DECIDED},
    Action.DENY: {S.IN_REVIEW: S.DECIDED},
    Action.COMPLETE: {S.DECIDED: S.COMPLETED},
    Action.DELIVER: {S.COMPLETED: S.DELIVERED},
    Action.WITHDRAW: {s: S.WITHDRAWN for s in _OPEN},
    Action.TERMINATE: {S.ACCEPTED: S.TERMINATED, S.IN_REVIEW: S.TERMINATED, S.SUSPENDED: S.TERMINATED},
}

# States in which the promised-time clock runs (it pauses for correction and suspension).
CLOCK_RUNS = frozenset({S.ACCEPTED, S.IN_REVIEW})


class IllegalTransition(ValueError):
    def __init__(self, action: Action, status: S):
        super().__init__(f"cannot {action.value} a case that is {status.value}")
        self.action = action
        self.status = status


def next_status(status: S, action: Action) -> S:
    try:
        return TRANSITIONS[action][status]
    except KeyError:
        raise IllegalTransition(action, status) from None


def allowed_actions(status: S) -> list[Action]:
    return [a for a, table in TRANSITIONS.items() if status in table]
