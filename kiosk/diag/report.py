"""`kiosk-diag report`: the hardware readiness report (kiosk.ops.readiness) for a technician.

    kiosk-diag report [--json] [--self-test] [--profile NAME] [--bundle FILE.zip]

Builds and opens the devices of the hardware profile (config/kiosk.toml's, or
config/profiles/NAME.toml), so run it while the kiosk application is stopped: both
cannot hold a serial port or a camera. One line per device, the back office and the
machine, each READY / DEGRADED / NOT READY with the reason and the action; the overall
verdict first. --self-test also runs each device's self-test (a printer's may print a
slip). Speech reports a missing sound card only after something failed to play, so a
fresh report cannot see it; the maintenance screen, using the app's devices, can.
--bundle also writes a diagnostics bundle for the help desk (kiosk/ops/diagnostics_bundle.py):
the report, the log's tail, the profile and the versions, without personal data.

Exit codes: 0 ready, 2 the configuration or profile cannot be loaded, 3 degraded (usable,
but something needs attention: paper low, speech without audio output, low disk),
4 not ready (a device a citizen journey needs is missing or unusable, or the back office
does not answer).
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

EXIT_READY, EXIT_BAD_INPUT, EXIT_DEGRADED, EXIT_NOT_READY = 0, 2, 3, 4
SETTLE_S = 1.0  # cameras and readers find out on their own threads that they are missing


def register(subparsers) -> None:
    parser = subparsers.add_parser("report", help="hardware readiness report of the whole kiosk")
    parser.add_argument("--json", action="store_true", help="JSON instead of text")
    parser.add_argument("--self-test", action="store_true",
                        help="also run every device's self-test (may print a test slip)")
    parser.add_argument("--profile", help="hardware profile in config/profiles (default: kiosk.toml's)")
    parser.add_argument("--bundle", type=Path, help="also write a diagnostics bundle (zip) here")
    parser.set_defaults(handler=_report)


def exit_code(report) -> int:
    from kiosk.ops.readiness import Verdict

    return {Verdict.READY: EXIT_READY, Verdict.DEGRADED: EXIT_DEGRADED,
            Verdict.NOT_READY: EXIT_NOT_READY}[report.verdict]


def _report(args) -> int:
    from kiosk.config import load_config
    from kiosk.hardware import build_devices
    from kiosk.ops.readiness import build_report

    try:
        config = load_config(overrides={"kiosk.hardware_profile": args.profile} if args.profile else None)
        devices = build_devices(config)
    except (OSError, ValueError) as exc:  # a missing or broken file, an unknown driver
        _error(args, f"{type(exc).__name__}: {exc}")
        return EXIT_BAD_INPUT
    devices.open()
    try:
        time.sleep(SETTLE_S)
        report = build_report(devices, config, self_test=args.self_test)
    finally:
        devices.close()
    print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) if args.json else render_text(report))
    if args.bundle is not None:
        from kiosk.ops.diagnostics_bundle import write_bundle

        write_bundle(report, render_text(report), config, args.bundle)
    return exit_code(report)


def _error(args, message: str) -> None:
    if args.json:
        print(json.dumps({"error": message}, ensure_ascii=False))
    else:
        print(f"kiosk-diag report: {message}", file=sys.stderr)


# --- text --------------------------------------------------------------------------------
def render_text(report) -> str:
    head = [f"Kiosk readiness: {report.verdict.label}",
            f"Terminal {report.terminal_id} · {report.profile_model} · version {report.app_version} · "
            f"{report.generated_at}", ""]
    rows = [("VERDICT", "CHECK", "DRIVER", "STATE", "REASON → ACTION")]
    rows += [_device_row(check) for check in report.devices]
    rows += [_backoffice_row(report.backoffice), _system_row(report.system)]
    if report.outbox is not None:
        rows.append(_outbox_row(report.outbox))
    return "\n".join(head + _aligned(rows) + ["", _machine_line(report.system)] + _clock_line(report.backoffice))


def _clock_line(check) -> list[str]:
    offset = check.clock_offset_s
    if offset is None:
        return []
    side = "behind" if offset >= 0 else "ahead of"
    return [f"Clock: the kiosk is {abs(offset):.1f} s {side} the back office (signed requests allow for it)"]


def _aligned(rows) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[4] for row in rows]


def _says(reason: str, action: str) -> str:
    return f"{reason} → {action}" if action else reason


def _device_row(check) -> tuple[str, ...]:
    text = _says(check.reason, check.action)
    if check.self_test is not None:
        outcome = "passed" if check.self_test.passed else "FAILED"
        text += f" · self-test {outcome}" + (f": {check.self_test.detail}" if check.self_test.detail else "")
    # A spool folder cannot tell its paper; "paper unknown" on every such line is noise.
    paper = f"/paper {check.media}" if check.media not in (None, "unknown") else ""
    return check.verdict.label, check.label, check.driver, check.state + paper, text


def _backoffice_row(check) -> tuple[str, ...]:
    latency = f"{check.latency_ms:.0f} ms" if check.latency_ms is not None else "no answer"
    return check.verdict.label, "Back office", check.url, latency, _says(check.reason, check.action)


def _outbox_row(check) -> tuple[str, ...]:
    held = f"{check.parked} held" if check.parked else ""
    return check.verdict.label, "Outbox", f"{check.pending} waiting", held, _says(check.reason, check.action)


def _system_row(check) -> tuple[str, ...]:
    disk = f"disk {_size(check.disk_free_bytes)} free"
    memory = f"memory {_size(check.memory_available_bytes)} free"
    return check.verdict.label, "Machine", disk, memory, _says(check.reason, check.action)


def _machine_line(check) -> str:
    return (f"Machine: disk {_size(check.disk_free_bytes)} free of {_size(check.disk_total_bytes)} "
            f"under {check.var_dir} · memory {_size(check.memory_available_bytes)} available of "
            f"{_size(check.memory_total_bytes)} · this process {_size(check.process_rss_bytes)} RSS · "
            f"up {_duration(check.system_uptime_s)} (process {_duration(check.process_uptime_s)})")


def _size(n: int | None) -> str:
    if n is None:
        return "?"
    if n >= 1 << 30:
        return f"{n / (1 << 30):.1f} GiB"
    return f"{n / (1 << 20):.0f} MiB"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    days, rest = divmod(int(seconds), 86400)
    clock = f"{rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}"
    return f"{days} d {clock}" if days else clock
