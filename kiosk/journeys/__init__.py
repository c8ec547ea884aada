"""The citizen journeys, one module each. A module defines a `Journey` subclass; the
controller discovers them, so adding a journey adds a file and touches nothing else.

A journey holds the logic of its screens (what a tap does, what to fetch, what to print);
its screens live in screens/ and reach it as `self.journey("name")`.
"""
from __future__ import annotations

import importlib
import logging
import pkgutil
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping

from domain.i18n import N_
from domain.slips import SlipDocument
from kiosk.ui.screen_names import Screen
from services.preview import render_slip_png

if TYPE_CHECKING:
    from kiosk.controller import KioskController

log = logging.getLogger(__name__)
MSG_PRINTER = N_(
    "The printer is not ready. Nothing is lost: you can print this slip again later, "
    "or check progress by calling 12345."
)


class UnlistedMove(AssertionError):
    """A journey opened a screen its FLOW does not list (raised under strict_flow)."""


class Journey:
    name = ""  # e.g. "progress"
    # On the attract screen: (order, English message id of the button, screen to open),
    # or None when the journey starts some other way (a card, a scan).
    attract_action: tuple[int, str, str] | None = None
    # Token kinds (domain.tokens) this journey handles when scanned on any screen.
    handles_tokens: tuple[str, ...] = ()
    # The dataclass of what the journey keeps in the session (session.state(State)).
    State: type | None = None
    # Where Back goes from each of the journey's screens whose way back does not depend on
    # the state; the others have a method of the journey (back_from_guide, previous_page...).
    BACK: Mapping[Screen, Screen] = {}
    # Every other move the journey makes (go()): from each of its screens, the screens a
    # tap or an answer may open next, Back by a method included; and ENTRIES, the screens
    # it may open from wherever the citizen is (its start, a card placed, a slip scanned).
    # With BACK, the journey's whole map in one place; a move outside it is logged, and
    # fails the tests (strict_flow).
    FLOW: Mapping[Screen, tuple[Screen, ...]] = {}
    ENTRIES: tuple[Screen, ...] = ()
    strict_flow = False
    # The journeys of a citizen's own cases (progress, collect, rating) name the screen
    # asking for a card when no one is identified yet; the others keep None.
    CARD_PROMPT: Screen | None = None

    def __init__(self, controller: "KioskController"):
        self.kiosk = controller

    @property
    def session(self):
        return self.kiosk.session

    @property
    def ui(self):
        return self.kiosk.ui

    def _(self, message: str) -> str:
        return self.kiosk.translator.gettext(message)

    def start(self) -> None:
        """The attract-screen button: open the journey's first screen; for a journey of the
        citizen's own cases, the card prompt, or (the citizen known) their confirmation."""
        self.kiosk.session.begin()
        if self.CARD_PROMPT is None:
            self.go(self.attract_action[2])
        elif self.session.identity is not None:
            self.need_presence(Screen.HOME)
        else:
            self.wait_for_identity()
            self.go(self.CARD_PROMPT)

    def back_from(self, screen: str) -> None:
        """Back from one of the journey's screens, by its BACK table."""
        self.ui.navigate(self.BACK[Screen(screen)])

    def go(self, to: Screen) -> None:
        """Opens `to`, a move the journey's FLOW or ENTRIES lists."""
        here = self.ui.current_screen()
        if to not in self.ENTRIES and to not in self.FLOW.get(Screen(here), ()):
            if self.strict_flow:
                raise UnlistedMove(f"{self.name}: {here} -> {to} is not in the journey's FLOW")
            log.error("move not in the journey's flow", extra={"journey": self.name, "from": here, "to": str(to)})
        self.ui.navigate(to)

    def current_state(self):
        """The journey's state in this session, or None before the journey made one."""
        return self.session.peek(self.State) if self.State is not None and self.session.active else None

    def on_token(self, token) -> None:
        """A scanned, verified token of a kind in `handles_tokens`."""

    def print_slip(self, slip: SlipDocument, *, back_to: str, busy: str, preview_name: str = "",
                   then: Callable[[Path | None], None] | None = None) -> None:
        """Prints `slip` on the receipt printer off the UI thread, with its PNG preview when
        `preview_name` is given, then calls `then(preview)`. A printer that is not ready is
        explained, and the citizen stays on `back_to` to print again."""
        kiosk = self.kiosk

        def work():
            result = kiosk.printer.print_slip(slip)
            preview = None
            if result.ok and preview_name:
                name = result.job_path.stem if getattr(result, "job_path", None) else preview_name
                preview = render_slip_png(slip, kiosk.font_path, self.session.files.named(f"{name}.png"),
                                          kiosk.printer.profile.paper_width_px)
            return result, preview

        def printed(done) -> None:
            result, preview = done
            if not result.ok:
                log.warning("slip not printed", extra={"printer": result.status.state.value})
                self.ui.show_message(N_("Printer not ready"), MSG_PRINTER, back_to=back_to)
                return
            if then is not None:
                then(preview)

        kiosk.in_background(work, printed, back_to=back_to, busy=busy)

    def wait_for_identity(self) -> None:
        """The journey goes on in `identified()` once the citizen places a card (or a
        passport through the identify journey)."""
        self.session.resume_after_identify = self.name

    def identified(self) -> None:
        """The citizen was identified while this journey waited for it: a journey of their
        own cases asks them to confirm it is them."""
        if self.CARD_PROMPT is not None:
            self.need_presence(self.CARD_PROMPT)

    def load_cases(self, then: Callable[[list], None], busy: str) -> None:
        """The citizen's cases, read under the session's grant, then `then(cases)`."""
        identity, grant, api = self.session.identity, self.session.grant, self.kiosk.api
        if identity is None:
            return
        self.kiosk.in_background(lambda: api.list_cases(identity.document_number, grant=grant), then,
                                 back_to=Screen.ATTRACT, busy=busy)

    def need_presence(self, back_to: str) -> None:
        """The journey goes on in `confirmed()` once the citizen at the glass confirmed it
        is them (the code texted to their phone: journeys/presence.py); `back_to` is where
        Back and a refusal lead."""
        self.kiosk.journey("presence").confirm(self.name, back_to)

    def confirmed(self) -> None:
        """The session now holds the citizen's presence grant (session.grant)."""

    def unconfirmed(self, error: Exception, back_to: str) -> None:
        """No code could be sent because the back office did not answer."""
        self.kiosk.failed(error, back_to)

    def reset(self) -> None:
        """The session ended: drop anything the journey kept."""


def discover() -> list[type[Journey]]:
    found = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Journey) and value is not Journey and value.name \
                    and value.__module__ == module.__name__:
                found.append(value)
    return found
