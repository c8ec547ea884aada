"""Runs inside its own process (Kivy allows one window per process): drives the real
kiosk offscreen against a back office on loopback, or a bare Kivy app with two screens,
and prints the measured tap-to-screen latencies as JSON.

    python -m benchmarks.kiosk_probe kiosk URL SECRET_FILE ROUNDS
    python -m benchmarks.kiosk_probe bare ROUNDS
"""
from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path


def _measure(tap, arrived) -> float:
    """From the touch to the first frame drawn with the next screen showing."""
    from kivy.base import EventLoop

    started = time.perf_counter()
    tap()
    deadline = started + 30
    while not arrived():
        EventLoop.idle()
        if time.perf_counter() > deadline:
            raise TimeoutError("screen never came")
    EventLoop.idle()  # the frame that shows it
    return time.perf_counter() - started


def kiosk(url: str, secret_file: str, rounds: int) -> dict:
    from kiosk import kivy_env
    from kiosk.config import load_config

    var = Path(tempfile.mkdtemp(prefix="bench-kiosk-"))
    config = load_config(environ={}, overrides={"kiosk.var_dir": str(var), "backoffice.url": url,
                                                "backoffice.terminal_secret_file": secret_file})
    kivy_env.prepare(var, config.profile.window_size, headless=True)
    from kiosk.app import KioskApp
    from kiosk.uidriver import UiDriver

    app = KioskApp(config)
    app._run_prepare()
    ui = UiDriver(app)
    ready = lambda name: (lambda: app.manager.current == name and app._busy is None)  # noqa: E731
    taps: dict[str, list[float]] = {}
    try:
        for _ in range(rounds):
            app.demo_insert_card("wang")
            ui.wait_for_screen("home")
            steps = [
                ("home -> my cases (network)", lambda: ui.tap(ui.by_id("home", "my_cases")), ready("cases")),
                ("my cases -> case (network)",
                 lambda: ui.tap(next(r for r in ui.by_id("cases", "rows").children if r.number == "469023-0001")),
                 ready("case")),
                ("case -> my cases (back)", lambda: ui.tap(ui.by_id("case", "back")), ready("cases")),
                ("my cases -> home (back)", lambda: ui.tap(ui.by_id("cases", "back")), ready("home")),
                ("home -> attract (finish)", lambda: ui.tap(app.top_bar.ids.finish_button), ready("attract")),
            ]
            for name, tap, arrived in steps:
                taps.setdefault(name, []).append(_measure(tap, arrived))
            app.demo_remove_card()
            ui.wait_until(lambda: not app.devices.idcard_sim.card_present)
    finally:
        app.stop()
    return taps


def bare(rounds: int) -> dict:
    from kiosk import kivy_env

    var = Path(tempfile.mkdtemp(prefix="bench-bare-"))
    kivy_env.prepare(var, (1080, 1920), headless=True)
    from kivy.app import App
    from kivy.uix.button import Button
    from kivy.uix.screenmanager import NoTransition, Screen, ScreenManager

    from kiosk.uidriver import UiDriver

    class Bare(App):
        def build(self):
            self.manager = ScreenManager(transition=NoTransition())
            for name, other in (("a", "b"), ("b", "a")):
                screen = Screen(name=name)
                button = Button(text=f"go to {other}")
                button.bind(on_release=lambda _b, o=other: setattr(self.manager, "current", o))
                screen.add_widget(button)
                self.manager.add_widget(screen)
            return self.manager

    app = Bare()
    app._run_prepare()
    ui = UiDriver(app)
    times = []
    for i in range(rounds * 5):
        target = "b" if app.manager.current == "a" else "a"
        button = app.manager.current_screen.children[0]
        times.append(_measure(lambda: ui.tap(button), lambda: app.manager.current == target))
    app.stop()
    return {"bare screen switch": times}


if __name__ == "__main__":
    mode = sys.argv[1]
    result = kiosk(sys.argv[2], sys.argv[3], int(sys.argv[4])) if mode == "kiosk" else bare(int(sys.argv[2]))
    print("RESULT " + json.dumps(result))
