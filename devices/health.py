"""The status vocabulary every device reports, modelled on CEN XFS4IoT."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class DeviceState(str, Enum):
    ONLINE = "online"
    OFFLINE = "offline"
    NO_DEVICE = "no_device"
    HARDWARE_ERROR = "hardware_error"
    USER_ERROR = "user_error"
    BUSY = "busy"


class MediaState(str, Enum):
    OK = "ok"
    LOW = "low"
    OUT = "out"
    JAMMED = "jammed"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class DeviceStatus:
    device: str  # e.g. "idcard", "receipt_printer"
    backend: str  # e.g. "sim", "ga467", "escpos-file"
    state: DeviceState
    media: MediaState | None = None
    detail: str = ""  # for maintenance staff; never personal data

    @property
    def usable(self) -> bool:
        return self.state is DeviceState.ONLINE and self.media not in (MediaState.OUT, MediaState.JAMMED)


@dataclass(frozen=True)
class SelfTestResult:
    passed: bool
    status: DeviceStatus
    detail: str = ""
