"""The headless demo tour: walks the journey with simulated touches and the simulated
card reader, writing a PNG of every screen it visits."""
from __future__ import annotations

from pathlib import Path

from .uidriver import UiDriver


def run_tour(app, out_dir: Path) -> list[Path]:
    driver = UiDriver(app)
    shots: list[Path] = []

    def shot(name: str) -> None:
        shots.append(driver.screenshot(out_dir / f"{len(shots) + 1:02d}-{name}.png"))

    person = next(iter(app.devices.idcard_sim.people))
    driver.wait_for_screen("attract")
    shot("attract-zh")
    driver.tap(app.top_bar.ids.language_toggle)
    shot("attract-en")
    driver.tap(app.top_bar.ids.language_toggle)

    app.demo_insert_card(person)
    driver.wait_for_screen("home")
    shot("home")

    driver.tap(driver.by_id("home", "my_cases"))
    driver.wait_for_screen("cases")
    shot("my-cases")

    rows = driver.by_id("cases", "rows").children
    driver.tap(rows[-1])  # Kivy lists children last-added first: this is the newest case
    driver.wait_for_screen("case")
    shot("case-timeline")

    driver.tap(driver.by_id("case", "print_slip"))
    driver.wait_until(lambda: app.controller.journey("progress").last_slip_preview is not None, what="slip printed")
    shot("slip-printed")
    preview = app.controller.journey("progress").last_slip_preview

    app.demo_remove_card()
    driver.wait_until(lambda: not app.session.active and app.manager.current == "attract",
                      what="session end")
    shot("card-removed")
    return shots + ([preview] if preview else [])
