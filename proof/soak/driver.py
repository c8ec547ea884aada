"""The soak's touches: the tour's driver, but a wait that meets the kiosk's error page (or
the attract screen after a pulled card) ends the journey as interrupted instead of waiting
out its bound, and an exception out of the event loop is recorded as a crash."""
from __future__ import annotations

import time
import traceback
from typing import Callable

from kivy.base import EventLoop

from proof.uidriver import DriverTimeout, NotShown, UiDriver


class Interrupted(Exception):
    """A fault showed the citizen an error page or ended the session: the journey stops
    there, as a citizen's would."""


class Stuck(AssertionError):
    """No expected screen within the bound: the kiosk stopped making progress."""


class Crashed(RuntimeError):
    """An exception escaped to Kivy's event loop."""


class SoakDriver(UiDriver):
    def __init__(self, app, on_crash: Callable[[str], None]):
        super().__init__(app)
        self.on_crash = on_crash
        self.expect_session = False  # a journey under way: the attract screen means it ended
        self.leaving = False  # on the way back to the attract screen: error pages are expected

    def idle(self) -> None:
        try:
            EventLoop.idle()
        except Exception as exc:  # what Kivy's own main loop would have died of
            self.on_crash(traceback.format_exc())
            raise Crashed(repr(exc)) from exc

    def pump(self, frames: int = 3) -> None:
        for _ in range(frames):
            self.idle()

    def touch(self, widget) -> None:
        """A widget whose page a fault took away (a pulled card ended the session) is no
        longer there to touch: that ends the journey as the fault's, not the script's."""
        try:
            super().touch(widget)
        except NotShown:
            reason = self.interruption()
            if reason is not None:
                raise Interrupted(f"{reason} (its page was gone)") from None
            raise

    def settle(self, seconds: float) -> None:
        """Let the kiosk run for a while (device events still on their way)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.idle()
            time.sleep(0.01)

    def interruption(self) -> str | None:
        app = self.app
        if app._busy is not None or self.leaving:
            return None
        if app.manager.current == "message":
            screen = app.manager.get_screen("message")
            return f"message: {screen.title}"
        if self.expect_session and not app.session.active and app.manager.current == "attract":
            return "session ended"
        return None

    def wait_until(self, condition: Callable[[], bool], timeout: float = 10.0, what: str = "") -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            reason = self.interruption()
            if reason is not None:
                raise Interrupted(f"{reason} (waiting for {what})")
            if time.monotonic() > deadline:
                busy = " (busy)" if self.app._busy is not None else ""
                raise Stuck(f"waited {timeout:.0f} s for {what}; on {self.app.manager.current!r}{busy}")
            self.idle()
            time.sleep(0.01)
        self.pump()

    def wait_for_screen(self, name: str, timeout: float = 10.0) -> None:
        self.wait_until(lambda: self.app.manager.current == name and self.app._busy is None,
                        timeout, what=f"screen {name!r}")


__all__ = ["Crashed", "DriverTimeout", "Interrupted", "SoakDriver", "Stuck"]
