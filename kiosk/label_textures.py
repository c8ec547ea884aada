"""Labels draw changed text into a new texture instead of over the one on screen.

Kivy re-uses a label's texture when the new text renders to the same size (a fixed
`text_size`, a colour change on `disabled`) and uploads the new pixels into it. A software
renderer (Mesa llvmpipe: CI, and a kiosk running without its GPU driver) must first finish
every queued frame that still reads that texture, and the upload stalled the UI for 100 to
300 ms: a typed digit took that long to appear. A fresh texture has no readers, so nothing
waits; the old one is freed with its last reference. On a GPU the difference is nil."""
from __future__ import annotations

from kivy.uix.label import Label


def install() -> None:
    """Patch Label (and so Button) once, before any label is created: each label binds
    its texture trigger to `texture_update` when it is constructed."""
    if getattr(Label, "_fresh_textures", False):
        return
    reuse = Label.texture_update

    def texture_update(self, *largs):
        self._label.texture = None
        reuse(self, *largs)

    texture_update.__doc__ = reuse.__doc__
    Label.texture_update = texture_update
    Label._fresh_textures = True
