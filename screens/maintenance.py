"""Maintenance mode's diagnostics: a tile per device of the readiness report (driver,
READY / DEGRADED / NOT READY, why and what to do, a test button; while the scanner test
runs, the camera's live picture and a Stop button), the back office with its latency, the
machine, the outbox (send now, send the held ones again); the service state; and the
staff actions. Everything slow (the
report, the tests, saving the service state) runs in kiosk/journeys/maintenance.py, off
the UI thread; this page only draws the visit it finds in the session."""
from __future__ import annotations

from kivy.factory import Factory
from kivy.graphics.texture import Texture
from kivy.metrics import dp
from kivy.uix.gridlayout import GridLayout
from kivy.uix.image import Image

from domain.i18n import N_
from kiosk.maintenance.storage import iso
from kiosk.ops.readiness import Verdict
from kiosk.ui import theme
from kiosk.ui.screen_names import Screen

from .catalogue_page import Badge
from .maintenance_page import MaintenancePage
from .maintenance_tiles import (
    DEVICE_NAMES,
    TEST_BUTTONS,
    TONES,
    VERDICTS,
    backoffice_lines,
    device_lines,
    outbox_lines,
    system_lines,
)

NOT_READY_FILL = list(theme.BADGE_FILL["alert"])
STOP_BUTTONS = {"scanner": N_("Stop the scanner test"), "face": N_("Stop the face camera's picture")}
PREVIEW_HEIGHT_DP = 240  # the scanner test's camera picture: small, enough to aim a code


class MaintenanceScreen(MaintenancePage):
    screen_name = Screen.MAINTENANCE

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.tiles: dict[str, object] = {}  # device, "backoffice" or "system" -> its card
        self.preview = self.waiting = None  # the scanner test's live view, while it runs

    def refresh(self) -> None:
        self._forget_live_view()
        visit = self.granted_visit()
        self.tiles = {}
        if visit is None:
            return
        flow, report = self.flow, visit.report
        self.ids.heading.text = self._(N_("Maintenance: kiosk readiness"))
        self.ids.back.text = self._(N_("Leave maintenance"))
        summary = self.card()
        if report is None:
            self.ids.hint.text = self._(N_("Checking every device…"))
        else:
            self.ids.hint.text = self._(N_("Terminal {terminal} · checked at {time}")).format(
                terminal=report.terminal_id, time=report.generated_at.replace("T", " ")[:19])
            self._overall(summary, report)
        self._service(summary, flow.service)
        if report is not None:
            self._tiles(report, visit)
        self._actions(flow.service.in_service)

    # --- tiles -----------------------------------------------------------------------
    def _overall(self, card, report) -> None:
        self._title(card, self._(N_("Overall")), report.verdict)
        names = [self._(DEVICE_NAMES.get(c.device, c.label)) for c in report.devices if c.verdict is not Verdict.READY]
        names += [self._(name) for name, check in ((N_("Back office"), report.backoffice),
                                                   (N_("Outbox"), report.outbox),
                                                   (N_("This machine"), report.system))
                  if check is not None and check.verdict is not Verdict.READY]
        if names:
            self.text(self._(N_("Needs attention: {names}")).format(names=", ".join(names)), parent=card, size="small")

    def _service(self, card, service) -> None:
        if service.in_service:
            self._title(card, self._(N_("Service to citizens")), Verdict.READY, label=N_("In service"))
            return
        self._title(card, self._(N_("Service to citizens")), Verdict.NOT_READY, label=N_("Out of service"))
        since = (iso(service.changed_at) or "").replace("T", " ")[:19]
        self.text(self._(N_("Since {time}: {reason}")).format(time=since, reason=self._(service.reason)),
                  parent=card, size="small")
        self.text(service.where_else_for(self.controller.translator.language), parent=card, size="small",
                  color=theme.TEXT_MUTED)

    def _tiles(self, report, visit) -> None:
        """The tiles in order; another one is a method taking (report, visit) added here."""
        for build in (self._device_tiles, self._backoffice_tile, self._outbox_tile, self._system_tile,
                      self._log_tile):
            build(report, visit)

    def _device_tiles(self, report, visit) -> None:
        for check in report.devices:
            card = self._tile(check.device, self._(DEVICE_NAMES.get(check.device, check.label)),
                              check.verdict, device_lines(check, self._), quoted=True)
            notice = visit.tests.get(check.device)
            if notice is not None:  # its details are the device's own words
                self.text(notice.text(self._), parent=card, bold=True,
                          color=theme.PRIMARY if notice.ok else theme.WARNING).quoted = True
            if check.device == self.flow.live_device and self.flow.live is not None:
                self._live_view(card, check.device)
            elif self.flow.can_test(check.device):
                self.button(self._(TEST_BUTTONS[check.device]), lambda name=check.device: self.flow.test_device(name),
                            key=f"test:{check.device}", secondary=True, parent=card)

    def _backoffice_tile(self, report, visit) -> None:
        self._tile("backoffice", self._(N_("Back office")), report.backoffice.verdict,
                   backoffice_lines(report.backoffice, self._), quoted=True)

    def _outbox_tile(self, report, visit) -> None:
        """Applications, ratings and check-ins kept for sending (services/outbox.py), with
        "send now" and, for held ones, "send again"."""
        check = report.outbox
        card = self._tile("outbox", self._(N_("Outbox")), check.verdict if check else Verdict.READY,
                          outbox_lines(check, self._), quoted=True)
        notice = visit.tests.get("outbox")
        if notice is not None:
            self.text(notice.text(self._), parent=card, bold=True, color=theme.PRIMARY if notice.ok else theme.WARNING)
        if check is not None and check.pending:
            self.button(self._(N_("Send now")), self.flow.send_outbox_now, key="outbox:send", secondary=True,
                        parent=card)
        if check is not None and check.parked:
            self.button(self._(N_("Send the held ones again")), self.flow.send_held_again, key="outbox:held",
                        secondary=True, parent=card)

    def _system_tile(self, report, visit) -> None:
        self._tile("system", self._(N_("This machine")), report.system.verdict,
                   system_lines(report.system, report.app_version, report.profile_model, self._))

    def _log_tile(self, report, visit) -> None:
        log = self.card()
        self.text(self._(N_("Recent log")), parent=log, bold=True, color=theme.PRIMARY)
        self.text("\n".join(visit.log_lines) or "—", parent=log, size="small").quoted = True
        self.tiles["log"] = log
        if visit.bundle is not None:
            self.text(visit.bundle.text(self._), parent=log, bold=True, color=theme.PRIMARY)

    # --- a camera test's live view ------------------------------------------------
    def _live_view(self, card, device: str) -> None:
        """What a camera sees while its test runs (the scanner's, to aim a code; the face
        camera's, to see it films the hall), and a way to stop it."""
        self.waiting = self.text(self._(N_("Waiting for the camera's picture…")), parent=card, size="small",
                                 color=theme.TEXT_MUTED)
        self.preview = Image(size_hint_y=None, height=dp(PREVIEW_HEIGHT_DP), fit_mode="contain")
        card.add_widget(self.preview)
        self.button(self._(STOP_BUTTONS[device]), self.flow.stop_live_view, key=f"stop:{device}",
                    secondary=True, parent=card)
        self.flow.frame_shown = self.show_frame
        if self.flow.last_frame is not None:
            self.show_frame(self.flow.last_frame)

    def show_frame(self, pixels) -> None:
        """A frame from the camera (on the UI thread, through the Clock): a fresh texture
        each time, as an in-place upload stalls a software renderer."""
        if self.preview is None:
            return
        height, width = pixels.shape
        texture = Texture.create(size=(width, height), colorfmt="luminance")
        texture.blit_buffer(pixels.tobytes(), colorfmt="luminance", bufferfmt="ubyte")
        texture.flip_vertical()  # image rows run top-down, GL's bottom-up
        self.preview.texture = texture
        if self.waiting is not None:
            self.waiting.text = self._(N_("Camera picture, live"))
            self.waiting = None

    def _tile(self, key: str, name: str, verdict: Verdict, lines: list[str], quoted: bool = False):
        """`quoted`: the lines carry a device's or the report's own technical words (reasons,
        actions, details), shown untranslated as `kiosk-diag report` prints them."""
        card = self.card()
        self._title(card, name, verdict)
        for line in lines:
            self.text(line, parent=card, size="small").quoted = quoted
        self.tiles[key] = card
        return card

    def _title(self, card, name: str, verdict: Verdict, label: str | None = None) -> None:
        self.text(name, parent=card, bold=True, color=theme.PRIMARY)
        row = Factory.BadgeRow()
        badge = Badge(text=self._(label or VERDICTS[verdict]), tone=TONES[verdict])
        if verdict is Verdict.NOT_READY:
            badge.fill = NOT_READY_FILL
        row.add_widget(badge)
        card.add_widget(row)

    # --- actions ---------------------------------------------------------------------
    def _actions(self, in_service: bool) -> None:
        flow = self.flow
        grid = GridLayout(cols=2, spacing=dp(16), size_hint_y=None)
        grid.bind(minimum_height=grid.setter("height"))
        self.ids.actions.add_widget(grid)
        self.button(self._(N_("Check again")), flow.refresh_report, key="refresh", parent=grid)
        self.button(self._(N_("Export diagnostics bundle")), flow.export_bundle, key="bundle", secondary=True,
                    parent=grid)
        if in_service:
            self.button(self._(N_("Take out of service")), flow.open_service_form, key="service", parent=grid)
        else:
            self.button(self._(N_("Put back in service")), flow.return_to_service, key="service", parent=grid)
        self.button(self._(N_("Restart the app")), lambda: flow.ask_to_stop("restart"), key="restart",
                    secondary=True, parent=grid)
        self.button(self._(N_("Stop the app")), lambda: flow.ask_to_stop("exit"), key="exit",
                    secondary=True, parent=grid)

    def go_back(self) -> None:
        self.flow.leave()

    def reset(self) -> None:
        self._forget_live_view()
        super().reset()

    def on_leave(self, *_args):
        self._forget_live_view()
        self.flow.stop_live_view()  # a camera runs only while staff watch it

    def _forget_live_view(self) -> None:
        if self.flow.frame_shown == self.show_frame:
            self.flow.frame_shown = None
        self.preview = self.waiting = None
