"""Kiosk releases on the wire (routes/releases.py, releases.py)."""
from __future__ import annotations

from .wire import Wire


class RingZeroOut(Wire):
    terminal: str | None  # ring 0's kiosk; null before the version was rolled out to one
    healthy: bool  # it acknowledged the update done (after its probation) and reports running it
    reason: str


class ReleaseOut(Wire):
    version: str
    sequence: int
    size: int
    sha256: str
    published_at: str  # UTC, Z
    published_by: str
    terminals_running: int  # by their last heartbeat
    terminals_told: int  # update commands queued by rollouts
    ring_zero: RingZeroOut


class ReleaseListingOut(Wire):
    releases: list[ReleaseOut]


class QueuedUpdateOut(Wire):
    terminal: str
    command_id: int


class RolloutOut(Wire):
    version: str
    ring: str
    queued: list[QueuedUpdateOut]
