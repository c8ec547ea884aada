"""Who may enter maintenance mode: the staff PIN, checked against a scrypt hash, with a
lockout that a reboot does not reset; and, once maintenance cards are enrolled, an
allowlisted card too. A card's UID is an identifier, not a proof (cards with a writable
UID exist), so a card never opens maintenance alone: it is the second factor with the PIN.

The PIN hash comes from kiosk.toml (`[maintenance] pin_hash`, managed with the fleet's
configuration) or, when that is unset, from `<var_dir>/maintenance/pin.hash`, written by
`kiosk-diag maintenance set-pin`. Every attempt is a line in the audit file: its outcome
and the failure count, never the PIN.

`try_pin` takes tens of milliseconds (scrypt): a screen calls it off the UI thread.
"""
from __future__ import annotations

import enum
import json
import logging
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from kiosk.maintenance.card import allowlist_from_config, card_allowed
from kiosk.maintenance.hashing import hash_secret, parse, verify_secret
from kiosk.maintenance.storage import AuditLog, atomic_write_text, iso, maintenance_dir, read_json

log = logging.getLogger(__name__)

Clock = Callable[[], float]  # epoch seconds: a lock must outlast a reboot, so not monotonic
PIN_PATTERN = re.compile(r"[0-9]{6,12}")  # the maintenance screen has a digit keypad
RUNS = "01234567890123456789", "98765432109876543210"


class PinRefused(ValueError):
    """A new PIN that the rules refuse; the message says why, without the PIN."""


class PinManagedInConfig(RuntimeError):
    """kiosk.toml sets the PIN hash, so a PIN file would be ignored."""


class Result(str, enum.Enum):
    GRANTED = "granted"
    WRONG_PIN = "wrong_pin"
    LOCKED = "locked"  # refused without looking at the PIN
    NO_PIN = "no_pin"  # no usable PIN hash: nobody can enter by PIN
    UNKNOWN_CARD = "unknown_card"


@dataclass(frozen=True)
class LockoutPolicy:
    free_failures: int = 5
    base_lock_s: float = 300.0
    max_lock_s: float = 24 * 3600.0

    def lock_seconds(self, failures: int) -> float:
        """0 below the limit; then the base lock, doubled by each further failure."""
        if failures < self.free_failures:
            return 0.0
        doublings = min(failures - self.free_failures, 32)  # beyond that the cap applies anyway
        return min(self.base_lock_s * 2**doublings, self.max_lock_s)


@dataclass(frozen=True)
class LockState:
    failures: int = 0  # consecutive wrong PINs since the last success
    locked_until: float | None = None

    def locked(self, now: float) -> bool:
        return self.locked_until is not None and now < self.locked_until


@dataclass(frozen=True)
class Outcome:
    result: Result
    failures: int
    locked_until: float | None
    attempts_left: int  # before the next lock; 0 while locked

    @property
    def granted(self) -> bool:
        return self.result is Result.GRANTED


@dataclass(frozen=True)
class AccessStatus:
    pin_source: str | None  # "config", "file" or None (no PIN set)
    failures: int
    locked: bool
    locked_until: float | None


def check_new_pin(pin: str) -> None:
    """Raises PinRefused for a PIN a passer-by could guess within the free attempts."""
    if not PIN_PATTERN.fullmatch(pin):
        raise PinRefused("the PIN must be 6 to 12 digits 0-9")
    if len(set(pin)) == 1:
        raise PinRefused("the PIN must not be one digit repeated")
    if any(pin in run for run in RUNS):
        raise PinRefused("the PIN must not be a run of consecutive digits")


class MaintenanceAccess:
    def __init__(self, var_dir: Path, configured_hash: str | None = None,
                 card_allowlist: Iterable[str] = (), clock: Clock = time.time,
                 policy: LockoutPolicy = LockoutPolicy()):
        folder = maintenance_dir(var_dir)
        self.pin_file = folder / "pin.hash"
        self.lock_file = folder / "lockout.json"
        self.audit = AuditLog(folder / "audit.jsonl")
        self.configured_hash = (configured_hash or "").strip() or None
        self.card_allowlist = list(card_allowlist)
        self.clock = clock
        self.policy = policy
        self._mutex = threading.Lock()
        # The lock state the disk refused (full): kept here so a full disk neither locks
        # staff out nor gives a passer-by free guesses.
        self._unsaved: LockState | None = None

    @property
    def requires_card(self) -> bool:
        """Cards enrolled: staff enter with the card and the PIN, never one alone."""
        return bool(self.card_allowlist)

    @classmethod
    def from_config(cls, config: Any, clock: Clock = time.time) -> "MaintenanceAccess":
        section = config.raw.get("maintenance", {})
        return cls(config.var_dir, configured_hash=section.get("pin_hash"),
                   card_allowlist=allowlist_from_config(section), clock=clock)

    # Entering.
    def try_pin(self, pin: str) -> Outcome:
        with self._mutex:
            now = self.clock()
            state = self._load_state(now)
            if state.locked(now):
                return self._record("pin", Result.LOCKED, state, now)
            stored = self._stored_hash()
            if stored is None:
                return self._record("pin", Result.NO_PIN, state, now)
            failed = self._after_failure(state, now)
            # Counted before checking, like a smart card's PIN counter: cutting the power
            # during the check cannot take back a wrong guess.
            self._save_state(failed)
            if verify_secret(pin.encode("utf-8"), stored):
                state = LockState()
                self._save_state(state)
                return self._record("pin", Result.GRANTED, state, now)
            return self._record("pin", Result.WRONG_PIN, failed, now)

    def try_card(self, uid: bytes) -> Outcome:
        """Whether the card is an allowlisted maintenance card: one factor of two, as UIDs
        can be cloned (card.py). The PIN lock does not apply, so a stranger who ran it up at the
        keypad does not keep staff out; unknown cards do not count as PIN failures."""
        with self._mutex:
            now = self.clock()
            state = self._load_state(now)
            allowed = bool(uid) and card_allowed(uid, self.card_allowlist)
            result = Result.GRANTED if allowed else Result.UNKNOWN_CARD
            return self._record("card", result, state, now)

    # Administration (kiosk-diag).
    def set_pin(self, pin: str, by: str) -> None:
        if self.configured_hash:
            raise PinManagedInConfig("the PIN hash is set in kiosk.toml ([maintenance] pin_hash)")
        check_new_pin(pin)
        with self._mutex:
            atomic_write_text(self.pin_file, hash_secret(pin.encode("utf-8")) + "\n")
            # Old wrong guesses were aimed at the old PIN; whoever sets a new one can use it now.
            self._save_state(LockState())
            self.audit.append(self.clock(), "pin_set", by=by)

    def status(self) -> AccessStatus:
        with self._mutex:
            now = self.clock()
            state = self._load_state(now)
            return AccessStatus(self._pin_source(), state.failures, state.locked(now), state.locked_until)

    # PIN hash.
    def _pin_source(self) -> str | None:
        if self.configured_hash:
            return "config"
        return "file" if self.pin_file.exists() else None

    def _stored_hash(self) -> str | None:
        """Read at every attempt, so a PIN set with kiosk-diag works without a restart."""
        try:
            encoded = self.configured_hash or self._read_pin_file()
            if encoded is None:
                return None
            parse(encoded)
        except ValueError:  # also a pin.hash that is not text
            log.error("maintenance: the PIN hash is malformed; PIN entry is closed")
            return None
        return encoded

    def _read_pin_file(self) -> str | None:
        try:
            return self.pin_file.read_text(encoding="ascii").strip() or None
        except FileNotFoundError:
            return None

    # Lockout state.
    def _after_failure(self, state: LockState, now: float) -> LockState:
        failures = state.failures + 1
        lock_s = self.policy.lock_seconds(failures)
        return LockState(failures, now + lock_s if lock_s else None)

    def _load_state(self, now: float) -> LockState:
        if self._unsaved is not None:
            return self._clamped(self._unsaved, now)
        try:
            data = read_json(self.lock_file) or {}
            failures = max(int(data.get("failures", 0)), 0)
            state = LockState(failures, _optional_float(data.get("locked_until")))
        except (ValueError, TypeError, OSError):
            # Fail closed: a damaged counter must not become a free reset.
            log.error("maintenance: lockout state unreadable; locking")
            state = self._after_failure(LockState(self.policy.free_failures - 1), now)
            self._save_state(state)
        return self._clamped(state, now)

    def _clamped(self, state: LockState, now: float) -> LockState:
        """A clock set backwards must not stretch a 5-minute lock into days."""
        longest = self.policy.lock_seconds(state.failures)
        if state.locked_until is None or state.locked_until - now <= longest:
            return state
        state = LockState(state.failures, now + longest)
        self._save_state(state)
        return state

    def _save_state(self, state: LockState) -> None:
        data = {"failures": state.failures, "locked_until": state.locked_until}
        try:
            atomic_write_text(self.lock_file, json.dumps(data) + "\n")
        except OSError as exc:  # a full disk must not keep staff out of maintenance
            log.error("maintenance: lockout state not saved; kept in memory", extra={"error": exc.strerror})
            self._unsaved = state
            return
        self._unsaved = None

    def _record(self, event: str, result: Result, state: LockState, now: float) -> Outcome:
        locked = state.locked(now)
        outcome = Outcome(result, state.failures, state.locked_until if locked else None,
                          0 if locked else max(self.policy.free_failures - state.failures, 1))
        self.audit.append(now, event, outcome=result.value, failures=outcome.failures,
                          locked_until=iso(outcome.locked_until))
        return outcome


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)
