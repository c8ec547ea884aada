"""Two rules for when and where Kivy labels draw their text, both found by measuring taps
on a software renderer (Mesa llvmpipe: CI, and a kiosk running without its GPU driver).

A fresh texture for changed text. Kivy re-uses a label's texture when the new text
renders to the same size (a fixed `text_size`, a colour change on `disabled`) and uploads
the new pixels into it. The renderer must first finish every queued frame that still
reads that texture, and the upload stalled the UI for 100 to 300 ms: a typed digit took
that long to appear. A fresh texture has no readers, so nothing waits; the old one is
freed with its last reference. On a GPU the difference is nil.

No text wrapped to a width that cannot hold one character. A label made in code has
Kivy's default width (100 px, less its card's padding: 44 or 0) until its layout runs,
and its texture update can run first. Wrapping a Chinese paragraph at that width lays it
out one character per line, measuring each: 36 to 40 ms per paragraph, thrown away a
moment later when the label gets its real width. Such a label now waits for that width
(the change of `text_size` brings it back); nothing readable is lost, since no character
fits in it."""
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
