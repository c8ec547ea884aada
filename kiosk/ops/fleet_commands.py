"""Commands from the back office (restart, out of service, in service, refresh catalogue,
upload diagnostics, send the outbox's held items again, rotate the terminal's secret,
update to a signed release), carried out once each and acknowledged with how they went.

No Kivy. Commands arrive on the heartbeat's thread; anything that changes what the
screen shows goes through `call_on_main`. Those that change the kiosk under a person's
feet (restart, service state, the diagnostics' device probes) wait until no session is
active, citizen's or staff's: a command never cuts into someone's visit. The service
state changes through the maintenance journey's own store (the citizens' notice, kept
across restarts), and restart through its stop with exit code 75. `update VERSION` is
fetched and installed at once, beside the running release (kiosk/ops/updates/); only its
switch waits for no session (and, if so configured, the night window), and it is
acknowledged with its probation's verdict, by the release that runs after it.

Each command's outcome is written to `<var_dir>/fleet/commands.json` before it is
acknowledged, so a command delivered again (its acknowledgement lost, or the kiosk
restarted by it) is acknowledged again and never run twice.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from kiosk.journeys.maintenance import EXIT_RESTART
from kiosk.ops.updates.updater import Updater, Verdict
from kiosk.ui.screen_names import Screen

log = logging.getLogger(__name__)

LEDGER_FILE = Path("fleet") / "commands.json"
LEDGER_KEEP = 200  # the back office never delivers a command this old again
BY = "back office command"  # who, in the service state and the maintenance audit file
REMOTE_REASON = "Taken out of service from the back office"
# A new secret, too: a citizen's request signed with the old one just as the new one is
# first used (which ends the old one's overlap) would be refused.
WAIT_FOR_NO_SESSION = ("restart", "out_of_service", "in_service", "upload_diagnostics", "rotate_secret")
DONE, FAILED, UNAVAILABLE = "done", "failed", "unavailable"


@dataclass(frozen=True)
class Outcome:
    outcome: str  # done | failed | unavailable
    result: str  # for staff, no personal data


class CommandLedger:
    """Command ids already carried out, with their outcome; kept across restarts."""

    def __init__(self, var_dir: Path):
        self.path = Path(var_dir) / LEDGER_FILE
        self._lock = threading.Lock()
        self._entries: dict[str, dict] = self._load()

    def outcome(self, command_id: int) -> Outcome | None:
        with self._lock:
            entry = self._entries.get(str(command_id))
        return Outcome(entry["outcome"], entry["result"]) if entry else None

    def record(self, command_id: int, command: str, outcome: Outcome) -> None:
        with self._lock:
            self._entries[str(command_id)] = {"command": command, "outcome": outcome.outcome,
                                              "result": outcome.result, "at": time.time()}
            newest = sorted(self._entries, key=int)[-LEDGER_KEEP:]
            self._entries = {k: self._entries[k] for k in newest}
            self._save()

    def _load(self) -> dict[str, dict]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return {str(k): dict(v) for k, v in data.items() if {"outcome", "result"} <= set(v)}
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, TypeError, AttributeError):
            log.error("fleet: command ledger unreadable; commands delivered again may run again")
            return {}

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        with open(temporary, "w", encoding="utf-8") as out:
            json.dump(self._entries, out)
            out.flush()
            os.fsync(out.fileno())  # a restart command follows at once: it must be on disk
        os.replace(temporary, self.path)


class CommandRunner:
    def __init__(self, *, controller, ledger: CommandLedger, acknowledge: Callable[..., None],
                 call_on_main: Callable[[Callable[[], None]], None],
                 upload_diagnostics: Callable[[int], str],
                 refresh_catalogue: Callable[[], Any] | None = None,
                 rotate_secret: Callable[[], str] | None = None, updater: Updater | None = None):
        """`acknowledge(id, result, outcome, then=None)` is the heartbeat worker's;
        `upload_diagnostics(command_id)` builds the bundle, uploads it and says what
        was sent; `refresh_catalogue()` is None until the kiosk keeps a catalogue cache;
        `rotate_secret()` gets, keeps and starts using a new terminal secret; `updater`
        carries out `update` (None: the kiosk has no release keys configured)."""
        self.controller = controller
        self.ledger = ledger
        self.acknowledge = acknowledge
        self.call_on_main = call_on_main
        self.upload_diagnostics = upload_diagnostics
        self.refresh_catalogue = refresh_catalogue
        self.rotate_secret = rotate_secret
        self.updater = updater
        self._lock = threading.Lock()
        self._waiting: dict[int, str] = {}  # id -> command, until no session is active
        self._started: set[int] = set()  # running, or done and being acknowledged
        self._restart_due = False  # acknowledged; the app stops once no session is active
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kiosk-fleet")

    @property
    def maintenance(self):
        return self.controller.journey("maintenance")

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def waiting(self) -> list[str]:
        with self._lock:
            return [self._waiting[i] for i in sorted(self._waiting)]

    # --- from the heartbeat's thread ---------------------------------------------------------
    def receive(self, commands: list[dict]) -> None:
        for command in commands:
            command_id, name = int(command["id"]), str(command["command"])
            argument = str(command.get("argument") or "")
            with self._lock:
                if command_id in self._waiting or command_id in self._started:
                    continue
                known = self.ledger.outcome(command_id)
                if known is None and name in WAIT_FOR_NO_SESSION:
                    self._waiting[command_id] = name
                    log.info("fleet command waits for no session", extra={"command_id": command_id,
                                                                           "command": name})
                    continue
                self._started.add(command_id)
            if known is not None:  # done before; its acknowledgement did not arrive
                self.acknowledge(command_id, known.result, known.outcome)
            else:
                self._pool.submit(self._run_now, command_id, name, argument)
        self.tick()

    def tick(self) -> None:
        """Every second from the heartbeat's thread: waiting commands look for their moment."""
        with self._lock:
            due = bool(self._waiting) or self._restart_due
        if due or (self.updater is not None and self.updater.switch_waiting()):
            self.call_on_main(self._run_waiting)

    # --- on the main thread --------------------------------------------------------------------
    def _run_waiting(self) -> None:
        if self.controller.session.active:
            return  # a citizen (or staff) is at the kiosk; next tick
        if self._restart_due:
            self._restart_due = False
            self.maintenance.stop_app(EXIT_RESTART)
            return
        if self.updater is not None and self.updater.may_switch_now():
            self._switch_release()
            return
        with self._lock:
            if not self._waiting:
                return
            command_id = min(self._waiting)  # in the order staff queued them
            name = self._waiting.pop(command_id)
            self._started.add(command_id)
        log.info("fleet command running", extra={"command_id": command_id, "command": name})
        if name == "restart":
            self._restart(command_id)
        elif name in ("out_of_service", "in_service"):
            self._pool.submit(self._change_service, command_id, name == "in_service")
        else:
            self._pool.submit(self._run_now, command_id, name)

    def _switch_release(self) -> None:
        staged = self.updater.switch() if self.updater is not None else None
        if staged is None:
            return
        maintenance = self.maintenance
        if maintenance.access is not None:
            maintenance.access.audit.append(time.time(), "app_stop", action="update", exit_code=EXIT_RESTART,
                                            by=f"{BY} {staged.command_id}", version=staged.version)
        # Not acknowledged yet: the release started next acknowledges it with its probation's verdict.
        maintenance.stop_app(EXIT_RESTART)

    def _restart(self, command_id: int) -> None:
        maintenance = self.maintenance
        if maintenance.access is not None:
            maintenance.access.audit.append(time.time(), "app_stop", action="restart", exit_code=EXIT_RESTART,
                                            by=f"{BY} {command_id}")
        log.info("app restart requested by the back office", extra={"command_id": command_id})

        def stop_once_acknowledged(_sent: bool) -> None:
            # Acknowledged first: the kiosk started again must not find it waiting.
            with self._lock:
                self._restart_due = True
            self.tick()

        outcome = Outcome(DONE, "restarting the kiosk app (exit code 75 for its supervisor)")
        self._pool.submit(self._finish, command_id, "restart", outcome, stop_once_acknowledged)

    # --- on the command thread ---------------------------------------------------------------
    def _change_service(self, command_id: int, in_service: bool) -> None:
        maintenance = self.maintenance
        try:
            if in_service:
                state = maintenance.store.return_to_service(by=f"{BY} {command_id}")
            else:
                state = maintenance.store.take_out_of_service(REMOTE_REASON, maintenance.where_else(),
                                                              by=f"{BY} {command_id}")
        except (OSError, ValueError) as exc:
            self._finish(command_id, "in_service" if in_service else "out_of_service",
                         Outcome(FAILED, f"service state not saved: {type(exc).__name__}"))
            return

        def show() -> None:
            maintenance.service = state
            log.info("service state changed", extra={"in_service": state.in_service, "by": BY})
            if not self.controller.session.active:
                self.controller.ui.navigate(Screen.ATTRACT)  # the notice, or the attract screen again
            self._pool.submit(self._finish, command_id, "in_service" if in_service else "out_of_service",
                              Outcome(DONE, "in service" if in_service else
                                      "out of service: citizens see where else to go"))

        self.call_on_main(show)

    def _run_now(self, command_id: int, name: str, argument: str = "") -> None:
        try:
            outcome = self._carry_out(command_id, name, argument)
        except Exception as exc:
            log.exception("fleet command failed", extra={"command_id": command_id, "command": name})
            outcome = Outcome(FAILED, f"{type(exc).__name__}")
        if outcome is None:  # an update installed (its switch is due) or on probation: acknowledged later
            self.tick()
            return
        self._finish(command_id, name, outcome)

    def update_verdict(self, command_id: int, verdict: Verdict) -> None:
        """The probation's verdict on an update (from its own thread): kept, acknowledged,
        and a release switched back is left by a restart once no session is open."""
        then = None
        if verdict.restart:
            def then(_sent: bool) -> None:
                with self._lock:
                    self._restart_due = True
                self.tick()
        with self._lock:
            self._started.add(command_id)
        self._finish(command_id, "update", Outcome(verdict.outcome, verdict.result), then)

    def _carry_out(self, command_id: int, name: str, argument: str = "") -> Outcome | None:
        if name == "refresh_catalogue":
            if self.refresh_catalogue is None:
                return Outcome(UNAVAILABLE, "this kiosk keeps no local catalogue cache yet; nothing refreshed")
            counts = self.refresh_catalogue()
            if isinstance(counts, dict):
                return Outcome(DONE, "catalogue refreshed: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
            return Outcome(DONE, "catalogue refreshed")
        if name == "upload_diagnostics":
            return Outcome(DONE, self.upload_diagnostics(command_id))
        if name == "rotate_secret":
            if self.rotate_secret is None:
                return Outcome(UNAVAILABLE, "this kiosk cannot keep a new secret")
            return Outcome(DONE, self.rotate_secret())
        if name == "update":
            if self.updater is None:
                return Outcome(UNAVAILABLE, "this kiosk has no release keys configured: it installs nothing")
            verdict = self.updater.update(command_id, argument)
            return None if verdict is None else Outcome(verdict.outcome, verdict.result)
        if name == "send_outbox":
            outbox = self.controller.outbox
            revived = outbox.requeue_parked()
            self.controller.outbox_sender.nudge()
            return Outcome(DONE, f"held items sent again: {revived}; waiting: {outbox.stats()['pending']}")
        return Outcome(UNAVAILABLE, f"this kiosk does not know the command {name[:40]!r}")

    def _finish(self, command_id: int, name: str, outcome: Outcome,
                then: Callable[[bool], None] | None = None) -> None:
        self.ledger.record(command_id, name, outcome)
        with self._lock:
            self._started.discard(command_id)  # the ledger answers for it from now on
        log.info("fleet command finished", extra={"command_id": command_id, "command": name,
                                                  "outcome": outcome.outcome})
        self.acknowledge(command_id, outcome.result, outcome.outcome, then=then)


def bundle_name(terminal_id: str) -> str:
    return f"kiosk-{terminal_id}-{dt.datetime.now():%Y%m%d-%H%M%S}-fleet.zip"
