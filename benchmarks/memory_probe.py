"""Runs in its own process (one Kivy window per process): the real kiosk offscreen, demo
profile, against a back office on loopback, through many short sessions, printing the
kiosk's RSS every so many sessions as JSON.

    python -m benchmarks.memory_probe URL SECRET_FILE SESSIONS EVERY

A session alternates between two short visits: a demo person's card on the reader, My
cases (one back-office request), the card taken out; or 办事指南 touched, the windows
shown, 结束办理. Each ends on the attract screen with the session wiped, as in service."""
from __future__ import annotations

import gc
import json
import sys
import time

from benchmarks.demo_kiosk import start_demo_kiosk

PEOPLE = ("wang", "li", "chen")


def main(url: str, secret_file: str, sessions: int, every: int) -> dict:
    app = start_demo_kiosk(url, secret_file, "bench-memory-")
    from proof.soak.resources import rss_kib
    from proof.uidriver import UiDriver

    ui = UiDriver(app)
    ui.wait_until(lambda: gc.get_freeze_count() > 0, timeout=120, what="kiosk settled")
    sim = app.devices.idcard_sim
    samples = [{"sessions": 0, "rss_kib": rss_kib(), "s": 0.0}]
    started = time.monotonic()
    try:
        for n in range(1, sessions + 1):
            if n % 2:
                sim.insert(sim.people[PEOPLE[n % len(PEOPLE)]])
                ui.wait_for_screen("home", 30)
                ui.tap(ui.by_id("home", "my_cases"))
                ui.wait_for_screen("cases", 30)
                sim.remove()
            else:
                ui.tap(ui.by_text(app.tr._("Service guides")))
                ui.wait_for_screen("catalogue", 30)
                ui.tap(app.top_bar.ids.finish_button)
            ui.wait_until(lambda: app.manager.current == "attract" and not app.session.active and app._busy is None,
                          timeout=30, what="the attract screen")
            if n % every == 0:
                ui.pump(3)  # the collection between citizens runs after the attract screen is drawn
                samples.append({"sessions": n, "rss_kib": rss_kib(), "s": round(time.monotonic() - started, 1)})
    finally:
        app.stop()
    return {"samples": samples}


if __name__ == "__main__":
    result = main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    print("RESULT " + json.dumps(result))
