"""Each frame finished on an offscreen window, as a display's buffer swap would.

Offscreen (SDL's offscreen video driver: the tour, the UI tests, the benchmarks, the soak)
a swap presents nothing and so never makes Mesa finish the frame. Mesa frees a deleted
texture only once the frames that drew it are finished, and the kiosk deletes a label's
texture on every change of its text (kiosk/runtime/label_rendering.py): offscreen, every texture
the kiosk ever drew stayed in memory (the soak saw RSS grow by ~350 MiB per round of the
journeys). Finishing each frame after it is drawn frees them as they go."""
from __future__ import annotations

import os


def install() -> bool:
    """On an offscreen window only; whether it was installed."""
    if os.environ.get("SDL_VIDEODRIVER") != "offscreen":
        return False
    from kivy.core.window import Window
    from kivy.graphics.opengl import glFinish

    Window.bind(on_flip=lambda *_args: glFinish())
    return True
