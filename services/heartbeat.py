"""The kiosk's heartbeat: every `[fleet] heartbeat_s` seconds a signed report to the back
office (device health, paper, outbox, version, uptime, in or out of service, the screen's
name; never anything of a session), and the answer's commands handed on.

One worker thread, no Kivy. It never stops for a back-office failure: each failure is a
state (refused, unreachable, bad answer), logged once when the state changes and kept in
`<var_dir>/fleet/heartbeat.json` for the readiness report (`kiosk-diag report` and the
maintenance screen). Acknowledgements of commands go out from this thread too, queued
until the back office takes them.
"""
from __future__ import annotations

import functools
import json
import logging
import os
import threading
import time
from collections import OrderedDict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable

from .api import BackofficeClient, BackofficeError, BackofficeRefused, BackofficeUnavailable
from .background import BackgroundWorker

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_S = 30.0
TICK_S = 1.0  # how often `between_beats` runs: commands waiting for a session to end
STATE_FILE = Path("fleet") / "heartbeat.json"

ACCEPTED, REFUSED, UNREACHABLE, BAD_ANSWER, FAILED = "accepted", "refused", "unreachable", "bad_answer", "failed"


def no_outbox() -> dict[str, Any]:
    """outbox_stats until the kiosk has an outbox: nothing waiting."""
    return {"pending": 0, "parked": 0, "oldest_pending_s": None}


@dataclass(frozen=True)
class HeartbeatState:
    """How the last heartbeat went, and since when it has gone that way."""
    state: str  # accepted | refused | unreachable | bad_answer | failed
    detail: str  # for staff: "401 Unauthorized: unknown terminal"
    since: float  # epoch seconds
    last_accepted_at: float | None = None

    @property
    def refused(self) -> bool:
        return self.state == REFUSED


def read_state(var_dir: Path) -> HeartbeatState | None:
    """The state the running (or last) kiosk wrote; None if it never sent a heartbeat."""
    try:
        data = json.loads((Path(var_dir) / STATE_FILE).read_text(encoding="utf-8"))
        return HeartbeatState(str(data["state"]), str(data.get("detail", "")), float(data["since"]),
                              None if data.get("last_accepted_at") is None else float(data["last_accepted_at"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


class HeartbeatWorker(BackgroundWorker):
    thread_name = "kiosk-heartbeat"

    def __init__(self, client: BackofficeClient, report: Callable[[], dict], interval_s: float = DEFAULT_INTERVAL_S,
                 *, on_commands: Callable[[list[dict]], None] = lambda commands: None,
                 on_server_time: Callable[[float], None] | None = None,
                 between_beats: Callable[[], None] | None = None,
                 on_catalogue_version: Callable[[int], object] | None = None,
                 state_dir: Path | None = None, clock: Callable[[], float] = time.time):
        """`report()` builds the heartbeat's body on this worker's thread; `on_commands`
        gets the answer's commands there; `on_server_time(epoch)` the back office's clock
        (for the transport's clock-offset tracking); `between_beats()` runs every TICK_S;
        `on_catalogue_version(number)` the back office's current catalogue version (for the
        catalogue copy to catch up: CatalogueRefresher.catch_up)."""
        super().__init__()
        self.client = client
        self.report = report
        self.interval_s = max(1.0, float(interval_s))
        self.on_commands = on_commands
        self.on_server_time = on_server_time
        self.between_beats = between_beats
        self.on_catalogue_version = on_catalogue_version
        self.state_path = Path(state_dir) / STATE_FILE if state_dir is not None else None
        self.clock = clock
        self.state: HeartbeatState | None = None
        self._beat_requested = False
        self._acks: OrderedDict[int, tuple[str, str, list[Callable[[bool], None]]]] = OrderedDict()
        self._acks_lock = threading.Lock()

    # --- lifecycle: start(), stop(), running (services/background.py) ------------------------
    def beat_now(self) -> None:
        """A heartbeat now instead of at the next interval."""
        self._beat_requested = True
        self.wake()

    def acknowledge(self, command_id: int, result: str, outcome: str = "done",
                    then: Callable[[bool], None] | None = None) -> None:
        """Queue a command's acknowledgement; it is sent at once from the worker's thread
        and again at each beat until the back office takes it. `then(sent)` runs after the
        first attempt, whether it was taken or not."""
        with self._acks_lock:
            _result, _outcome, waiting = self._acks.get(command_id, (result, outcome, []))
            self._acks[command_id] = (result, outcome, waiting + ([then] if then else []))
        self.wake()

    # --- the thread ------------------------------------------------------------------------
    def _run(self) -> None:
        next_beat = time.monotonic()
        while not self.stopping:
            self._send_acks()
            if self._beat_requested or time.monotonic() >= next_beat:
                self._beat_requested = False
                self._beat()
                next_beat = time.monotonic() + self.interval_s
                self._send_acks()  # commands done at once (refresh_catalogue) are acked now
            if self.between_beats is not None:
                self._guarded(self.between_beats)
            self._pause(min(TICK_S, next_beat - time.monotonic()))

    def _beat(self) -> None:
        try:
            report = self.report()
            answer = self.client.heartbeat(report)
        except BackofficeRefused as exc:
            self._set_state(REFUSED, f"{exc.status} {exc.title}: {exc.detail}".rstrip(": "))
            return
        except BackofficeUnavailable as exc:
            self._set_state(UNREACHABLE, str(exc))
            return
        except BackofficeError as exc:
            self._set_state(BAD_ANSWER, str(exc))
            return
        except Exception as exc:  # a bug in building the report must not end the heartbeat
            self._set_state(FAILED, type(exc).__name__, exc_info=True)
            return
        self._set_state(ACCEPTED, "")
        server_time = answer.get("server_time")
        on_server_time = self.on_server_time
        if on_server_time is not None and isinstance(server_time, (int, float)):
            self._guarded(lambda: on_server_time(float(server_time)))
        catalogue_version = answer.get("catalogue_version")
        on_catalogue_version = self.on_catalogue_version
        if on_catalogue_version is not None and isinstance(catalogue_version, int) \
                and not isinstance(catalogue_version, bool):
            self._guarded(lambda: on_catalogue_version(catalogue_version))
        commands = [c for c in answer["commands"] if isinstance(c, dict) and "id" in c and "command" in c]
        if commands:
            self._guarded(lambda: self.on_commands(commands))

    def _send_acks(self) -> None:
        with self._acks_lock:
            queued = list(self._acks.items())
        for command_id, (result, outcome, waiting) in queued:
            try:
                self.client.ack_command(command_id, result, outcome)
                sent = True
            except BackofficeRefused as exc:
                # Not this terminal's command, or an outcome it does not know: it never will
                # take it, and sending again helps nobody (401, a clock off, may pass later).
                sent = exc.status in (404, 422)
                log.warning("command acknowledgement refused",
                            extra={"command_id": command_id, "status": exc.status, "title": exc.title})
            except Exception as exc:
                sent = False
                log.info("command acknowledgement not sent yet", extra={"command_id": command_id,
                                                                         "error": type(exc).__name__})
            with self._acks_lock:
                current = self._acks.get(command_id)
                if current is not None:
                    later = [t for t in current[2] if t not in waiting]  # each `then` runs once
                    if sent and current[0] == result and not later:
                        del self._acks[command_id]
                    else:
                        self._acks[command_id] = (current[0], current[1], later)
            for then in waiting:
                self._guarded(functools.partial(then, sent))
            if not sent:
                return  # the back office is not taking them now; the rest wait for the next beat

    def _guarded(self, fn: Callable[[], object]) -> None:
        try:
            fn()
        except Exception:
            log.exception("heartbeat: a handler failed")

    # --- state -----------------------------------------------------------------------------
    def _set_state(self, state: str, detail: str, exc_info: bool = False) -> None:
        now = self.clock()
        previous = self.state
        last_accepted = now if state == ACCEPTED else (previous.last_accepted_at if previous else None)
        if previous is not None and (previous.state, previous.detail) == (state, detail):
            self.state = HeartbeatState(state, detail, previous.since, last_accepted)
            return  # said already; the file keeps when this state began
        self.state = HeartbeatState(state, detail, now, last_accepted)
        if state == ACCEPTED:
            log.info("heartbeat accepted by the back office")
        elif state == REFUSED:
            log.error("heartbeat refused by the back office: is this terminal registered, with this secret?",
                      extra={"detail": detail})
        else:
            log.warning("heartbeat not delivered", extra={"state": state, "detail": detail}, exc_info=exc_info)
        self._write_state()

    def _write_state(self) -> None:
        if self.state_path is None or self.state is None:
            return
        try:
            self.state_path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.state_path.with_suffix(".tmp")
            temporary.write_text(json.dumps(asdict(self.state)), encoding="utf-8")
            os.replace(temporary, self.state_path)
        except OSError as exc:
            log.warning("heartbeat state not written", extra={"error": type(exc).__name__})
