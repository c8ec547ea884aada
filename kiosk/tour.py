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
    printed = _printed_receipt(app, out_dir / f"{len(shots):02d}-printed-receipt.png")

    app.demo_remove_card()
    driver.wait_until(lambda: not app.session.active and app.manager.current == "attract",
                      what="session end")
    shot("card-removed")
    return shots + [p for p in (preview, printed) if p]


def _printed_receipt(app, path: Path) -> Path | None:
    """With the demo profile's printer emulator: the receipt as the printer drew it from
    the ESC/POS bytes it received (not our own preview of what we meant to print)."""
    emulator = app.devices.printer_emulator
    if emulator is None:
        return None
    receipt = emulator.wait_for_receipt(timeout=10)
    receipt.image(emulator.width).save(path)
    return path
