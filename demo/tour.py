"""The headless demo tour: every journey walked with simulated touches, the simulated
card reader and scanner, and the demo printer emulator, writing a PNG of every screen it
visits (and every receipt as the emulated printer drew it).

Each leg starts and ends on the attract screen. A leg that fails is reported and the
tour goes on; the tour then fails as a whole, so `make run` never hides a broken journey.
"""
from __future__ import annotations

import json
import logging
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from demo.runner import DEMO_MAINTENANCE_PIN
from proof.citizen import Citizen
from proof.uidriver import UiDriver

log = logging.getLogger(__name__)


# The legs in order: (method, what the citizen brings besides touches, a citizen journey?).
LEGS = (
    ("attract", "", False),
    ("elder_mode", "", False),
    ("guide", "", True),
    ("apply", "ID card", True),
    ("progress_by_card", "ID card, face", True),
    ("progress_by_code", "receipt QR code", True),
    ("appointment", "appointment QR code", True),
    ("collect_and_rate", "ID card, phone", True),
    ("paper_out", "ID card, phone", False),
    ("network_cut", "ID card", False),
    ("idle_warning", "ID card", False),
    ("maintenance", "", False),
    ("sound_panel", "", False),
)
APPLY_ITEM = ("W6", "469023-GF-MZ-0015")  # 最低生活保障对象认定: camera, e-licence and 容缺 materials
GUIDE_SEARCH = ("SPJY", "469023-XK-SCJG-0031")  # 食品经营许可证核发, found by its pinyin initials


class TourFailed(RuntimeError):
    pass


@dataclass
class LegCount:
    """What one journey asked of the citizen: touches, and the screens it passed through
    (the attract screen it starts and ends on not counted; finishing is one more tap)."""
    leg: str
    brings: str
    taps: int = 0
    screens: list[str] = field(default_factory=list)


class Tour:
    """Walks the legs; with no `out_dir` it takes no pictures (the benchmark walks it so)."""

    def __init__(self, app, out_dir: Path | None, ui: UiDriver | None = None, checker=None):
        self.app = app
        self.checker = checker  # proof.accessibility.AccessibilityChecker: every screen, 4 ways
        self.ui = ui or UiDriver(app)
        self.out_dir = out_dir
        self.shots: list[Path] = []
        self.screens = 0  # numbering of screen shots; a printed receipt takes its screen's number
        self.failures: list[str] = []
        self.counts: list[LegCount] = []
        self.counting: LegCount | None = None
        self.citizen = Citizen(app, self.ui, seen=self.shot)

    # --- helpers ---------------------------------------------------------------------------
    def shot(self, name: str) -> Path | None:
        if self.checker is not None:
            self.check_every_way(name)
        if self.out_dir is None:
            return None
        self.screens += 1
        path = self.ui.screenshot(self.out_dir / f"{self.screens:02d}-{name}.png")
        self.shots.append(path)
        return path

    def check_every_way(self, name: str) -> None:
        """The screen in Chinese and English, standard and elder mode, then as it was."""
        app = self.app
        language, elder = app.translator.language, app.controller.elder_mode
        for want_language, want_elder in (("zh_CN", False), ("en", False), ("en", True), ("zh_CN", True)):
            if app.translator.language != want_language:
                app.translator.switch(want_language)
            if app.controller.elder_mode != want_elder:
                app.controller.set_elder_mode(want_elder)
            self.ui.pump(4)
            self.checker.check(name)
        app.translator.switch(language)
        app.controller.set_elder_mode(elder)
        self.ui.pump(4)

    def printed(self, name: str) -> None:
        """The receipt the emulated printer has just finished, as it drew it."""
        emulator = self.app.devices.printer_emulator
        if emulator is None or self.out_dir is None:
            return
        receipt = emulator.wait_for_receipt(timeout=15)
        path = self.out_dir / f"{self.screens:02d}-{name}.png"
        receipt.image(emulator.width).save(path)
        self.shots.append(path)

    def screen(self, name: str) -> None:
        self.ui.wait_for_screen(name, timeout=30)

    def tap_id(self, screen: str, widget_id: str) -> None:
        self.ui.tap(self.ui.by_id(screen, widget_id))

    def tap_text(self, text: str) -> None:
        self.ui.tap(self.ui.by_text(text))

    def row(self, screen: str, number: str) -> None:
        self.ui.tap(next(r for r in self.ui.by_id(screen, "rows").children if r.number == number))

    def finish(self) -> None:
        """Out of the journey as a citizen leaves: 结束办理 where it shows, then the card out."""
        app = self.app
        in_the_way = app._idle_warning.parent is not None or app._busy is not None  # a dialog covers it
        if app.session.active and app.session_active and not in_the_way:
            self.ui.tap(app.top_bar.ids.finish_button)
            self.ui.wait_until(lambda: not app.session.active, what="session finished")
        if app.devices.idcard_sim and app.devices.idcard_sim.card_present:
            app.demo_remove_card()
        if app.session.active:
            app.controller.finish("tour")
        if app.translator.language != "zh_CN":
            app.translator.switch("zh_CN")
        self.screen("attract")

    def leg(self, name: str, walk: Callable[[], None], count: LegCount | None = None) -> None:
        def visited(_manager, screen: str) -> None:
            if count is not None and screen != "attract":
                count.screens.append(screen)

        self.counting = count
        try:
            self.screen("attract")
            self.app.manager.bind(current=visited)
            taps_before = self.ui.taps
            walk()
            if count is not None:
                count.taps = self.ui.taps - taps_before
                self.counts.append(count)
        except Exception:
            log.exception("tour leg failed", extra={"leg": name})
            self.failures.append(f"{name}: {traceback.format_exc(limit=3)}")
            self.shot(f"{name}-FAILED")
        finally:
            self.app.manager.unbind(current=visited)
            try:
                self.finish()
            except Exception:
                self.failures.append(f"{name}: could not return to the attract screen")

    # --- the legs --------------------------------------------------------------------------
    def attract(self) -> None:
        self.shot("attract-zh")
        self.tap_id_top("language_toggle")
        self.shot("attract-en")
        self.tap_id_top("language_toggle")

    def elder_mode(self) -> None:
        """长辈模式 from the top bar, then a page built in code and the letter keyboard."""
        self.tap_id_top("elder_toggle")
        self.shot("elder-attract")
        self.tap_text(self.app.tr._("Service guides"))
        self.screen("catalogue")
        self.shot("elder-catalogue-windows")
        self.ui.tap_button("catalogue", "search")
        self.screen("catalogue_search")
        self.shot("elder-catalogue-search")

    def tap_id_top(self, widget_id: str) -> None:
        self.ui.tap(self.app.top_bar.ids[widget_id])

    def guide(self) -> None:
        app, (letters, code) = self.app, GUIDE_SEARCH
        self.tap_text(app.tr._("Service guides"))
        self.screen("catalogue")
        self.shot("catalogue-windows")
        self.ui.tap_button("catalogue", "search")
        self.screen("catalogue_search")
        keys = app.manager.get_screen("catalogue_search").keypad.keys
        for letter in letters:
            self.ui.tap(keys[letter])
        self.shot("catalogue-search")
        self.ui.tap_button("catalogue_search", "search")
        self.screen("catalogue_items")
        self.shot("catalogue-results")
        self.ui.tap_button("catalogue_items", code)
        self.screen("guide")
        self.shot("guide")
        self.ui.tap_button("guide", "print_slip")
        self.ui.wait_until(lambda: app.controller.journey("catalogue").last_slip is not None and app._busy is None,
                           timeout=30, what="guide printed")
        self.printed("printed-guide")

    def apply(self) -> None:
        citizen = self.citizen
        pages = citizen.reach_consent(*APPLY_ITEM, shots=True)
        if self.counting is not None:  # the form's pages share one screen: each is a page to the citizen
            self.counting.screens += ["apply_field"] * (pages - 1)
        citizen.submit()
        citizen.wait_for_receipt_printed()
        self.shot("apply-result")
        self.printed("printed-application-receipt")

    def progress_by_card(self) -> None:
        app = self.app
        app.demo_insert_card("wang")
        self.screen("home")
        self.shot("home")
        self.tap_id("home", "my_cases")
        self.screen("face_consent")  # the card alone opens nothing: a face, or the code texted to the phone
        self.shot("face-consent")
        app.demo_film("nobody")  # he steps up to the camera once the picture shows
        self.ui.tap_button("face_consent", "agree")
        self.screen("face_camera")
        camera = app.manager.get_screen("face_camera")
        self.ui.wait_until(lambda: camera.view is not None and camera.view.texture is not None, what="the picture")
        self.shot("face-camera")
        app.demo_film("holder")
        self.ui.wait_for_screen("cases", timeout=60)  # he turns his head as asked; the back office decides
        self.shot("my-cases")
        self.row("cases", "469023-0003")
        self.screen("case")
        self.shot("case-timeline")
        self.tap_id("case", "print_slip")
        self.ui.wait_until(lambda: app.controller.journey("progress").last_slip is not None, timeout=30,
                           what="slip printed")
        self.shot("slip-printed")
        self.printed("printed-progress-slip")
        app.demo_remove_card()
        self.ui.wait_until(lambda: not app.session.active and app.manager.current == "attract",
                           what="session end")
        self.shot("card-removed")

    def progress_by_code(self) -> None:
        app = self.app
        self.ui.wait_until(lambda: "receipt" in app.demo.codes and app.controller.verifier is not None,
                           timeout=30, what="demo codes")
        app.demo_scan("receipt")
        self.screen("case")
        self.shot("progress-by-receipt-code")

    def appointment(self) -> None:
        app = self.app
        self.tap_text(app.tr._("Appointment check-in"))
        self.screen("appointment_start")
        self.shot("appointment-start")
        self.ui.wait_until(lambda: "appointment" in app.demo.codes, timeout=30, what="demo appointment")
        app.demo_scan("appointment")
        self.screen("appointment_ticket")
        self.ui.wait_until(lambda: app.controller.journey("appointment").ticket_printed is not None
                           and app._busy is None, timeout=30, what="ticket printed")
        self.shot("appointment-ticket")
        self.printed("printed-queue-ticket")

    def collect_and_rate(self) -> None:
        app = self.app
        self.tap_text(app.tr._("Collect results"))
        self.screen("collect_start")
        self.shot("collect-start")
        app.demo_insert_card("wang")
        self.ui.choose_code()  # he would rather have the code texted to his phone
        self.screen("presence_code")
        self.shot("presence-code")
        self.ui.type_code()
        self.screen("collect_list")
        self.shot("collect-list")
        self.row("collect_list", "469023-0002")
        self.screen("collect_confirm")
        self.shot("collect-confirm")
        self.tap_id("collect_confirm", "print_document")
        self.screen("collect_done")
        self.shot("collect-done")
        self.tap_id("collect_done", "rate")
        self.screen("rating_levels")
        self.shot("rating-levels")
        self.ui.tap(next(b for b in self.ui.by_id("rating_levels", "faces").children if b.level == 5))
        self.screen("rating_comment")
        self.shot("rating-comment")
        self.tap_id("rating_comment", "send")
        self.screen("rating_done")
        self.shot("rating-done")

    def paper_out(self) -> None:
        app = self.app
        app.demo_insert_card("li")
        self.screen("home")
        self.tap_id("home", "my_cases")
        self.ui.type_code()
        self.screen("cases")
        self.row("cases", "469023-0004")
        self.screen("case")
        app.demo_toggle_paper()
        try:
            self.tap_id("case", "print_slip")
            self.screen("message")
            self.shot("printer-out-of-paper")
        finally:
            app.demo_toggle_paper()

    def network_cut(self) -> None:
        app = self.app
        app.demo_insert_card("chen")
        self.screen("home")
        app.demo_toggle_network()
        try:
            self.tap_id("home", "my_cases")
            self.ui.agree_to_face_then("message")
            self.shot("network-down")
        finally:
            app.demo_toggle_network()

    def idle_warning(self) -> None:
        app = self.app
        app.demo_insert_card("chen")
        self.screen("home")
        app.session.last_activity -= app.controller.idle_timeout_s + 1
        self.ui.wait_until(lambda: app._idle_warning.parent is not None, what="idle warning")
        self.shot("idle-warning")

    def maintenance(self) -> None:
        """Staff: the hidden corner, the demo's PIN, diagnostics, out of service (the
        citizens' notice) and back in service, leaving each time through Leave."""
        app, journey = self.app, self.app.controller.journey("maintenance")
        try:
            self.enter_maintenance(shots=True)
            self.ui.tap_button("maintenance", "service")
            self.screen("maintenance_service")
            self.ui.tap_button("maintenance_service", "Scheduled maintenance")
            self.shot("maintenance-out-of-service-form")
            self.ui.tap_button("maintenance_service", "confirm")
            self.ui.wait_until(lambda: not journey.service.in_service and app.manager.current == "maintenance"
                               and app._busy is None, timeout=30, what="out of service")
            self.tap_id("maintenance", "back")
            self.screen("out_of_service")
            self.shot("out-of-service")
            self.enter_maintenance(shots=False)
            self.ui.tap_button("maintenance", "service")  # Put back in service
            self.ui.wait_until(lambda: journey.service.in_service and app._busy is None, timeout=30,
                               what="back in service")
            self.tap_id("maintenance", "back")
            self.screen("attract")
        finally:
            if not journey.service.in_service:  # a failed leg must not leave the demo out of service
                journey.service = journey.store.return_to_service(by="tour")

    def enter_maintenance(self, shots: bool) -> None:
        from screens.maintenance_corner import TAPS, MaintenanceCorner

        app = self.app
        corner = next(w for w in app.root.children if isinstance(w, MaintenanceCorner))
        for _ in range(TAPS):
            self.ui.tap(corner)
        self.screen("maintenance_pin")
        if shots:
            self.shot("maintenance-pin")
        keys = app.manager.get_screen("maintenance_pin").keypad.keys
        for digit in DEMO_MAINTENANCE_PIN:
            self.ui.tap(keys[digit])
        self.ui.tap_button("maintenance_pin", "enter")
        self.screen("maintenance")
        self.ui.wait_until(lambda: app.controller.journey("maintenance").visit.report is not None and app._busy is None,
                           timeout=30, what="readiness report")
        if shots:
            self.shot("maintenance-diagnostics")

    def sound_panel(self) -> None:
        """The top bar's Sound button: Repeat and the volume."""
        app = self.app
        self.tap_id_top("sound_button")
        self.ui.wait_until(lambda: app._sound_panel is not None and app._sound_panel.parent is not None,
                           what="sound panel")
        self.ui.pump(4)
        self.shot("sound-panel")
        panel = app._sound_panel.ids
        for button in (panel.repeat, panel.louder, panel.quieter):
            self.ui.tap(button)
        self.ui.tap(panel.close)
        self.ui.wait_until(lambda: app._sound_panel.parent is None, what="sound panel closed")

    def run(self) -> list[Path]:
        for name, brings, journey in LEGS:
            self.leg(name, getattr(self, name), LegCount(name, brings) if journey else None)
        self.write_counts()
        if self.checker is not None and self.out_dir is not None:
            self.checker.report.write(self.out_dir)
        if self.failures:
            raise TourFailed("\n".join(self.failures))
        return self.shots

    def write_counts(self) -> None:
        """journeys.json and journeys.md beside the screenshots: what each journey walked
        asked of the citizen (the README's journey table comes from here)."""
        if self.out_dir is None:
            return
        (self.out_dir / "journeys.json").write_text(
            json.dumps([asdict(c) for c in self.counts], ensure_ascii=False, indent=1), encoding="utf-8")
        rows = ["| journey | taps | screens | besides touches |", "|---|---|---|---|"]
        for count in self.counts:
            rows.append(f"| {count.leg} | {count.taps} | {len(count.screens)} | {count.brings or '-'} |")
        (self.out_dir / "journeys.md").write_text("\n".join(rows) + "\n", encoding="utf-8")


def run_tour(app, out_dir: Path) -> list[Path]:
    """Every journey, with every screen it reaches checked for accessibility in both
    languages and both modes (out_dir/accessibility.md)."""
    from proof.accessibility import AccessibilityChecker

    display = app.kiosk_config.profile.sections.get("display", {})
    checker = AccessibilityChecker(app, diagonal_in=float(display.get("diagonal_in", 21.5)))
    return Tour(app, out_dir, checker=checker).run()
