"""The Kivy App: builds the screens, wires devices to the controller, and implements the
controller's `KioskUI` (navigation, busy overlay, messages, toasts).

Device events arrive on device threads and are handed to the main thread with
`Clock.schedule_once`; widgets are only ever touched on the main thread.
"""
from __future__ import annotations

import logging
import threading

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.factory import Factory
from kivy.graphics import Color, RoundedRectangle
from kivy.lang import Builder
from kivy.properties import BooleanProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.label import Label
from kivy.uix.modalview import ModalView
from kivy.uix.screenmanager import NoTransition

from devices.fonts import find_cjk_font
from kiosk import appliance
from kiosk.config import KioskConfig
from kiosk.controller import KioskController
from kiosk.demo import DemoLicenceLibrary, DemoSimulator
from kiosk.hardware import Devices, build_devices
from kiosk.i18n import Translator
from kiosk.ime.pinyin import DictionaryMissing, default_engine
from kiosk.offline import Reachability, build_catalogue, build_outbox
from kiosk.ops.fleet import start_fleet
from kiosk.runtime import gc_policy, label_rendering, offscreen_frames
from kiosk.session import Session
from kiosk.ui import theme
from kiosk.ui.kivy_gettext import KivyTranslations
from kiosk.ui.screen_manager import KioskScreenManager
from kiosk.ui.screen_names import Screen
from kiosk.ui.style import Style
from screens import discover_screens, kv_files
from services.api import BackofficeClient
from services.qrtokens import load_verifier

log = logging.getLogger(__name__)

DEMO_KEYS = {282: 0, 283: 1, 284: 2}  # F1..F3 insert demo people's cards, F4 removes
KEY_F4 = 285


class KioskApp(App):
    session_active = BooleanProperty(False)  # a citizen's session: the top bar offers Finish
    backoffice_online = BooleanProperty(True)  # False: the top bar's title says "Offline"

    def __init__(self, config: KioskConfig, **kwargs):
        super().__init__(**kwargs)
        self.kiosk_config = config
        self.title = "Chengmai County self-service kiosk"
        self.font_path = find_cjk_font(config.font_path)
        self.translator = Translator(config.language)
        self.tr = KivyTranslations(self.translator)
        self.style = Style()  # kv rules read app.style: it must exist before they load
        self.session = Session(files_root=config.var_dir / "session")
        self.session.files.purge_leftovers()  # a crash or power cut may have left some behind
        self.devices: Devices = build_devices(config)
        self.key_holder = config.key_holder()  # None: this process holds the keys (the demo)
        self.controller = KioskController(
            session=self.session,
            api=BackofficeClient(config.backoffice_url, timeout=config.backoffice_timeout_s,
                                 terminal_id=config.terminal_id, secret=config.terminal_credentials(self.key_holder),
                                 transport=config.backoffice_transport),
            printer=self.devices.receipt_printer,
            translator=self.translator,
            terminal_id=config.terminal_id,
            idle_timeout_s=config.idle_timeout_s,
            font_path=self.font_path,
            call_on_main=lambda fn: Clock.schedule_once(lambda _dt: fn()),
            idle_warning_s=config.idle_warning_s,
            devices=self.devices,
            presence_policy=config.presence_policy,
        )
        self.reachability = Reachability(lambda online: Clock.schedule_once(
            lambda _dt: setattr(self, "backoffice_online", online)))
        self.controller.api.on_reachable = self.reachability.report
        self.controller.outbox, self.controller.outbox_sender = build_outbox(config, self.controller.api,
                                                                             self.key_holder)
        self.controller.catalogue, self.catalogue_refresher = build_catalogue(config, self.controller.api)
        self.demo = DemoSimulator(self.devices, self.controller, config.demo_phone_inbox) if config.demo else None
        if config.demo:
            self.controller.licence_library = DemoLicenceLibrary()
        self.exit_code = 0  # what `kiosk` exits with; maintenance mode's restart sets another
        self.controller.journey("maintenance").configure(config, stop_app=self.stop_with)
        self._busy: ModalView | None = None
        self._idle_warning: ModalView | None = None
        self._toast: Label | None = None
        self._sound_panel: ModalView | None = None
        self._stopping = False

    def get_application_config(self, defaultpath="%(appdir)s/%(appname)s.ini"):
        return str(self.kiosk_config.var_dir / "kivy" / "kiosk.ini")

    # --- building ------------------------------------------------------------------------
    def build(self):
        label_rendering.install()
        offscreen_frames.install()  # else offscreen every texture ever drawn stays in memory
        theme.register_fonts(str(self.font_path))
        # The pages' background is the window's clear: an opaque full-window rectangle
        # on top of it cost a software renderer 10-17 ms a frame at 1080x1920.
        Window.clearcolor = theme.BACKGROUND
        for path in kv_files():
            Builder.load_file(str(path))
        # Only the attract screen before the first frame; the others as needed or when idle.
        self.manager = KioskScreenManager(discover_screens(), first="attract", transition=NoTransition())
        column = BoxLayout(orientation="vertical")
        self.top_bar = Factory.TopBar()
        column.add_widget(self.top_bar)
        column.add_widget(self.manager)
        self.demo_panel = self._build_demo_panel() if self.kiosk_config.demo else None
        if self.demo_panel is not None:
            column.add_widget(self.demo_panel)
        root = FloatLayout()
        root.add_widget(column)
        root.add_widget(Factory.MaintenanceCorner())  # the hidden way into maintenance mode
        self._toast = Label(
            text="", opacity=0, size_hint=(0.8, None), height=140, font_size="36sp",
            pos_hint={"center_x": 0.5, "y": 0.12}, color=theme.ON_PRIMARY,
        )
        with self._toast.canvas.before:
            Color(*theme.PRIMARY_DARK)
            self._toast_bg = RoundedRectangle(radius=[20])
        self._toast.bind(pos=self._place_toast_bg, size=self._place_toast_bg)
        root.add_widget(self._toast)
        self.translator.on_switch(lambda _lang: self._refresh_current())
        self.translator.on_switch(lambda _lang: self._hide_toast())  # it was said in the other language
        self.controller.attach(self)
        Window.bind(on_touch_down=self._on_any_touch, on_key_down=self._on_key)
        Clock.schedule_interval(lambda _dt: self._check_idle(), 1.0)
        self._idle_warning = Factory.IdleWarning()
        self.appliance = appliance.install(self)  # lockdown, systemd watchdog, nightly restart
        return root

    def _build_demo_panel(self):
        panel = Factory.DemoPanel()
        sim = self.devices.idcard_sim
        for key, identity in (sim.people.items() if sim else ()):
            button = Button(font_size="26sp")
            button.demo_person, button.demo_name = key, identity.masked_name
            button.bind(on_release=lambda b: self.demo_insert_card(b.demo_person))
            panel.ids.people.add_widget(button)
        self._label_demo_cards(panel)
        self.translator.on_switch(lambda _lang: self._label_demo_cards(panel))
        Clock.schedule_interval(lambda _dt: self._show_demo_phone(panel), 0.5)
        self.translator.on_switch(lambda _lang: self._show_demo_phone(panel))
        return panel

    def _show_demo_phone(self, panel) -> None:
        """The demo people's phone: the newest text the back office sent (a code to type)."""
        text = self.demo.latest_text()
        if text is None:
            label = self.tr._("Phone: no texts yet")
        elif text.get("template") == "presence_code":  # in the kiosk's language, whatever the text's
            label = self.tr._("Phone: code {code} received").format(code=text["params"]["code"])
        else:
            label = self.tr._("Phone: {text}").format(text=text["text"])
        if panel.ids.phone.text != label:
            panel.ids.phone.text = label

    def _label_demo_cards(self, panel) -> None:
        for button in panel.ids.people.children:
            button.text = self.tr._("Insert card: {name}").format(name=button.demo_name)

    def demo_scan(self, which: str) -> None:
        if not self.demo.scan(which):
            self.show_toast(self.tr._("Demo code not ready yet"))

    def demo_film(self, who: str) -> None:
        if not self.demo.film(who):
            self.show_toast(self.tr._("No simulated face camera"))

    def demo_toggle_paper(self) -> None:
        out = self.demo.toggle_paper()
        self.demo_panel.ids.paper.text = self.tr._("Load paper") if out else self.tr._("Paper out")

    def demo_toggle_network(self) -> None:
        cut = self.demo.toggle_network()
        self.demo_panel.ids.network.text = self.tr._("Restore network") if cut else self.tr._("Cut network")

    def on_start(self):
        self.devices.idcard.subscribe(
            lambda event: Clock.schedule_once(lambda _dt: self.controller.on_card_event(event))
        )
        if self.devices.scanner is not None:
            self.devices.scanner.subscribe(
                lambda event: Clock.schedule_once(lambda _dt: self.controller.on_code_scanned(event.code.text))
            )
        self.manager.current_screen.refresh()
        if not self.controller.journey("maintenance").service.in_service:
            self.navigate(Screen.OUT_OF_SERVICE)  # taken out of service before this start
        log.info("kiosk started", extra={"terminal": self.kiosk_config.terminal_id,
                                         "profile": self.kiosk_config.profile.model})
        Window.bind(on_flip=self._on_first_frame)

    def _on_first_frame(self, *_args) -> None:
        Window.unbind(on_flip=self._on_first_frame)
        _after_next_frame(self._start_background_work)

    def _start_background_work(self) -> None:
        """Once the attract screen is up: the devices and the workers, which before it
        would only have competed with its drawing for the interpreter (no citizen can use
        a device before the screen shows)."""
        if self._stopping:
            return
        self.devices.open()  # the card reader, printers, scanner and voice, a moment after the screen
        self.controller.outbox_sender.start()  # what was kept while offline, or before a restart
        self.catalogue_refresher.start()
        # The QR key: fetched once (and kept for offline use) off the main thread.
        cache = self.kiosk_config.var_dir / "qr-key.json"
        self.controller.in_background(lambda: load_verifier(self.controller.api, cache),
                                      self._verifier_loaded, back_to=Screen.ATTRACT)
        if self.demo is not None:
            self.controller.in_background(self.demo.prepare_codes, lambda _codes: None, back_to=Screen.ATTRACT)
        threading.Thread(target=self._warm_up, name="kiosk-warm-up", daemon=True).start()
        self._build_screens_when_idle()
        # Heartbeat and the back office's commands (kiosk/ops/fleet.py).
        self.fleet = start_fleet(self, call_on_main=lambda fn: Clock.schedule_once(lambda _dt: fn()),
                                 outbox_stats=self.controller.outbox.stats,
                                 refresh_catalogue=self.catalogue_refresher.refresh_now,
                                 catalogue_version=lambda: self.catalogue_refresher.cache.version,
                                 on_catalogue_version=self.catalogue_refresher.catch_up)

    def _warm_up(self) -> None:
        """Off the UI thread: the input method's dictionary (95,000 words; half a second
        to read, which the first typed letter would otherwise wait for). Then what the
        kiosk keeps for good, that dictionary included, is frozen out of collections."""
        try:
            default_engine().preload()
        except DictionaryMissing:
            log.warning("pinyin dictionary missing: the keyboard types Latin letters only")
        Clock.schedule_once(lambda _dt: _after_next_frame(self._settle_after_start))

    def _build_screens_when_idle(self) -> None:
        """After the first frame, the screens not built yet, one a frame (about 7 ms each),
        so none has to be built while a citizen waits for it."""
        if self.manager.build_next():
            Clock.schedule_once(lambda _dt: self._build_screens_when_idle())

    def _settle_after_start(self) -> None:
        if self.manager.unbuilt:  # what the kiosk keeps for good includes every screen
            Clock.schedule_once(lambda _dt: self._settle_after_start())  # built one a frame meanwhile
            return
        gc_policy.settle_after_start()

    def stop_with(self, exit_code: int) -> None:
        """Stop the app and have `kiosk` exit with `exit_code` (kiosk/journeys/maintenance.py:
        75 asks the supervisor for a restart)."""
        self.exit_code = exit_code
        self.stop()

    def on_stop(self):
        self._stopping = True
        if getattr(self, "fleet", None) is not None:
            self.fleet.stop()
        self.controller.outbox_sender.stop()
        self.catalogue_refresher.stop()
        self.controller.outbox.close()
        self.devices.close()
        self.controller.shutdown()

    def _verifier_loaded(self, verifier) -> None:
        self.controller.verifier = verifier
        if verifier is None:
            log.warning("no QR key yet: scanned codes are refused until the back office is reached")

    def _check_idle(self) -> None:
        self.controller.check_idle(self.manager.current_screen.idle_timeout_s)

    # --- KioskUI -------------------------------------------------------------------------
    def navigate(self, screen: str) -> None:
        if screen == "attract":  # out of service, its notice stands in for the attract screen
            screen = self.controller.journey("maintenance").start_screen()
        self._show_session()
        if self.manager.current == screen:
            self.manager.current_screen.refresh()
        self.manager.current = screen

    def current_screen(self) -> str:
        return self.manager.current

    def show_idle_warning(self, seconds_left: int | None) -> None:
        warning = self._idle_warning
        if seconds_left is None:
            if warning.parent is not None:
                warning.dismiss(animation=False)
            return
        warning.seconds_left = seconds_left
        if warning.parent is None:
            warning.open(animation=False)

    def show_busy(self, message: str | None) -> None:
        if message is None:
            if self._busy is not None:
                self._busy.dismiss(animation=False)
                self._busy = None
            return
        if self._busy is None:
            self._busy = ModalView(auto_dismiss=False, size_hint=(0.8, 0.2))
            self._busy.add_widget(Label(font_size="40sp"))
            self._busy.open(animation=False)
        self._busy.children[0].text = message

    def show_message(self, title: str, body: str, back_to: str) -> None:
        screen = self.manager.get_screen("message")
        screen.title, screen.body, screen.back_to = title, body, back_to
        self.navigate(Screen.MESSAGE)

    def show_toast(self, message: str) -> None:
        self._toast.text = message
        self._toast.opacity = 1
        Clock.unschedule(self._hide_toast)
        Clock.schedule_once(self._hide_toast, 4)

    def open_sound_panel(self) -> None:
        """The top bar's Sound button: repeat, louder, quieter (kiosk/voice.py)."""
        self.controller.user_activity()
        if self._sound_panel is None:
            self._sound_panel = Factory.SoundPanel()
        if self._sound_panel.parent is None:
            self._sound_panel.open(animation=False)

    def set_elder_mode(self, on: bool) -> None:
        self.style.elder = on
        self._show_session()
        self._refresh_current()  # pages built in code take the new sizes

    def reset_screens(self) -> None:
        for screen in self.manager.screens:
            screen.reset()
        self._hide_toast()
        if self._sound_panel is not None and self._sound_panel.parent is not None:
            self._sound_panel.dismiss(animation=False)
        self.session_active = False
        _after_next_frame(gc_policy.collect_between_sessions)

    # --- demo controls -------------------------------------------------------------------
    def demo_insert_card(self, person_key: str) -> None:
        self.demo.insert_card(person_key)

    def demo_remove_card(self) -> None:
        self.demo.remove_card()

    # --- internals -----------------------------------------------------------------------
    def _refresh_current(self) -> None:
        self._show_session()  # a language switch on the attract screen starts a visit
        self.manager.current_screen.refresh()

    def _show_session(self) -> None:
        """Staff leave maintenance mode through its own Leave, not the citizens' Finish."""
        self.session_active = self.session.active and not self.controller.staff_visit()

    def _on_any_touch(self, _window, _touch):
        self.controller.user_activity()
        return False  # let the touch reach the widgets

    def _on_key(self, _window, key, *_args):
        if not self.kiosk_config.demo:
            return False
        people = list(self.devices.idcard_sim.people)
        if key in DEMO_KEYS and DEMO_KEYS[key] < len(people):
            self.demo_insert_card(people[DEMO_KEYS[key]])
            return True
        if key == KEY_F4:
            self.demo_remove_card()
            return True
        return False

    def _hide_toast(self, *_args) -> None:
        if self._toast is not None:
            self._toast.opacity = 0
            self._toast.text = ""

    def _place_toast_bg(self, label, *_args) -> None:
        self._toast_bg.pos = label.pos
        self._toast_bg.size = label.size


def _after_next_frame(fn) -> None:
    """Runs `fn` once the frame being prepared now has been drawn: the citizen sees the
    screen first, then the kiosk does its housekeeping."""
    Clock.schedule_once(lambda _dt: Clock.schedule_once(lambda _dt2: fn()))
