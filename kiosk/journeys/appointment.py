"""Appointment check-in (预约签到): the appointment's QR code, scanned on the attract screen
or on the check-in screen, is verified offline by the controller; the check-in goes through
the outbox and is answered online; a queue ticket with the window is printed on the
receipt printer and announced, the window's and the item's names in the screen's language
(the back office sends both).

Check-in outside the window the back office allows (an hour before to half an hour after
the booked time), a code the back office refuses, and a printer that is not ready each get
their own calm message. A code this kiosk has already checked in is refused as used: no
second ticket (the back office itself would hand back the same one)."""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import uuid
from dataclasses import dataclass

from domain.county import CST
from domain.i18n import N_
from domain.receipts import QueueTicket
from domain.slips import Line
from kiosk.journeys import Journey
from kiosk.ui.screen_names import Screen
from services.api import BackofficeError
from services.deliveries import CHECK_IN
from services.outbox_sender import QUEUED, REFUSED
from services.receipts import queue_ticket_slip

log = logging.getLogger(__name__)

MSG_NOT_OPEN = N_(
    "Check-in is open from one hour before to 30 minutes after your booked time. "
    "Please come back then, or ask at the service centre."
)
MSG_NOT_VALID = N_(
    "This appointment cannot be checked in: it was cancelled, or the code is no longer valid. "
    "Please ask at the service centre, or call 12345."
)
MSG_TICKET_NOT_PRINTED = N_(
    "You are checked in, but the ticket could not be printed. Nothing is lost: "
    "please remember your number, or tap Print again."
)
MSG_CHECKED_IN_OFFLINE = N_(
    "The county's queue cannot be reached right now, so no number could be given. "
    "Your arrival is kept and will be sent. Please show your appointment code at the service desk."
)
MSG_ALREADY_CHECKED_IN = N_(
    "This appointment code has already been used to check in at this kiosk, and its queue "
    "ticket was printed then. If you lost the ticket, please ask at the service desk."
)
SAY_TICKET = N_("Your number is {ticket}. Please wait near {window}.")



@dataclass
class AppointmentState:
    ticket: QueueTicket | None = None
    printed: bool | None = None  # None while printing, then whether the ticket came out

class AppointmentJourney(Journey):
    name = "appointment"
    State = AppointmentState
    attract_action = (4, N_("Appointment check-in"), Screen.APPOINTMENT_START)
    ENTRIES = (Screen.APPOINTMENT_START, Screen.APPOINTMENT_TICKET)  # the ticket: a booking scanned anywhere
    FLOW = {Screen.APPOINTMENT_START: (Screen.APPOINTMENT_TICKET,),
            Screen.APPOINTMENT_TICKET: (Screen.APPOINTMENT_TICKET,)}
    handles_tokens = ("appointment",)

    def on_token(self, token, text: str) -> None:
        """A verified appointment code: kept in the outbox, checked in online, then the
        ticket is printed. Offline the check-in is sent later (the county still learns the
        applicant came) and the citizen is told to go to the desk: only the back office
        gives queue numbers."""
        self.session.begin()
        api, outbox, sender = self.kiosk.api, self.kiosk.outbox, self.kiosk.outbox_sender
        code = token.subject

        def work():
            # A code this kiosk already checked in is a replay (a second scan, or a photo of
            # someone's code): refused, no second ticket. Looked up by the code's keyed hash.
            if any(i.kind == CHECK_IN and "refused" not in i.outcome for i in outbox.for_applicant(code)):
                return "replayed", None
            delivery = sender.deliver_now(outbox.put(CHECK_IN, {"token": text}, uuid.uuid4().hex, applicant=code))
            if delivery.status == QUEUED:
                return "queued", None
            if delivery.status == REFUSED:
                exc = delivery.error
                if exc.status == 409 and "check-in is open" in exc.detail:
                    return "not_open", None
                return "not_valid", None
            answer = delivery.value
            if not answer.get("item_name"):  # an older back office names neither item nor English
                try:
                    guide = api.guide(answer.get("item_code", ""))
                    answer = {**answer, "item_name": guide.get("name", ""), "item_name_en": guide.get("name_en", "")}
                except BackofficeError:
                    pass  # the ticket is still right without the item's name
            return "checked_in", answer

        self.kiosk.in_background(work, self._checked_in, back_to=Screen.ATTRACT, busy=N_("Checking you in…"))

    def _checked_in(self, outcome) -> None:
        result, answer = outcome
        if result == "not_open":
            self.ui.show_message(N_("Check-in is not open yet"), MSG_NOT_OPEN, back_to=Screen.APPOINTMENT_START)
            return
        if result == "not_valid":
            self.ui.show_message(N_("Appointment not valid"), MSG_NOT_VALID, back_to=Screen.APPOINTMENT_START)
            return
        if result == "replayed":
            log.info("appointment code used again")
            self.ui.show_message(N_("Code already used"), MSG_ALREADY_CHECKED_IN, back_to=Screen.ATTRACT)
            return
        if result == "queued":
            self.ui.show_message(N_("Checked in at this kiosk"), MSG_CHECKED_IN_OFFLINE, back_to=Screen.ATTRACT)
            return
        self.session.keep(AppointmentState(ticket=QueueTicket(
            ticket_number=str(answer.get("ticket_number") or ""),
            window=str(answer.get("window") or answer.get("window_code") or ""),
            issued_at=dt.datetime.now(CST),
            item_name=str(answer.get("item_name") or ""),
            appointment_slot=_slot(answer.get("slot_start"), answer.get("slot_end")),
            window_en=str(answer.get("window_en") or ""),
            item_name_en=str(answer.get("item_name_en") or ""),
        )))
        self.go(Screen.APPOINTMENT_TICKET)  # the screen announces the number and window
        self.print_ticket()

    @property
    def ticket(self) -> QueueTicket | None:
        state = self.session.peek(AppointmentState)
        return state.ticket if state else None

    @property
    def ticket_printed(self) -> bool | None:
        """None while printing, then True or False."""
        state = self.session.peek(AppointmentState)
        return state.printed if state else None

    def print_ticket(self) -> None:
        ticket = self.ticket
        if ticket is None:
            return
        kiosk = self.kiosk
        slip = ticket_slip(ticket, kiosk.terminal_id, dt.datetime.now(CST), self._, kiosk.translator.language)
        self.session.state(AppointmentState).printed = None
        kiosk.in_background(lambda: kiosk.printer.print_slip(slip), self._printed,
                            back_to=Screen.APPOINTMENT_TICKET, busy=N_("Printing your ticket…"))

    def _printed(self, result) -> None:
        self.session.state(AppointmentState).printed = bool(result.ok)
        if not result.ok:
            log.warning("queue ticket not printed", extra={"printer": result.status.state.value})
            self.ui.show_message(N_("Printer not ready"), MSG_TICKET_NOT_PRINTED, back_to=Screen.APPOINTMENT_TICKET)
            return
        self.go(Screen.APPOINTMENT_TICKET)  # which says "Please take your ticket"

    def reset(self) -> None:
        """Everything lives in the session, which is wiped."""


def ticket_slip(ticket: QueueTicket, terminal_id: str, now: dt.datetime, _, language: str = "zh_CN"):
    """The queue ticket slip in the screen's language; the back office does not say how
    many wait ahead, so that line (which would read "0 people ahead") is left out rather
    than guessed."""
    slip = queue_ticket_slip(ticket, terminal_id, now, _, language)
    ahead = _("{count} people ahead of you").format(count=ticket.waiting_ahead)
    blocks = tuple(b for b in slip.blocks if not (isinstance(b, Line) and b.text == ahead))
    return dataclasses.replace(slip, blocks=blocks)


def _slot(start: str | None, end: str | None) -> str:
    try:
        a = dt.datetime.fromisoformat(str(start)).astimezone(CST)
        b = dt.datetime.fromisoformat(str(end)).astimezone(CST)
    except (TypeError, ValueError):
        return ""
    return f"{a:%Y-%m-%d %H:%M}-{b:%H:%M}"
