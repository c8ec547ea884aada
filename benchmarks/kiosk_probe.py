"""Runs inside its own process (Kivy allows one window per process): drives the real
kiosk offscreen against a back office on loopback, or a bare Kivy app with two screens,
and prints the measured tap-to-screen latencies as JSON.

    python -m benchmarks.kiosk_probe kiosk URL SECRET_FILE ROUNDS
    python -m benchmarks.kiosk_probe bare ROUNDS
"""
from __future__ import annotations

import gc
import json
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.demo_kiosk import start_demo_kiosk

# A check-in and a collection can happen once per demo appointment and result: first round only.
ONCE = {"appointment", "collect_and_rate"}
DEMO_APPLICANT = "469023195801041234"  # the demo's 王建国, who applies on the tour


def kiosk(url: str, secret_file: str, rounds: int) -> dict:
    """Every citizen journey of the demo tour, `rounds` times, on the demo profile (the
    receipt printer is the ESC/POS emulator on loopback): each tap timed to the frame that
    shows its outcome, and each submission timed to its receipt's cut at the printer."""
    app = start_demo_kiosk(url, secret_file, "bench-kiosk-")
    from demo.tour import LEGS, Tour

    ui = _timing_driver(app)
    # Taps are timed on a kiosk waiting for citizens, as in service: once its start-up work
    # (the input method's dictionary, the freeze of startup objects) is over.
    ui.wait_until(lambda: gc.get_freeze_count() > 0, timeout=60, what="kiosk settled")
    tour = Tour(app, None, ui=ui)
    emulator = app.devices.printer_emulator
    try:
        for round_ in range(rounds):
            for name, _brings, journey in LEGS:
                if journey and (round_ == 0 or name not in ONCE):
                    ui.leg = name
                    tour.leg(name, getattr(tour, name))
        if tour.failures:
            raise RuntimeError("\n".join(tour.failures))
        # The tap that submits: Submit, or Confirm on the code page asked for before it.
        submits = [r["at"] for r in ui.records
                   if r["to"] == "apply_result" and r["from"] in ("apply_consent", "presence_code")]
        receipts = [r.finished_at for r in emulator.receipts]
        to_receipt = [min(t for t in receipts if t > at) - at for at in submits]
        print_only = _print_only(app, emulator, rounds)
    finally:
        app.stop()
    return {"taps": ui.records, "submit_to_receipt": to_receipt, "print_only": print_only}


def _print_only(app, emulator, rounds: int) -> list[float]:
    """Baseline for submit-to-receipt: the same 收件凭证 sent straight to the same printer."""
    import datetime as dt
    import uuid

    from kiosk.demo import latest_code
    from services.receipts import application_receipt

    api = app.controller.api
    ref = uuid.uuid4().hex  # the applicant's grant, as the kiosk gets one: the code from the demo's phone
    sent = api.request_code(ref, DEMO_APPLICANT, "", "zh_CN")
    grant = api.redeem_code(ref, sent["challenge"], latest_code(app.kiosk_config.demo_phone_inbox))["grant"]
    newest = max(api.list_cases(DEMO_APPLICANT, grant=grant), key=lambda c: c.number)  # the tour's last submission
    slip = application_receipt(api.receipt(newest.number, grant=grant), dt.datetime.now(dt.timezone.utc), app.tr._)
    times = []
    for _ in range(rounds):
        before = len(emulator.receipts)
        started = time.perf_counter()
        if not app.controller.printer.print_slip(slip).ok:
            raise RuntimeError("baseline receipt not printed")
        times.append(emulator.wait_for_receipts(before + 1)[-1].finished_at - started)
    return times


def _timing_driver(app):
    from kivy.base import EventLoop

    from proof.uidriver import UiDriver

    class TimingDriver(UiDriver):
        """Times each touch from its dispatch to two frames: the first one drawn after it
        (the next screen, or the busy overlay of a network, printer or camera step), and
        the first one drawn once the kiosk has finished answering (the next screen after
        that step, or the same page redrawn)."""

        def __init__(self, app):
            super().__init__(app)
            self.leg = ""
            self.records: list[dict] = []

        def press(self, widget) -> None:
            before = self.app.manager.current
            started = time.perf_counter()
            self.touch(widget)
            EventLoop.idle()
            first = time.perf_counter() - started
            busy = getattr(self.app, "_busy", None) is not None
            while getattr(self.app, "_busy", None) is not None:  # a device or network step: its answer
                if time.perf_counter() - started > 60:
                    raise TimeoutError("the kiosk never answered a tap")
                EventLoop.idle()
            self.records.append({"leg": self.leg, "from": before, "to": self.app.manager.current,
                                 "first": first, "s": time.perf_counter() - started, "busy": busy,
                                 "at": started})
            self.pump()

    return TimingDriver(app)


def bare(rounds: int) -> dict:
    from kiosk.runtime import kivy_env

    var = Path(tempfile.mkdtemp(prefix="bench-bare-"))
    kivy_env.prepare(var, (1080, 1920), headless=True)
    from kivy.app import App
    from kivy.uix.button import Button
    from kivy.uix.screenmanager import NoTransition, Screen, ScreenManager

    from kiosk.runtime import offscreen_frames

    class Bare(App):
        def build(self):
            offscreen_frames.install()  # each frame finished, as the kiosk's are
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
    ui = _timing_driver(app)
    for _ in range(rounds * 5):
        ui.tap(app.manager.current_screen.children[0])
    app.stop()
    return {"bare screen switch": [r["s"] for r in ui.records]}


if __name__ == "__main__":
    mode = sys.argv[1]
    result = kiosk(sys.argv[2], sys.argv[3], int(sys.argv[4])) if mode == "kiosk" else bare(int(sys.argv[2]))
    print("RESULT " + json.dumps(result))
