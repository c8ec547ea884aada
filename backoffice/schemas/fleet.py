"""The terminal fleet on the wire (routes/terminals.py, routes/terminal_diagnostics.py,
terminals.py, diagnostics.py). Times of the fleet view are UTC (`Z`)."""
from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field

from .wire import Wire

Command = Literal["restart", "out_of_service", "in_service", "refresh_catalogue", "upload_diagnostics",
                  "send_outbox", "rotate_secret", "update"]
Outcome = Literal["done", "failed", "unavailable"]
Number = int | float


class RegisteredOut(Wire):
    id: str
    secret: str | None  # shown once (null when a retry replays the answer); kept only encrypted


class SecretRotatedOut(Wire):
    secret: str  # shown once; kept only encrypted
    previous_valid_until: str | None  # the secret signing the request works until then (UTC)


class PendingCommandOut(Wire):
    id: int
    command: Command
    argument: str  # update's version; "" for the others


class ServerTimeOut(Wire):
    server_time: str  # unix seconds, as signed (decimal, milliseconds)
    # HMAC-SHA256 under the terminal's secret (and its previous one, while that still
    # works) of domain/signing.server_time_message: hex, the current secret's first.
    signatures: list[str]


class HeartbeatAnswerOut(Wire):
    server_time: float  # unix seconds: the kiosk signs with the server's clock
    in_service: bool
    commands: list[PendingCommandOut]  # every command not yet acknowledged
    # The catalogue's current version (GET /v1/catalogue/version): a kiosk whose copy is
    # older refreshes it now rather than at its next refresh period. 0 before the first load.
    catalogue_version: int


class AckOut(Wire):
    id: int
    acked: bool


class QueuedCommandOut(Wire):
    id: int
    command: Command
    argument: str


class OutboxFiguresOut(Wire):
    pending: Number | None
    parked: Number | None
    oldest_pending_s: Number | None


class ReportedOut(Wire):
    """What the fleet view keeps of the last heartbeat; empty before the first one."""
    outbox: OutboxFiguresOut | None = None
    in_service: bool | None = None  # as the kiosk sees it
    screen: str = ""
    ui_responsive: bool | None = None
    heartbeat_s: Number | None = None
    commands_waiting: list[str] = []
    disk_free_mb: Number | None = None
    catalogue_version: int | None = None  # of the kiosk's copy of the catalogue


class TerminalAlertOut(Wire):
    kind: Literal["terminal_silent", "paper_out", "disk_low", "device_not_ready"]
    message: str
    raised_at: dt.datetime


class CommandOut(Wire):
    id: int
    command: Command
    argument: str
    created_by: str
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    acked_at: dt.datetime | None
    outcome: Literal["", "done", "failed", "unavailable"]  # "" until acknowledged
    result: str


class TerminalOut(Wire):
    id: str
    name: str
    location: str
    in_service: bool
    disabled: bool  # cut off by an administrator: its requests are refused
    disabled_reason: str
    online: bool  # heard from within the silence limit
    last_seen_at: dt.datetime | None
    app_version: str
    uptime_s: int
    outbox_length: int
    devices: dict[str, Any]  # device name -> its state as the kiosk reported it
    reported: ReportedOut
    alerts: list[TerminalAlertOut]
    commands: list[CommandOut]  # every one not yet acknowledged, and the latest acknowledged


class TerminalSelfOut(Wire):
    """Who a correctly signed request comes from: a technician's check of an install."""
    id: str
    name: str
    location: str


class TerminalDisabledOut(Wire):
    id: str
    disabled: bool
    reason: str


class FleetOut(Wire):
    terminals: list[TerminalOut]


class BundleStoredOut(Wire):
    id: int
    size: int
    sha256: str


class BundleListedOut(Wire):
    id: int
    terminal_id: str
    command_id: int | None  # the upload_diagnostics command it answers, if any
    received_at: dt.datetime
    size: int = Field(ge=0)
    sha256: str


class BundleListingOut(Wire):
    bundles: list[BundleListedOut]
