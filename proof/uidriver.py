"""Drives the running kiosk without a person: simulated touches, waiting for a screen,
finding widgets by id or text, screenshots. Used by the headless demo tour and the UI
tests, so both exercise the real widgets, the real event loop and the real window."""
from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterator

from kivy.base import EventLoop
from kivy.core.window import Window
from kivy.input.motionevent import MotionEvent
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget


class _Touch(MotionEvent):
    def __init__(self, x: float, y: float):
        super().__init__("kiosk-driver", id(self), {"x": x, "y": y}, is_touch=True)

    def depack(self, args):
        self.sx = args["x"] / max(Window.width - 1, 1)
        self.sy = args["y"] / max(Window.height - 1, 1)
        self.profile = ["pos"]
        super().depack(args)


def _text(widget) -> str:
    """A widget's shown text, if it has any (some widgets use `text` for other things)."""
    value = getattr(widget, "text", "")
    return value if isinstance(value, str) else ""


class NotShown(LookupError):
    """The widget is not on the glass (its page was left, or never shown): no finger can
    touch it, and a touch at its old place would land on whatever is there now."""


class DriverTimeout(AssertionError):
    pass


class UiDriver:
    def __init__(self, app):
        self.app = app
        self.taps = 0  # touches made so far: the tour counts them per journey

    # --- the event loop ------------------------------------------------------------------
    def pump(self, frames: int = 3) -> None:
        for _ in range(frames):
            EventLoop.idle()

    def wait_until(self, condition: Callable[[], bool], timeout: float = 10.0, what: str = "") -> None:
        """Run the event loop until `condition` holds (a bound on waiting, not a speed test)."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise DriverTimeout(f"timed out waiting for {what or condition}")
            EventLoop.idle()
            time.sleep(0.01)
        self.pump()

    def wait_for_screen(self, name: str, timeout: float = 10.0) -> None:
        try:
            self.wait_until(lambda: self.app.manager.current == name and self.app._busy is None,
                            timeout, what=f"screen {name!r}")
        except DriverTimeout as timed_out:
            busy = " (busy)" if self.app._busy is not None else ""
            raise DriverTimeout(f"{timed_out}; still on {self.app.manager.current!r}{busy}") from None

    # --- finding widgets -----------------------------------------------------------------
    def _walk_window(self) -> Iterator[Widget]:
        for child in Window.children:
            yield from child.walk(restrict=True)

    def visible_texts(self) -> list[str]:
        return [w.text for w in self._walk_window() if _text(w) and w.opacity > 0]

    def all_texts(self) -> list[str]:
        """Text a citizen could see on any screen, shown or not (the demo panel, a stand-in
        for physical demo cards, excluded): for checking nothing personal is left."""
        demo = set(self.app.demo_panel.walk(restrict=True)) if self.app.demo_panel else set()
        texts = [w.text for w in self._walk_window() if _text(w) and w not in demo]
        for screen in self.app.manager.screens:
            texts += [w.text for w in screen.walk(restrict=True) if _text(w)]
        return texts

    def by_id(self, screen: str, widget_id: str) -> Widget:
        return self.app.manager.get_screen(screen).ids[widget_id]

    def by_text(self, text: str) -> Widget:
        for widget in self._walk_window():
            if getattr(widget, "text", None) == text and widget.opacity > 0:
                return widget
        raise LookupError(f"no visible widget with text {text!r}")

    # --- acting --------------------------------------------------------------------------
    def tap(self, widget: Widget) -> None:
        """Touch the centre of `widget` the way a finger would: once it is where it will be
        drawn and on the glass."""
        self.aim(widget)
        self.press(widget)

    def aim(self, widget: Widget) -> None:
        """Wait for `widget` to settle, scrolling it into view if a list hides it. A page
        rebuilt by the last touch lays itself out over the next frames (a list's height
        feeds back into its scroll position), and until then its buttons are not where
        they will be drawn."""
        self._settle(widget)
        if self.scroll_into_view(widget):
            self._settle(widget)

    def press(self, widget: Widget) -> None:
        """Touch down and up on the centre of `widget`, where it is now, and let the
        kiosk answer."""
        self.touch(widget)
        self.pump()

    def touch(self, widget: Widget) -> None:
        """Only the touch itself, down and up: what the kiosk does about it runs in the
        frames that follow."""
        if widget.get_root_window() is None:
            raise NotShown(f"{type(widget).__name__} {getattr(widget, 'text', '')!r} is not on the glass "
                           f"(the kiosk shows {self.app.manager.current!r})")
        self.taps += 1
        touch = _Touch(*widget.to_window(*widget.center))
        EventLoop.post_dispatch_input("begin", touch)
        EventLoop.post_dispatch_input("end", touch)

    def _settle(self, widget: Widget, frames: int = 20) -> None:
        where = None
        for _ in range(frames):
            self.pump(1)
            now = (widget.to_window(*widget.pos), tuple(widget.size))
            if now == where:
                return
            where = now

    def type_code(self, timeout: float = 10.0, phone: str = "") -> None:
        """On the code screen: the code the back office just texted to the demo's phone,
        typed on the keypad, then Confirm, as the citizen would; where no number is on file
        and the page asks for one, `phone` first. Offered the face check first, the citizen
        chooses the code instead."""
        from kiosk.demo import latest_code

        self.choose_code(timeout)
        self.wait_for_screen("presence_code", timeout)
        screen = self.app.manager.get_screen("presence_code")
        if screen.asking_phone:
            if not phone:
                raise DriverTimeout("the kiosk asks for a phone number and none was given")
            for digit in phone:
                self.tap(screen.keypad.keys[digit])
            self.tap_button("presence_code", "confirm")
            self.wait_until(lambda: (not screen.asking_phone or self.app.manager.current != "presence_code")
                            and self.app._busy is None, timeout, what="the code sent to the typed number")
            if self.app.manager.current != "presence_code":
                return  # no code could be sent (the back office unreachable): the journey went on without
        for digit in latest_code(self.app.kiosk_config.demo_phone_inbox):
            self.tap(screen.keypad.keys[digit])
        self.tap_button("presence_code", "confirm")

    def choose_code(self, timeout: float = 10.0) -> None:
        """Where the kiosk offers the face check first (the presence policy, a face camera),
        tap Text me a code instead; elsewhere the code screen comes by itself."""
        self.wait_until(lambda: self.app.manager.current in ("face_consent", "presence_code")
                        and self.app._busy is None, timeout, what="the face check's consent or the code screen")
        if self.app.manager.current == "face_consent":
            self.tap_button("face_consent", "code")

    def agree_to_face_then(self, screen: str, timeout: float = 30.0) -> None:
        """Waits for `screen`; where the face check's consent page comes first (the kiosk
        learns it is offline only when a request fails), the citizen agrees on the way."""
        self.wait_until(lambda: self.app.manager.current in ("face_consent", screen) and self.app._busy is None,
                        timeout, what=f"the face check's consent or {screen!r}")
        if self.app.manager.current == "face_consent":
            self.tap_button("face_consent", "agree")
        self.wait_for_screen(screen, timeout)

    def tap_button(self, screen: str, key: str) -> None:
        """Tap one of a page's keyed buttons."""
        self.tap(self.app.manager.get_screen(screen).buttons[key])

    def scroll_into_view(self, widget: Widget) -> bool:
        """Scroll every ScrollView around `widget` until it is on the glass; whether it had
        to scroll."""
        scrolled = False
        for _ in range(20):
            hidden = [view for view in self._scroll_views_around(widget) if not _inside(widget, view)]
            if not hidden:
                return scrolled
            scrolled = True
            for view in hidden:
                for effect in (view.effect_x, view.effect_y):  # a fling still running would undo the scroll
                    if effect is not None:
                        effect.velocity = 0
                _centre_in(view, widget)
            self.pump(2)
        return scrolled

    @staticmethod
    def _scroll_views_around(widget: Widget) -> list[ScrollView]:
        views, parent = [], widget.parent
        while parent is not None and parent is not parent.parent:
            if isinstance(parent, ScrollView):
                views.append(parent)
            parent = parent.parent
        return views

    def screenshot(self, path: Path) -> Path:
        """Write the whole window (overlays included) to exactly `path`."""
        self.pump(2)
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            written = Window.screenshot(name=str(Path(tmp) / "shot.png"))
            shutil.move(written, path)
        return path


def _centre_in(view: ScrollView, widget: Widget) -> None:
    """Scroll `view` so that `widget` sits in the middle of it. (ScrollView.scroll_to
    gives up while the content's layout is still pending, which a long list can be for
    many frames.)"""
    content = view._viewport
    if content is None or content.height <= view.height:
        return
    room = content.height - view.height
    _, y = content.to_widget(*widget.to_window(widget.x, widget.y))
    y -= content.y  # from the bottom of the content
    view.scroll_y = min(1.0, max(0.0, (y - (view.height - widget.height) / 2) / room))


def _inside(widget: Widget, view: Widget) -> bool:
    """Whether the centre of `widget` lies within `view` on the window."""
    x, y = widget.to_window(*widget.center)
    left, bottom = view.to_window(view.x, view.y)
    return left <= x <= left + view.width and bottom <= y <= bottom + view.height
