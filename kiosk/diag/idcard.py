"""`kiosk-diag idcard status|read`: check the identity reader and read one document.

    kiosk-diag idcard status --driver ga467 [--port /dev/ttyUSB0]
    kiosk-diag idcard read   --driver pcsc [--reader NAME] --mrz L898902C<369080619406236
    kiosk-diag idcard read   --driver ga467 --port /dev/ttyUSB0 --unmasked

The identity is printed as JSON, masked unless --unmasked (for a technician who must
see it). Exit codes: 0 ok, 3 no card presented in time, 4 reader missing, 5 read failed.
"""
from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

EXIT_OK, EXIT_NO_CARD, EXIT_NO_READER, EXIT_READ_FAILED = 0, 3, 4, 5


def register(subparsers) -> None:
    parser = subparsers.add_parser("idcard", help="identity card / passport reader")
    actions = parser.add_subparsers(dest="action", required=True)
    for name, help_text in (("status", "reader status and self-test"), ("read", "read one document")):
        sub = actions.add_parser(name, help=help_text)
        sub.add_argument("--driver", choices=("ga467", "pcsc"),
                         help="reader kind (default: the hardware profile's)")
        sub.add_argument("--port", help="ga467: serial port (default: probe USB serial ports)")
        sub.add_argument("--baudrate", type=int, help="ga467: serial speed (default 115200)")
        sub.add_argument("--reader", help="pcsc: part of the reader name (default: the first reader)")
        sub.set_defaults(handler=_status if name == "status" else _read)
        if name == "read":
            sub.add_argument("--mrz", help="pcsc: MRZ information, 24 characters with check digits, "
                                           "or DOCNUMBER,YYMMDD(birth),YYMMDD(expiry)")
            sub.add_argument("--timeout", type=float, default=15.0,
                             help="seconds to wait for a card (default 15)")
            sub.add_argument("--unmasked", action="store_true",
                             help="print personal data in full (technicians only)")


def _section(args) -> tuple[str, dict[str, Any]]:
    section: dict[str, Any] = {}
    driver = args.driver
    if driver is None:
        from kiosk.config import load_config

        profile = load_config().profile
        driver = profile.idcard_driver
        section = dict(profile.sections.get("idcard", {}))
    for key in ("port", "baudrate", "reader", "mrz"):
        value = getattr(args, key, None)
        if value is not None:
            section[key] = value
    return driver, section


def _backend(args):
    from devices.idcard.build import build_idcard_reader

    driver, section = _section(args)
    if driver == "sim":
        raise SystemExit("kiosk-diag: the 'sim' idcard driver has no hardware; use --driver")
    try:
        backend = build_idcard_reader({**section, "driver": driver}).backend
    except ValueError as exc:
        raise SystemExit(f"kiosk-diag: {exc}") from exc
    backend.open()
    return backend


def _status(args) -> int:
    from devices.health import DeviceState

    backend = _backend(args)
    try:
        result = backend.self_test()
        status = result.status
        print(json.dumps({"device": status.device, "backend": status.backend, "state": status.state.value,
                          "detail": status.detail, "self_test": result.passed}, ensure_ascii=False))
        return EXIT_OK if status.state is DeviceState.ONLINE and result.passed else EXIT_NO_READER
    finally:
        backend.close()


def _read(args) -> int:
    from devices.health import DeviceState
    from devices.idcard import CardInserted, CardReadError

    backend = _backend(args)
    try:
        if backend.status().state is not DeviceState.ONLINE:
            print(json.dumps({"error": "reader missing", "detail": backend.status().detail}))
            return EXIT_NO_READER
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline:
            event = backend.poll(min(0.5, max(0.01, deadline - time.monotonic())))
            if isinstance(event, CardInserted):
                print(json.dumps(identity_json(event.identity, masked=not args.unmasked),
                                 ensure_ascii=False, indent=2))
                return EXIT_OK
            if isinstance(event, CardReadError):
                print(json.dumps({"error": "read failed", "reason": event.reason}))
                return EXIT_READ_FAILED
            if backend.status().state is not DeviceState.ONLINE:
                print(json.dumps({"error": "reader missing", "detail": backend.status().detail}))
                return EXIT_NO_READER
        print(json.dumps({"error": "no card", "timeout_s": args.timeout}))
        return EXIT_NO_CARD
    finally:
        backend.close()


def identity_json(identity, masked: bool = True) -> dict[str, Any]:
    """The identity for a terminal; masked: the kiosk's masks, dates reduced to the year."""
    def date(value: dt.date | None) -> str | None:
        if value is None:
            return None
        return f"{value.year}-**-**" if masked else value.isoformat()

    photo = identity.photo
    jpeg2000 = photo[:4] in (b"\x00\x00\x00\x0c", b"\xffO\xffQ")
    kind = "jpeg" if photo.startswith(b"\xff\xd8") else "jpeg2000" if jpeg2000 else "wlt" if photo else None
    return {
        "kind": identity.kind.value,
        "name": identity.masked_name if masked else identity.name,
        "chinese_name": (identity.chinese_name[:1] + "*" * (len(identity.chinese_name) - 1)) if masked
        else identity.chinese_name,
        "document_number": identity.masked_number if masked else identity.document_number,
        "sex": identity.sex,
        "nation": identity.nation,
        "nationality": identity.nationality,
        "birth_date": date(identity.birth_date),
        "address": (identity.address[:3] + "***" if identity.address else "") if masked else identity.address,
        "issuing_authority": identity.issuing_authority,
        "valid_from": identity.valid_from.isoformat() if identity.valid_from else None,
        "valid_until": identity.valid_until.isoformat() if identity.valid_until
        else "长期" if identity.kind.value == "resident_id" else None,
        "photo": {"format": kind, "bytes": len(photo)} if photo else None,
        "masked": masked,
    }
