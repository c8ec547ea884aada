"""One cold start, in a process of its own, timed to the first frame that shows the
attract screen (the kiosk) or the app's only label (a bare Kivy app), each frame finished
by the renderer before it counts.

    python -m benchmarks.start_probe kiosk URL SECRET_FILE VAR_DIR
    python -m benchmarks.start_probe bare VAR_DIR

Prints `RESULT {...}` with wall-clock stamps (time.time(), comparable with the parent's
stamp taken just before it started this process): the module running, the imports done,
the app started (build and on_start over), the first frame drawn."""
from __future__ import annotations

import json
import sys
import time

RUNNING = time.time()


def _time_first_frame(app, stamps: dict, ready) -> None:
    """From on_start: the first frame after which `ready()` holds, finished, ends the run."""
    from kivy.clock import Clock
    from kivy.core.window import Window
    from kivy.graphics.opengl import glFinish

    def on_flip(*_args) -> None:
        if "drawn" in stamps or not ready():
            return
        glFinish()  # drawn means rendered, not queued
        stamps["drawn"] = time.time()
        Clock.schedule_once(lambda _dt: app.stop())

    def started(*_args) -> None:
        stamps["started"] = time.time()
        Window.bind(on_flip=on_flip)

    app.bind(on_start=started)


def _texts_drawn(screen) -> bool:
    """Every label on the screen that has text has its texture (labels wait for their
    layout's width before they render, so the very first frame can still lack some)."""
    from kivy.uix.label import Label

    return all(w.texture is not None for w in screen.walk() if isinstance(w, Label) and w.text)


def kiosk(url: str, secret_file: str, var_dir: str) -> dict:
    """As `python -m kiosk` starts it, with the demo profile and no display."""
    from pathlib import Path

    from kiosk.config import load_config
    from kiosk.logs import configure_logging
    from kiosk.runtime import kivy_env

    config = load_config(None, {"kiosk.var_dir": var_dir, "backoffice.url": url,
                                "backoffice.terminal_secret_file": secret_file, "kiosk.hardware_profile": "demo"})
    configure_logging(Path(var_dir) / "log")
    kivy_env.prepare(config.var_dir, config.profile.window_size, headless=True)
    from kiosk.app import KioskApp

    stamps = {"running": RUNNING, "imported": time.time()}
    app = KioskApp(config)
    _time_first_frame(app, stamps,
                      lambda: app.manager.current == "attract" and _texts_drawn(app.manager.current_screen))
    app.run()
    return stamps


def bare(var_dir: str) -> dict:
    from pathlib import Path

    from kiosk.runtime import kivy_env

    kivy_env.prepare(Path(var_dir), (1080, 1920), headless=True)
    from kivy.app import App
    from kivy.uix.label import Label

    class Bare(App):
        def build(self):
            return Label(text="Chengmai County self-service kiosk", font_size="40sp")

    stamps = {"running": RUNNING, "imported": time.time()}
    app = Bare()
    _time_first_frame(app, stamps, lambda: app.root is not None and _texts_drawn(app.root))
    app.run()
    return stamps


if __name__ == "__main__":
    result = kiosk(*sys.argv[2:5]) if sys.argv[1] == "kiosk" else bare(sys.argv[2])
    print("RESULT " + json.dumps(result), flush=True)
