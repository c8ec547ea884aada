"""Delivers the outbox to the back office: in order, one idempotency key per item, retries
with exponential backoff and jitter, and a poisoned item parked instead of blocking the rest.

Two callers share one delivery lock, so an item is never in flight twice at once:
- the citizen's own submission (`deliver_now`, on a journey's worker thread): the older
  queued items go first, then this one; the citizen waits for one attempt at most, and a
  refusal comes back to the citizen (who is there to correct it) instead of being parked;
- the background thread (`run`), which wakes when an item falls due, when nudged, or
  every `idle_poll_s`.

What each failure means:
- unreachable (network down, server stopped, timeout), refused for who is asking (401,
  403: the terminal's secret or clock) or turned away whole (429 too many, 502, 503, 504:
  the back office restarting or overloaded, or its proxy without it): every item would
  fail the same way, so the pass stops and the items behind wait for this one; order is
  kept; such an item never parks;
- refused for what it is (400, 404, 409, 410, 422): retrying cannot help: parked;
- another server error, a broken answer, or a bug while delivering it: this item backs
  off and, after `max_attempts`, is parked; the items behind it go on meanwhile.
A parked item is tried again by itself after `revive_parked_s` (the back office may have
been mended meanwhile: a catalogue fixed, a bug deployed away), and at once by staff's
Send again or the back office's send_outbox command.
"""
from __future__ import annotations

import logging
import random
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from services.api import BackofficeBadResponse, BackofficeError, BackofficeRefused, BackofficeUnavailable

from .background import BackgroundWorker
from .keyholder.protocol import KeyHolderUnavailable
from .outbox import Outbox, OutboxItem, OutboxKeyError

log = logging.getLogger(__name__)

DELIVERED, REFUSED, QUEUED = "delivered", "refused", "queued"
POISON_STATUSES = frozenset({400, 404, 409, 410, 422})
LINE_STATUSES = frozenset({401, 403, 429, 502, 503, 504})  # about the line or the caller, not the item
LINE_DOWN = "line:"  # marks a wait that every item shares (network, the terminal's credentials)
# Each kind's delivery: (payload, idempotency key) -> (what the waiting citizen is shown,
# what the outbox keeps: no personal data, e.g. {"case_number": ...}).
Deliver = Callable[[dict, str], tuple[Any, dict]]


@dataclass(frozen=True)
class Delivery:
    status: str  # delivered, refused or queued
    item: OutboxItem
    value: Any = None
    error: BackofficeError | None = None


@dataclass(frozen=True)
class Backoff:
    base_s: float = 2.0
    cap_s: float = 300.0
    max_attempts: int = 10  # for server errors and broken answers; unreachable never parks

    def delay(self, attempts: int) -> float:
        """Full-range jitter on the upper half, so a fleet coming back online does not
        call the back office in step."""
        ceiling = min(self.cap_s, self.base_s * (2 ** min(attempts, 30)))
        return ceiling * random.uniform(0.5, 1.0)


class OutboxSender(BackgroundWorker):
    thread_name = "outbox-sender"

    def __init__(self, outbox: Outbox, deliverers: dict[str, Deliver], backoff: Backoff = Backoff(),
                 idle_poll_s: float = 60.0, keep_delivered_s: float = 30 * 86400,
                 prune_every_s: float = 6 * 3600, revive_parked_s: float = 6 * 3600, clock=time.time):
        super().__init__()
        self.outbox = outbox
        self.deliverers = deliverers
        self.backoff = backoff
        self.idle_poll_s = idle_poll_s
        self.keep_delivered_s = keep_delivered_s  # delivered rows answer "where is my application?"
        self.prune_every_s = prune_every_s
        self.revive_parked_s = revive_parked_s
        self._clock = clock  # the wall clock the outbox's deadlines are written in
        self._delivering = threading.Lock()
        self.last_pass_at: float | None = None
        self._pruned_at: float | None = None

    # --- the background worker -----------------------------------------------------------
    def nudge(self) -> None:
        """Try now (staff's "send now", the network back, a new item)."""
        self.wake()

    def _run(self) -> None:
        while not self.stopping:
            try:
                self.revive_parked()
                self.flush()
                self.prune_when_due(time.monotonic())
            except Exception:  # a bug must not end delivery for good: log it, try again later
                log.exception("outbox pass failed")
            due = self.outbox.next_due_at()
            self._pause(self.idle_poll_s if due is None else min(self.idle_poll_s, self._wait_until(due)))

    def _wait_until(self, deadline: float, now: float | None = None) -> float:
        """Seconds until `deadline`. A deadline further off than the longest backoff was
        written before the clock went back (an NTP correction, a dead RTC battery): it is
        due now, or items would wait out the jump."""
        left = deadline - (self._clock() if now is None else now)
        return 0.0 if left > self.backoff.cap_s * 2 else left

    def revive_parked(self) -> int:
        """Items parked `revive_parked_s` ago or more go back in line (a long wait between
        tries: one request per parked item every few hours)."""
        revived = self.outbox.requeue_parked(parked_for_s=self.revive_parked_s)
        if revived:
            log.info("parked outbox items tried again", extra={"items": revived})
        return revived

    def prune_when_due(self, now: float) -> int:
        """Drops delivered rows older than `keep_delivered_s`, at most every `prune_every_s`
        (the first pass after a start prunes at once)."""
        if self._pruned_at is not None and now - self._pruned_at < self.prune_every_s:
            return 0
        self._pruned_at = now
        dropped = self.outbox.prune(self.keep_delivered_s)
        if dropped:
            log.info("outbox pruned", extra={"dropped": dropped})
        return dropped

    # --- delivering ----------------------------------------------------------------------
    def flush(self) -> int:
        """One pass over the due items; returns how many were delivered."""
        with self._delivering:
            return self._pass(present=None)[0]

    def deliver_now(self, item: OutboxItem, wait_s: float = 10.0) -> Delivery:
        """The citizen's item, sent while they wait (older items first). Queued if the
        back office cannot be reached or the background sender holds the line too long."""
        if not self._delivering.acquire(timeout=wait_s):
            return Delivery(QUEUED, item)
        try:
            _, own = self._pass(present=item.id)
        finally:
            self._delivering.release()
        return own or Delivery(QUEUED, self.outbox.get(item.id) or item)

    def _pass(self, present: int | None) -> tuple[int, Delivery | None]:
        """Pending items in order. An item waiting because the line was down holds back the
        ones behind it (order is kept); an item backing off for its own trouble does not.
        With a citizen waiting, the line is tried again now, up to their item."""
        now = self._clock()
        delivered, own = 0, None
        for item in self.outbox.pending():
            if present is not None and item.id > present:
                break
            if self._wait_until(item.next_attempt_at, now) > 0 and item.id != present:
                line_down = item.last_error.startswith(LINE_DOWN)
                if not line_down:
                    continue
                if present is None:
                    break
            outcome, stop = self._attempt(item, citizen_waiting=item.id == present)
            if outcome.status == DELIVERED:
                delivered += 1
            if item.id == present:
                own = outcome
            if stop:
                break
        self.last_pass_at = now
        return delivered, own

    def _attempt(self, item: OutboxItem, citizen_waiting: bool) -> tuple[Delivery, bool]:
        """One try of one item: (its delivery, whether the rest of the pass should stop)."""
        deliver = self.deliverers.get(item.kind)
        if deliver is None:
            self.outbox.park(item.id, f"no delivery for kind {item.kind}")
            return Delivery(QUEUED, item), False
        try:
            payload = self.outbox.payload(item)
        except KeyHolderUnavailable as exc:  # the key is fine, its holder is restarting: later
            self.outbox.retry_later(item.id, f"key holder unavailable ({exc})", self.backoff.delay(item.attempts))
            return Delivery(QUEUED, item), True
        except (OutboxKeyError, ValueError) as exc:
            self.outbox.park(item.id, f"payload unreadable: {exc}")
            log.error("outbox item parked", extra={"item": item.id, "kind": item.kind, "reason": "unreadable"})
            return Delivery(QUEUED, item), False
        try:
            value, outcome = deliver(payload, item.idempotency_key)
        except BackofficeUnavailable as exc:
            self.outbox.retry_later(item.id, f"{LINE_DOWN} unreachable ({exc})", self.backoff.delay(item.attempts))
            return Delivery(QUEUED, item, error=exc), True
        except BackofficeRefused as exc:
            reason = f"{exc.status} {exc.title}"
            if exc.status in POISON_STATUSES:
                if citizen_waiting:
                    self.outbox.discard(item.id, reason)
                    return Delivery(REFUSED, item, error=exc), False
                self.outbox.park(item.id, reason)
                log.warning("outbox item parked", extra={"item": item.id, "kind": item.kind, "status": exc.status})
                return Delivery(QUEUED, item, error=exc), False
            if exc.status in LINE_STATUSES:  # every item alike: hold the line, keep the order
                self.outbox.retry_later(item.id, f"{LINE_DOWN} {reason}", self.backoff.delay(item.attempts))
                return Delivery(QUEUED, item, error=exc), True
            return self._back_off(item, reason, exc), False
        except BackofficeBadResponse as exc:
            return self._back_off(item, f"bad answer: {exc}", exc), False
        except Exception as exc:  # a bug in this item's delivery: its attempt, not the queue's
            log.exception("outbox item delivery failed", extra={"item": item.id, "kind": item.kind})
            return self._back_off(item, f"failed: {type(exc).__name__}", None), False
        self.outbox.delivered(item.id, outcome)
        log.info("outbox item delivered", extra={"item": item.id, "kind": item.kind, "attempts": item.attempts + 1})
        return Delivery(DELIVERED, item, value=value), False

    def _back_off(self, item: OutboxItem, reason: str, exc: BackofficeError | None) -> Delivery:
        if item.attempts + 1 >= self.backoff.max_attempts:
            self.outbox.park(item.id, reason)
            log.warning("outbox item parked after retries", extra={"item": item.id, "kind": item.kind})
        else:
            self.outbox.retry_later(item.id, reason, self.backoff.delay(item.attempts))
        return Delivery(QUEUED, item, error=exc)
