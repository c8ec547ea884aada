"""The words on the diagnostics screen's tiles, from a readiness report (kiosk/ops/readiness.py).

Labels, verdicts and units go through gettext; reasons, actions and details are the
devices' and the report's own technical words, shown as `kiosk-diag report` prints them.
A line that is READY says why only when that adds something to what the tile shows."""
from __future__ import annotations

from typing import Callable

from domain.i18n import N_
from kiosk.ops.readiness import BackofficeCheck, DeviceCheck, OutboxCheck, SystemCheck, Verdict

Translate = Callable[[str], str]

VERDICTS = {Verdict.READY: N_("READY"), Verdict.DEGRADED: N_("DEGRADED"), Verdict.NOT_READY: N_("NOT READY")}
TONES = {Verdict.READY: "ok", Verdict.DEGRADED: "warn", Verdict.NOT_READY: "warn"}
DEVICE_NAMES = {
    "idcard": N_("ID card reader"),
    "receipt_printer": N_("Receipt printer"),
    "document_printer": N_("Document printer"),
    "scanner": N_("QR scanner"),
    "speech": N_("Speech"),
    "doccam": N_("Document camera"),
    "face": N_("Face camera"),
}
TEST_BUTTONS = {
    "idcard": N_("Test card reading"),
    "receipt_printer": N_("Print a test receipt"),
    "document_printer": N_("Print a test A4 page"),
    "scanner": N_("Test the scanner"),
    "speech": N_("Test speech"),
    "doccam": N_("Capture with the document camera"),
    "face": N_("Test the face camera"),
}


def device_lines(check: DeviceCheck, _: Translate) -> list[str]:
    state = check.state.replace("_", " ")
    if check.media not in (None, "unknown"):  # a spool folder or PDF folder cannot tell its paper
        state += " · " + _(N_("paper {state}")).format(state=check.media)
    lines = [_(N_("Driver {driver} · {state}")).format(driver=check.driver, state=state)]
    if check.verdict is Verdict.READY:  # the device's own detail, e.g. "simulated reader"
        return lines + ([check.reason] if check.reason != check.state else [])
    return lines + reason_lines(check.reason, check.action, _)


def backoffice_lines(check: BackofficeCheck, _: Translate) -> list[str]:
    if check.latency_ms is None:
        answer = _(N_("No answer"))
    else:
        answer = _(N_("Answered in {ms} ms")).format(ms=f"{check.latency_ms:.0f}")
    if check.verdict is Verdict.READY:  # its reason is the latency again
        return [check.url, answer]
    return [check.url, answer] + reason_lines(check.reason, check.action, _)


def outbox_lines(check: OutboxCheck | None, _: Translate) -> list[str]:
    """What waits to be sent: counts and the oldest wait; the reason (with the back
    office's last refusal) in the report's own words when something needs a person."""
    if check is None:
        return [_(N_("Nothing has been kept for sending yet."))]
    oldest = "—" if check.oldest_pending_s is None else duration(check.oldest_pending_s, _)
    lines = [_(N_("Waiting to be sent: {pending} · held for staff: {parked}")).format(
                 pending=check.pending, parked=check.parked),
             _(N_("Oldest waiting for: {age}")).format(age=oldest)]
    return lines + ([] if check.verdict is Verdict.READY else reason_lines(check.reason, check.action, _))


def system_lines(check: SystemCheck, version: str, profile: str, _: Translate) -> list[str]:
    return [
        _(N_("Disk: {free} free of {total}")).format(free=size(check.disk_free_bytes),
                                                      total=size(check.disk_total_bytes)),
        _(N_("Memory: {available} available of {total}; this app uses {used}")).format(
            available=size(check.memory_available_bytes), total=size(check.memory_total_bytes),
            used=size(check.process_rss_bytes)),
        _(N_("Up for {system}; the kiosk app for {app}")).format(
            system=duration(check.system_uptime_s, _), app=duration(check.process_uptime_s, _)),
        _(N_("Version {version} · profile {profile}")).format(version=version, profile=profile),
    ] + ([] if check.verdict is Verdict.READY else reason_lines(check.reason, check.action, _))


def reason_lines(reason: str, action: str, _: Translate) -> list[str]:
    lines = [_(N_("Why: {reason}")).format(reason=reason)] if reason else []
    return lines + ([_(N_("What to do: {action}")).format(action=action)] if action else [])


def size(n: int | None) -> str:
    if n is None:
        return "?"
    return f"{n / (1 << 30):.1f} GiB" if n >= 1 << 30 else f"{n / (1 << 20):.0f} MiB"


def duration(seconds: float | None, _: Translate) -> str:
    if seconds is None:
        return "?"
    days, rest = divmod(int(seconds), 86400)
    clock = f"{rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}"
    return _(N_("{days} d {clock}")).format(days=days, clock=clock) if days else clock
