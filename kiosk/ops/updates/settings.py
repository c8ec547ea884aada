"""The kiosk's [updates] configuration (kiosk.toml):

    [updates]
    releases = "/opt/chengmai-kiosk/releases"   # side by side; the kiosk user's to write
    switch = "between_citizens"                 # or "night": only inside night_window
    night_window = "01:00-05:00"                # local time; may wrap midnight
    probation_s = 600                           # the new release must stay out of NOT READY this long
    probation_check_s = 60                      # how often readiness is asked meanwhile
    max_restarts = 2                            # more restarts than this on probation: rolled back

    [updates.keys]                              # the release keys trusted, by id (kiosk-release keygen)
    "3f1c0d9e8a7b6c5d" = "base64 of the raw 32-byte Ed25519 public key"

Without a key the kiosk answers `update` as unavailable: it installs nothing unsigned.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from domain.release_manifest import trusted_keys
from kiosk.ops.updates.layout import DEFAULT_MAX_RESTARTS

SWITCH_MODES = ("between_citizens", "night")


@dataclass(frozen=True)
class UpdateSettings:
    releases: Path | None
    keys: dict[str, Ed25519PublicKey] = field(default_factory=dict)
    switch: str = "between_citizens"
    night_window: tuple[dt.time, dt.time] = (dt.time(1, 0), dt.time(5, 0))
    probation_s: float = 600.0
    probation_check_s: float = 60.0
    max_restarts: int = DEFAULT_MAX_RESTARTS

    @property
    def enabled(self) -> bool:
        return self.releases is not None and bool(self.keys)

    def may_switch_at(self, now: dt.datetime) -> bool:
        """Whether the clock allows a switch (no session open is the caller's check)."""
        if self.switch != "night":
            return True
        start, end = self.night_window
        moment = now.time()
        return start <= moment < end if start <= end else (moment >= start or moment < end)


def parse_window(text: str) -> tuple[dt.time, dt.time]:
    start, end = (dt.time.fromisoformat(part.strip()) for part in str(text).split("-", 1))
    return start, end


def update_settings(raw: dict[str, Any]) -> UpdateSettings:
    """From the whole configuration (KioskConfig.raw); ValueError on a wrong value."""
    section = raw.get("updates") or {}
    switch = str(section.get("switch", "between_citizens"))
    if switch not in SWITCH_MODES:
        raise ValueError(f"[updates] switch must be one of {', '.join(SWITCH_MODES)}")
    releases = section.get("releases")
    return UpdateSettings(
        releases=Path(releases) if releases else None,
        keys=trusted_keys(dict(section.get("keys") or {})),
        switch=switch,
        night_window=parse_window(section.get("night_window", "01:00-05:00")),
        probation_s=float(section.get("probation_s", 600)),
        probation_check_s=max(0.05, float(section.get("probation_check_s", 60))),
        max_restarts=int(section.get("max_restarts", DEFAULT_MAX_RESTARTS)),
    )
