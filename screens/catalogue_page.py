"""The page every catalogue, guide and self-submit screen shares: a heading, a hint, a
scrolling body, a fixed area for a keypad, the page's actions and a Back button.

Pages are filled from the session in `refresh()` (on entry and on a language switch) and
emptied in `reset()`, so nothing of one applicant survives into the next session."""
from __future__ import annotations

from typing import Callable

from kivy.factory import Factory
from kivy.properties import ListProperty, StringProperty
from kivy.uix.label import Label

from kiosk.ui import theme

from .base import KioskScreen


class Badge(Label):
    """A short tag on a material (required, 容缺 allowed, from your e-licence, ...)."""
    tone = StringProperty("info")  # info | ok | warn
    fill = ListProperty(list(theme.BADGE_FILL["info"]))


class JourneyPage(KioskScreen):
    journey_name = ""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.buttons: dict[str, object] = {}

    @property
    def flow(self):
        return self.journey(self.journey_name)

    # --- building blocks --------------------------------------------------------------
    def fresh_state(self):
        """Clear the page and return this journey's state in the session, or None when no
        session or no such journey is under way (the page then stays empty)."""
        self.clear()
        return self.flow.current_state()

    def clear(self) -> None:
        for key in ("body", "fixed", "actions"):
            self.ids[key].clear_widgets()
        self.buttons = {}
        self.ids.heading.text = ""
        self.ids.hint.text = ""

    def text(self, text: str, *, size: str = "body", color=None, bold: bool = False, parent=None):
        parent = parent or self.ids.body
        # Made at the width its layout will give it, the text is wrapped once, not first
        # at Kivy's default width and again at the real one.
        label = Factory.KioskLabel(text=text, bold=bold, width=_content_width(parent))
        label.font_size = f"{self.style.size_sp(size)}sp"
        if color is not None:
            label.color = color
        parent.add_widget(label)
        return label

    def button(self, text: str, on_tap: Callable[[], None], *, key: str = "", secondary: bool = False,
               parent=None, disabled: bool = False):
        widget = (Factory.SecondaryButton if secondary else Factory.KioskButton)(text=text)
        widget.disabled = disabled
        widget.bind(on_release=lambda _b: on_tap())
        (parent or self.ids.actions).add_widget(widget)
        if key:
            self.buttons[key] = widget
        return widget

    def card(self, parent=None):
        parent = parent or self.ids.body
        card = Factory.Card(width=_content_width(parent))
        parent.add_widget(card)
        return card

    def badge(self, message_id: str, parent, tone: str = "info"):
        widget = Badge(text=self._(message_id), tone=tone, fill=list(theme.BADGE_FILL[tone]))
        parent.add_widget(widget)
        return widget

    # --- hooks ------------------------------------------------------------------------
    def go_back(self) -> None:
        """Where the journey's BACK table says; a journey's first page ends the visit."""
        if not self.controller.back_from(self.screen_name):
            self.controller.finish("back_to_start")

    def reset(self) -> None:
        self.clear()


def _content_width(layout) -> float:
    """The width a full-width child of `layout` gets once it is laid out."""
    left, _top, right, _bottom = layout.padding if hasattr(layout, "padding") else (0, 0, 0, 0)
    return max(0, layout.width - left - right)
