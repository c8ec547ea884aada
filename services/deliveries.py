"""What each kind of outbox item becomes at the back office.

Each delivery returns what a waiting citizen is shown and what the outbox may keep after
the payload is erased (a case number, never personal data). A refusal that means "this
already happened" (a rating already given) is a success: retrying would only repeat it.
An item made while the citizen held a presence grant keeps it under GRANT, and is
delivered under it even after that session ended (the back office accepts that for
applications and ratings, which the citizen decided at the glass).
"""
from __future__ import annotations

from services.api import BackofficeClient, BackofficeRefused

from .outbox_sender import Deliver

APPLICATION, RATING, CHECK_IN = "application", "rating", "check_in"
GRANT = "presence_grant"


def deliverers(api: BackofficeClient) -> dict[str, Deliver]:
    def application(payload: dict, key: str):
        payload = dict(payload)
        grant = str(payload.pop(GRANT, ""))
        case, receipt = api.submit(payload, key, grant=grant)
        return (case, receipt), {"case_number": case.number}

    def rating(payload: dict, key: str):
        number = str(payload["number"])
        try:
            body = api.rate(number, int(payload["level"]), list(payload["reasons"]), str(payload["comment"]), key,
                            grant=str(payload.get(GRANT, "")))
        except BackofficeRefused as exc:
            if exc.status == 409 and "already" in exc.detail:
                return ("already", None), {"case_number": number, "already": True}
            raise
        return ("stored", body), {"case_number": number}

    def check_in(payload: dict, key: str):
        answer = api.check_in(str(payload["token"]))
        return answer, {"ticket_number": str(answer.get("ticket_number", ""))}

    return {APPLICATION: application, RATING: rating, CHECK_IN: check_in}
