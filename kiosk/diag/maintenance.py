"""`kiosk-diag maintenance set-pin|status`: the PIN that opens maintenance mode.

    kiosk-diag maintenance set-pin                       # asked twice, not echoed
    printf '%s\\n' "$PIN" | kiosk-diag maintenance set-pin --pin-stdin   # scripts: once
    kiosk-diag maintenance status                        # PIN set, failures, lock; no secrets

Only the PIN's scrypt hash is stored (`<var_dir>/maintenance/pin.hash`, mode 0600); setting
it clears the lockout and is written to the maintenance audit file. Exit codes: 0 ok,
3 PIN refused (too short, guessable, or the two entries differ), 4 the PIN hash is set in
kiosk.toml ([maintenance] pin_hash) and must be changed there.
"""
from __future__ import annotations

import getpass
import json
import os
import sys

EXIT_OK, EXIT_REFUSED, EXIT_MANAGED = 0, 3, 4


def register(subparsers) -> None:
    parser = subparsers.add_parser("maintenance", help="maintenance-mode PIN and lockout")
    actions = parser.add_subparsers(dest="action", required=True)
    set_pin = actions.add_parser("set-pin", help="set the maintenance PIN (6 to 12 digits)")
    set_pin.add_argument("--pin-stdin", action="store_true",
                         help="read the PIN once from the first line of stdin (for scripts)")
    set_pin.add_argument("--by", default=_login_name(),
                         help="who sets it, for the audit file (default: the login name)")
    set_pin.set_defaults(handler=_set_pin)
    status = actions.add_parser("status", help="whether a PIN is set, failures and lock")
    status.set_defaults(handler=_status)


def _access():
    from kiosk.config import load_config
    from kiosk.maintenance.access import MaintenanceAccess

    return MaintenanceAccess.from_config(load_config())


def _set_pin(args) -> int:
    from kiosk.maintenance.access import PinManagedInConfig, PinRefused

    access = _access()
    if access.configured_hash:  # say so before asking for a PIN that would be ignored
        return _fail("the PIN hash is set in kiosk.toml ([maintenance] pin_hash); change it there",
                     EXIT_MANAGED)
    pin = _read_pin(args.pin_stdin)
    if pin is None:
        return _fail("the two entries differ; the PIN is unchanged", EXIT_REFUSED)
    try:
        access.set_pin(pin, by=args.by)
    except PinManagedInConfig as exc:
        return _fail(str(exc), EXIT_MANAGED)
    except PinRefused as exc:
        return _fail(f"{exc}; the PIN is unchanged", EXIT_REFUSED)
    print(json.dumps({"pin_set": True, "file": str(access.pin_file)}, ensure_ascii=False))
    return EXIT_OK


def _read_pin(from_stdin: bool) -> str | None:
    """The PIN, or None when the two interactive entries differ."""
    if from_stdin:
        return sys.stdin.readline().strip()
    first = getpass.getpass("New maintenance PIN: ")
    second = getpass.getpass("The same PIN again: ")
    return first if first == second else None


def _status(args) -> int:
    from kiosk.maintenance.storage import iso

    status = _access().status()
    print(json.dumps({"pin_set": status.pin_source is not None, "pin_source": status.pin_source,
                      "locked": status.locked, "locked_until": iso(status.locked_until),
                      "failures": status.failures}))
    return EXIT_OK


def _fail(message: str, code: int) -> int:
    print(f"kiosk-diag: {message}", file=sys.stderr)
    return code


def _login_name() -> str:
    try:
        return os.environ.get("SUDO_USER") or getpass.getuser()
    except (KeyError, OSError):  # no passwd entry and no LOGNAME (a bare container)
        return "unknown"
