"""The `update VERSION` command on the kiosk, from the back office's bundle to a release
that has proved itself (or been switched back):

1. `update()` (the command thread): fetch the signed manifest and the tarball from the back
   office, check them (verify.py), unpack beside the running release (layout.py) and keep
   the manifest's sequence. Nothing the citizens see changes yet.
2. `switch()` (the main thread, asked by the command runner only while no session is open
   and, with switch = "night", inside the night window): the probation file, the symlink,
   then the runner stops the app with exit code 75 and systemd starts the new release.
3. `resume()` (the new release, when the fleet starts): while on probation, readiness is
   asked every probation_check_s; NOT READY switches back at once, probation_s without it
   confirms. Restarts by the watchdog are counted by the unit's start guard (layout.py).

The acknowledgement is sent only with the verdict, and says the version running then.
"""
from __future__ import annotations

import datetime as dt
import logging
import tarfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from kiosk.ops.updates import layout as lay
from kiosk.ops.updates.settings import UpdateSettings
from kiosk.ops.updates.verify import Refused, SequenceStore, Verifier
from services.api import BackofficeError

log = logging.getLogger(__name__)

DOWNLOADS = Path("updates") / "downloads"
NOT_READY = "not_ready"  # kiosk.ops.readiness.Verdict.NOT_READY's value


@dataclass(frozen=True)
class Verdict:
    outcome: str  # done | failed | unavailable, as fleet commands are acknowledged
    result: str
    restart: bool = False  # the kiosk must start again (a rollback) once this is acknowledged


@dataclass(frozen=True)
class Staged:
    command_id: int
    version: str


class Updater:
    def __init__(self, settings: UpdateSettings, var_dir: Path, *, fetch_manifest: Callable[[str], bytes],
                 fetch_bundle: Callable[[str, Path], None], running_version: Callable[[], str],
                 readiness: Callable[[], str], clock: Callable[[], float] = time.time,
                 local_now: Callable[[], dt.datetime] = dt.datetime.now):
        """`fetch_bundle(version, path)` writes the tarball to path; `readiness()` is the
        readiness report's verdict value (ready | degraded | not_ready)."""
        assert settings.releases is not None
        self.settings = settings
        self.var_dir = Path(var_dir)
        self.layout = lay.Layout(settings.releases)
        self.verifier = Verifier(settings.keys, SequenceStore(var_dir), clock)
        self.fetch_manifest, self.fetch_bundle = fetch_manifest, fetch_bundle
        self.running_version, self.readiness = running_version, readiness
        self.clock, self.local_now = clock, local_now
        self._lock = threading.Lock()
        self._staged: Staged | None = None
        self._watching: threading.Thread | None = None
        self._stop = threading.Event()

    # --- 1. fetch, check, install (the command thread) -----------------------------------------
    def update(self, command_id: int, version: str) -> Verdict | None:
        """A verdict to acknowledge now, or None: installed and waiting for its switch, or
        on probation (the verdict comes from the probation)."""
        probation = lay.read_probation(self.var_dir)
        if probation is not None and probation.get("command_id") == command_id:
            return None
        with self._lock:
            if self._staged is not None and self._staged.command_id == command_id:
                return None
        running = self.running_version()
        if version == running:
            return Verdict("done", f"running {running}: nothing to install")
        try:
            manifest = self.verifier.manifest(self.fetch_manifest(version), version, running)
            download = self.var_dir / DOWNLOADS / f"{version}.tar.gz"
            download.parent.mkdir(parents=True, exist_ok=True)
            self.fetch_bundle(version, download)
            try:
                self.verifier.tarball(manifest, download)
                self.layout.install(download, version)
            finally:
                download.unlink(missing_ok=True)
        except BackofficeError as exc:
            log.warning("update not fetched", extra={"command_id": command_id, "version": version[:32],
                                                     "error": str(exc)[:200]})
            return Verdict("failed", f"could not fetch {version[:32]} from the back office: {str(exc)[:200]}; "
                                     f"running {running}")
        except (tarfile.TarError, OSError) as exc:  # signed, yet not unpackable here (or the disk is full)
            log.error("update not installed", extra={"command_id": command_id, "version": version[:32],
                                                     "error": f"{type(exc).__name__}: {str(exc)[:200]}"})
            return Verdict("failed", f"not installed: {type(exc).__name__}: {str(exc)[:200]}; running {running}")
        except Refused as refused:
            log.warning("update refused", extra={"command_id": command_id, "version": version[:32],
                                                 "refusal": refused.code, "reason": refused.reason})
            return Verdict("failed", f"refused: {refused.reason}; running {running}")
        self.verifier.sequences.raise_to(manifest.sequence)  # an older manifest is a replay from now on
        with self._lock:
            self._staged = Staged(command_id, version)
        log.info("update installed beside the running release", extra={"command_id": command_id,
                                                                       "version": version})
        return None

    # --- 2. the switch (the main thread, no session open) --------------------------------------
    def switch_waiting(self) -> bool:
        with self._lock:
            return self._staged is not None

    def may_switch_now(self) -> bool:
        return self.switch_waiting() and self.settings.may_switch_at(self.local_now())

    def switch(self) -> Staged | None:
        with self._lock:
            staged, self._staged = self._staged, None
        if staged is None:
            return None
        previous = lay.begin_probation(self.layout, self.var_dir, staged.command_id, staged.version)
        log.info("switched to the new release; restarting into it",
                 extra={"command_id": staged.command_id, "version": staged.version, "previous": previous})
        return staged

    # --- 3. probation (the new release) ----------------------------------------------------------
    def resume(self, verdict: Callable[[int, Verdict], None]) -> bool:
        """On probation of the release running: watch it on a thread of its own and hand
        the verdict to `verdict(command_id, Verdict)`. False when not on probation."""
        state = lay.read_probation(self.var_dir)
        if state is None:
            return False
        if self.layout.current_version() != state["version"]:
            lay.end_probation(self.var_dir)  # the start guard switched back, or a hand did
            return False
        self._watching = threading.Thread(target=self._watch, args=(state, verdict), daemon=True,
                                          name="kiosk-update-probation")
        self._watching.start()
        return True

    def stop(self) -> None:
        self._stop.set()

    def _watch(self, state: dict, verdict: Callable[[int, Verdict], None]) -> None:
        until = float(state.get("switched_at", self.clock())) + self.settings.probation_s
        command_id = int(state.get("command_id") or 0)
        # The first look after one interval: the devices open and the back office answers first.
        while not self._stop.wait(min(self.settings.probation_check_s, max(0.0, until - self.clock()))):
            try:
                seen = self.readiness()
            except Exception as exc:  # a report that cannot be made is no proof of health
                log.exception("readiness on probation failed")
                seen, why = NOT_READY, f"readiness report failed ({type(exc).__name__})"
            else:
                why = "readiness NOT READY"
            if seen == NOT_READY:
                result = lay.roll_back(self.layout, self.var_dir, state, f"{why} within its probation")
                log.error("update rolled back", extra={"command_id": command_id, "version": state["version"],
                                                       "reason": why})
                verdict(command_id, Verdict("failed", result, restart=True))
                return
            if self.clock() >= until:
                break
        if self._stop.is_set():
            return
        lay.end_probation(self.var_dir)
        removed = self.layout.prune()
        log.info("update confirmed", extra={"command_id": command_id, "version": state["version"],
                                            "removed": removed})
        verdict(command_id, Verdict("done", f"running {self.running_version()}: healthy through its "
                                            f"{self.settings.probation_s:.0f} s probation"))
