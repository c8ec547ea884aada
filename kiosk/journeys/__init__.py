"""The citizen journeys, one module each. A module defines a `Journey` subclass; the
controller discovers them, so adding a journey adds a file and touches nothing else.

A journey holds the logic of its screens (what a tap does, what to fetch, what to print);
its screens live in screens/ and reach it as `self.journey("name")`.
"""
from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.controller import KioskController


class Journey:
    name = ""  # e.g. "progress"
    # On the attract screen: (order, English message id of the button, screen to open),
    # or None when the journey starts some other way (a card, a scan).
    attract_action: tuple[int, str, str] | None = None
    # Token kinds (domain.tokens) this journey handles when scanned on any screen.
    handles_tokens: tuple[str, ...] = ()
    # The dataclass of what the journey keeps in the session (session.state(State)).
    State: type | None = None

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
        """The attract-screen button: open the journey's first screen."""
        self.kiosk.session.begin()
        self.ui.navigate(self.attract_action[2])

    def current_state(self):
        """The journey's state in this session, or None before the journey made one."""
        return self.session.peek(self.State) if self.State is not None and self.session.active else None

    def on_token(self, token) -> None:
        """A scanned, verified token of a kind in `handles_tokens`."""

    def wait_for_identity(self) -> None:
        """The journey goes on in `identified()` once the citizen places a card (or a
        passport through the identify journey)."""
        self.session.resume_after_identify = self.name

    def identified(self) -> None:
        """The citizen was identified while this journey waited for it."""

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
