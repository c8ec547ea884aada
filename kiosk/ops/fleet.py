"""The kiosk in the county's fleet: its heartbeat (services/heartbeat.py) and the back
office's commands (kiosk/ops/fleet_commands.py), wired to the running app.

No Kivy: the App hands over `call_on_main`. The heartbeat's body is built on the
heartbeat's thread from device statuses (no self-tests), the paper count, the outbox's
counts and a snapshot of what the UI shows, asked of the main thread; nothing of a
session is ever read.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from devices.health import DeviceState, MediaState
from kiosk.ops.fleet_commands import CommandLedger, CommandRunner, bundle_name
from kiosk.ops.readiness import app_version, disk_space, present_devices
from kiosk.ops.updates.updater import Updater
from services.heartbeat import HeartbeatWorker, no_outbox
from services.redact import redact

log = logging.getLogger(__name__)

UI_ANSWER_S = 1.0  # how long the report waits for the main thread's snapshot


@dataclass(frozen=True)
class UiSnapshot:
    screen: str
    in_service: bool


class Fleet:
    def __init__(self, app, call_on_main: Callable[[Callable[[], None]], None],
                 outbox_stats: Callable[[], dict] = no_outbox,
                 refresh_catalogue: Callable[[], Any] | None = None,
                 on_server_time: Callable[[float], None] | None = None,
                 catalogue_version: Callable[[], int | None] = lambda: None,
                 on_catalogue_version: Callable[[int], Any] | None = None):
        config = app.kiosk_config
        self.config, self.devices, self.controller = config, app.devices, app.controller
        self.call_on_main = call_on_main
        self.outbox_stats = outbox_stats
        self.catalogue_version = catalogue_version
        self.started = time.monotonic()
        self.not_ready = NotReadySince()
        self._snapshot = UiSnapshot("", True)
        self.worker = HeartbeatWorker(self.controller.api, self.report, config.heartbeat_s,
                                      on_server_time=on_server_time, on_catalogue_version=on_catalogue_version,
                                      state_dir=config.var_dir)
        self.updater = self._updater()
        self.commands = CommandRunner(controller=self.controller, ledger=CommandLedger(config.var_dir),
                                      acknowledge=self.worker.acknowledge, call_on_main=call_on_main,
                                      upload_diagnostics=self.upload_diagnostics,
                                      refresh_catalogue=refresh_catalogue, rotate_secret=self.rotate_secret,
                                      updater=self.updater)
        self.worker.on_commands = self.commands.receive
        self.worker.between_beats = self.commands.tick

    def start(self) -> "Fleet":
        self.worker.start()
        if self.updater is not None and self.updater.resume(self.commands.update_verdict):
            log.info("this release is on probation after an update")
        return self

    def stop(self) -> None:
        if self.updater is not None:
            self.updater.stop()
        self.worker.stop()
        self.commands.shutdown()

    def _updater(self) -> Updater | None:
        """The `update` command's, when [updates] names the releases folder and a key."""
        from kiosk.ops.updates.settings import update_settings

        try:
            settings = update_settings(self.config.raw)
        except (ValueError, TypeError) as exc:
            log.error("[updates] configuration unusable: updates refused", extra={"error": str(exc)[:200]})
            return None
        if not settings.enabled:
            return None
        api = self.controller.api

        def readiness() -> str:
            from kiosk.ops.readiness import build_report

            return build_report(self.devices, self.config).verdict.value

        return Updater(settings, self.config.var_dir, fetch_manifest=api.release_manifest,
                       fetch_bundle=api.release_bundle, running_version=app_version, readiness=readiness)

    # --- the heartbeat's body (on the heartbeat's thread) ------------------------------------
    def report(self) -> dict:
        snapshot, responsive = self._ui_snapshot()
        outbox = self.outbox_stats()
        pending, parked = int(outbox.get("pending", 0)), int(outbox.get("parked", 0))
        free, _total = disk_space(self.config.var_dir)
        return {
            "app_version": app_version(),
            "uptime_s": int(time.monotonic() - self.started),
            "heartbeat_s": self.config.heartbeat_s,
            "devices": self.not_ready.mark(device_health(self.devices)),
            "outbox_length": pending + parked,
            "outbox": {"pending": pending, "parked": parked, "oldest_pending_s": outbox.get("oldest_pending_s")},
            "in_service": snapshot.in_service,
            "screen": snapshot.screen,  # a screen's name ("apply_materials"), never what is on it
            "ui_responsive": responsive,
            "commands_waiting": self.commands.waiting(),
            "disk_free_mb": None if free is None else free // 2**20,
            "catalogue_version": self.catalogue_version(),  # of the copy it serves guides from
        }

    def _ui_snapshot(self) -> tuple[UiSnapshot, bool]:
        """What the UI shows, read on the main thread; the last one if it does not answer."""
        answered = threading.Event()

        def take() -> None:
            self._snapshot = UiSnapshot(self.controller.ui.current_screen(),
                                        self.controller.journey("maintenance").service.in_service)
            answered.set()

        self.call_on_main(take)
        responsive = answered.wait(UI_ANSWER_S)
        return self._snapshot, responsive

    # --- upload_diagnostics (on the command thread) ------------------------------------------
    def upload_diagnostics(self, command_id: int) -> str:
        from kiosk.diag.report import render_text
        from kiosk.ops.diagnostics_bundle import write_bundle
        from kiosk.ops.readiness import build_report

        config = self.config
        report = build_report(self.devices, config)
        path = write_bundle(report, render_text(report), config,
                            config.var_dir / "diagnostics" / bundle_name(config.terminal_id))
        answer = self.controller.api.upload_diagnostics(path.read_bytes(), command_id)
        return f"diagnostics bundle #{answer.get('id')} uploaded ({answer.get('size')} bytes)"


    # --- rotate_secret (on the command thread) -----------------------------------------------
    def rotate_secret(self) -> str:
        """Kept on disk before it is used: a kiosk that stops in between starts again on
        the old secret, which the back office still takes, and the command comes again.
        With a key holder the new secret goes to it (its own file), never to one this
        process could read back."""
        from kiosk.maintenance.storage import atomic_write_text
        from services.keyholder.client import KeyHolderClient

        api = self.controller.api
        answer = api.rotate_secret()
        if isinstance(api.signer, KeyHolderClient):
            api.signer.install_secret(answer["secret"])  # it signs with it from now on
        else:
            # As the back office's seed writes it: the secret alone, no newline.
            atomic_write_text(self.config.terminal_secret_file, answer["secret"])
            api.use_secret(answer["secret"])
        log.info("terminal secret rotated")
        return "terminal secret rotated: the new one is kept and in use"


# States in which a device cannot serve a citizen (busy is serving one; paper out has its own alert).
NOT_READY_STATES = frozenset({DeviceState.OFFLINE.value, DeviceState.NO_DEVICE.value,
                              DeviceState.HARDWARE_ERROR.value, DeviceState.USER_ERROR.value})


class NotReadySince:
    """How long each device has been unable to serve, carried in the heartbeat as
    `not_ready_s`: the back office alerts on a fault that lasts, not on a blip."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._since: dict[str, float] = {}

    def mark(self, health: dict[str, dict]) -> dict[str, dict]:
        now = self._clock()
        for name, entry in health.items():
            failing = entry.get("state") in NOT_READY_STATES or entry.get("media") == MediaState.JAMMED.value
            if failing:
                since = self._since.setdefault(name, now)
                entry["not_ready_s"] = int(now - since)
            else:
                self._since.pop(name, None)
                entry["not_ready_s"] = 0
        return health


def device_health(devices) -> dict[str, dict]:
    """Each device's own status (no self-test), and the paper left on the receipt roll."""
    health = {}
    for name, device in present_devices(devices):
        try:
            status = device.status()
        except Exception as exc:  # one device's fault must not cost the whole heartbeat
            health[name] = {"state": DeviceState.HARDWARE_ERROR.value, "media": None, "backend": "",
                            "detail": f"raised {type(exc).__name__} while asked its status"}
            continue
        entry = {"state": status.state.value, "media": status.media.value if status.media else None,
                 "backend": status.backend, "detail": redact(status.detail)[:200]}
        paper = getattr(device, "paper", None) if name == "receipt_printer" else None
        if paper is not None:
            level = paper.level()
            out = status.media is MediaState.OUT
            entry["paper_left_mm"] = 0 if out else round(level.left_mm)
            entry["slips_left"] = 0 if out else level.slips_left
        health[name] = entry
    return health


def start_fleet(app, call_on_main: Callable[[Callable[[], None]], None], **hooks) -> Fleet:
    """The App's one call (on_start). hooks: outbox_stats, refresh_catalogue, catalogue_version,
    on_catalogue_version, on_server_time;
    the last defaults to the client's clock-offset tracking (services/transport.py) when
    the client keeps one."""
    clock = getattr(app.controller.api, "clock", None)
    hooks.setdefault("on_server_time", getattr(clock, "note_server_time", None))
    return Fleet(app, call_on_main, **hooks).start()
