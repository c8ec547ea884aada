"""Two rules for when and where Kivy labels draw their text on a software renderer (Mesa
llvmpipe: CI, and a kiosk running without its GPU driver).

A fresh texture for changed text, never an upload into the old one. Why: the upload
waits for every queued frame that still reads the texture, which stalled taps (the tap
figures: BENCHMARKS.md); a fresh texture has no readers. On a GPU it costs nothing.

No text wrapped to a width that cannot hold one character. Why: a label made in code has
Kivy's default width until its layout runs, and wrapping a Chinese paragraph there lays
it out one character per line, only to be thrown away when the real width comes; the
label waits for that width instead, and nothing readable is lost."""
from __future__ import annotations

from kivy.uix.label import Label


def install() -> None:
    """Patch Label (and so Button) once, before any label is created: each label binds
    its texture trigger to `texture_update` when it is constructed."""
    if getattr(Label, "_kiosk_rendering", False):
        return
    original = Label.texture_update

    def texture_update(self, *largs):
        wrap_width = self.text_size[0]
        if wrap_width is not None and self.text and wrap_width < self.font_size:
            return
        self._label.texture = None
        original(self, *largs)

    texture_update.__doc__ = original.__doc__
    Label.texture_update = texture_update
    Label._kiosk_rendering = True
