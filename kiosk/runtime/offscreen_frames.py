"""Each frame finished on an offscreen window, as a display's buffer swap would.

Why: offscreen (the tour, the UI tests, the benchmarks, the soak) nothing presents a
frame, and Mesa frees a deleted label texture only once the frames that drew it are
finished, so without this every texture the kiosk ever drew stays in memory (the soak's
figures: BENCHMARKS.md)."""
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
