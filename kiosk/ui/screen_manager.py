"""A ScreenManager that builds its screens when they are first needed.

The kiosk has some forty screens. Built all at once they would hold back the first frame
by a quarter of a second, and each one's labels and layouts would be drawn before anyone
could see them. Here only the first screen is built at start; any other is built the first
time it is asked for (shown, looked up or tested for), and the rest one per frame once the
kiosk is idle (`build_next`), so a citizen's first tap seldom waits for a build."""
from __future__ import annotations

from kivy.graphics import Rectangle, StencilPop, StencilPush, StencilUnUse, StencilUse
from kivy.uix.screenmanager import NoTransition, ScreenManager

# StencilView's kv rule (removing its Rectangle removes the BindTexture it drew with).
_STENCIL = (StencilPush, StencilUse, StencilUnUse, StencilPop, Rectangle)


class KioskScreenManager(ScreenManager):
    def __init__(self, screen_classes: list[type], first: str, **kwargs):
        super().__init__(**kwargs)
        if isinstance(self.transition, NoTransition):
            self._drop_clipping()
        self._unbuilt: dict[str, type] = {cls.screen_name: cls for cls in screen_classes}
        if first not in self._unbuilt:
            raise ValueError(f"no screen named {first!r}")
        self._build(first)  # the first screen added is the one shown

    @property
    def unbuilt(self) -> list[str]:
        return list(self._unbuilt)

    def get_screen(self, name):
        if name in self._unbuilt:
            self._build(name)
        return super().get_screen(name)

    def has_screen(self, name):
        return name in self._unbuilt or super().has_screen(name)

    def build_next(self) -> bool:
        """Builds one screen not built yet; False when none was left."""
        if not self._unbuilt:
            return False
        self._build(next(iter(self._unbuilt)))
        return True

    def build_all(self) -> None:
        while self.build_next():
            pass

    def _drop_clipping(self) -> None:
        """A ScreenManager is a StencilView: it clips its screens to its box, for
        transitions that slide them past its edges. Without a transition only the current
        screen is drawn, inside that box; the stencil's two full-window passes and its test
        on every pixel cost a software renderer 5-10 ms a frame at 1080x1920."""
        for group in (self.canvas.before, self.canvas.after):
            for instruction in list(group.children):
                if isinstance(instruction, _STENCIL):
                    group.remove(instruction)

    def _build(self, name: str) -> None:
        screen = self._unbuilt[name]()  # a screen that fails to build stays unbuilt: asked again, it fails again
        del self._unbuilt[name]
        self.add_widget(screen)
