"""Appointment check-in: ask for the appointment's QR code; then the queue ticket, shown
large, printed and announced."""
from __future__ import annotations

from domain.i18n import N_
from kiosk.journeys.appointment import SAY_TICKET
from kiosk.ui.screen_names import Screen

from .base import KioskScreen


class AppointmentStartScreen(KioskScreen):
    screen_name = Screen.APPOINTMENT_START
    spoken_prompt = N_("Hold the QR code of your appointment under the scanner.")


class AppointmentTicketScreen(KioskScreen):
    screen_name = Screen.APPOINTMENT_TICKET

    def refresh(self) -> None:
        journey = self.journey("appointment")
        ticket = journey.ticket
        if ticket is None or not self.session.active:
            self.reset()
            return
        language = self.controller.translator.language
        self.ids.number.text = ticket.ticket_number
        lines = [self._("Window: {window}").format(window=ticket.window_in(language))]
        if ticket.item_name:
            lines.append(self._("Item: {item}").format(item=ticket.item_name_in(language)))
        if ticket.appointment_slot:
            lines.append(self._("Appointment: {slot}").format(slot=ticket.appointment_slot))
        self.ids.detail.text = "\n".join(lines)
        printed = journey.ticket_printed
        self.ids.printed.text = (self._("Please take your ticket") if printed
                                 else self._("Your ticket could not be printed. Please remember your number.")
                                 if printed is False else "")
        self.ids.print_again.opacity = 1 if printed is False else 0
        self.ids.print_again.disabled = printed is not False

    def on_enter(self, *_args):
        ticket = self.journey("appointment").ticket
        if ticket is not None:  # the number and the window, spoken
            window = ticket.window_in(self.controller.translator.language)
            self.controller.say(SAY_TICKET, ticket=ticket.ticket_number, window=window)

    def reset(self) -> None:
        self.ids.number.text = ""
        self.ids.detail.text = ""
        self.ids.printed.text = ""
        self.ids.print_again.opacity = 0
        self.ids.print_again.disabled = True
