"""`kiosk-diag printer status|test-page|print-receipt`: the receipt printer.

    kiosk-diag printer status [--uri tcp://192.168.1.50:9100]
    kiosk-diag printer test-page [--uri serial:///dev/ttyUSB0?baudrate=19200]
    kiosk-diag printer print-receipt FILE.json [--uri usb://04b8:0202]
    kiosk-diag printer new-roll

new-roll tells the kiosk's paper count (devices/printer/paper.py) that a full roll was
put in before the old one ran out; a roll put in after "paper out" is noticed by itself.

Without --uri the hardware profile's printer is used. FILE.json holds
{"kind": "application_receipt" | "queue_ticket" | "correction_notice", ...fields of the
domain.receipts model}. Results are JSON on stdout. Exit codes: 0 ok, 2 bad input,
3 printer needs attention (paper, cover), 4 printer unreachable or silent, 5 print failed.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from domain.county import CST

EXIT_OK, EXIT_BAD_INPUT, EXIT_ATTENTION, EXIT_UNREACHABLE, EXIT_FAILED = 0, 2, 3, 4, 5


def register(subparsers) -> None:
    parser = subparsers.add_parser("printer", help="receipt printer (ESC/POS)")
    actions = parser.add_subparsers(dest="action", required=True)
    roll = actions.add_parser("new-roll", help="a full paper roll was put in: count from it")
    roll.set_defaults(handler=_new_roll)
    for name, handler, help_text in (("status", _status, "DLE EOT status"),
                                     ("test-page", _test_page, "print a test page"),
                                     ("print-receipt", _print_receipt, "print a receipt from JSON")):
        sub = actions.add_parser(name, help=help_text)
        sub.add_argument("--uri", help="tcp://HOST:PORT, serial:///dev/X?baudrate=N, usb://VID:PID, "
                                       "file:///PATH (default: the hardware profile's printer)")
        sub.add_argument("--lang", default="zh_CN", choices=("zh_CN", "en"))
        sub.set_defaults(handler=handler)
        if name == "print-receipt":
            sub.add_argument("file", type=Path)


def _printer(args):
    from devices.printer import ReceiptPrinter
    from devices.printer.build import receipt_printer_target
    from kiosk.config import load_config
    from kiosk.runtime.escpos_cache import keep_escpos_capabilities

    config = load_config()
    keep_escpos_capabilities(config.var_dir)  # the kiosk's parsed printer database, not a new /tmp folder
    target = args.uri or receipt_printer_target(config.profile.sections.get("receipt_printer", {}), config.var_dir)
    printer = ReceiptPrinter(target, config.profile.receipt_printer)
    printer.open()
    return printer, config.terminal_id


def _exit_for(status) -> int:
    from devices.health import DeviceState

    if status.usable:
        return EXIT_OK
    if status.state in (DeviceState.OFFLINE, DeviceState.NO_DEVICE):
        return EXIT_UNREACHABLE
    return EXIT_ATTENTION


def _emit(**fields) -> None:
    print(json.dumps(fields, ensure_ascii=False, default=str))


def _new_roll(_args) -> int:
    from devices.printer.build import paper_meter
    from kiosk.config import load_config

    config = load_config()
    meter = paper_meter(config.profile.receipt_printer, config.var_dir)
    meter.new_roll()
    _emit(ok=True, paper=meter.level().describe())
    return EXIT_OK


def _status(args) -> int:
    try:
        printer, _ = _printer(args)
    except ValueError as exc:
        _emit(ok=False, error=str(exc))
        return EXIT_BAD_INPUT
    status = printer.status()
    printer.close()
    _emit(ok=status.usable, backend=status.backend, state=status.state.value,
          media=status.media.value if status.media else None, detail=status.detail)
    return _exit_for(status)


def _test_page(args) -> int:
    from domain.slips import Field, Line, QrCode, Rule, SlipDocument

    try:
        printer, terminal = _printer(args)
    except ValueError as exc:
        _emit(ok=False, error=str(exc))
        return EXIT_BAD_INPUT
    p = printer.profile
    now = dt.datetime.now(CST)
    doc = SlipDocument("打印机测试页 Test page", (
        Field("终端 Terminal", terminal), Field("型号 Model", p.model),
        Field("纸宽 Paper", f"{p.paper_width_px} dots, {p.columns} columns"),
        Field("编码 Code page", f"{p.code_page}, FS & {'on' if p.chinese_mode else 'off'}"),
        Rule(), Line("澄迈县政务服务中心 一窗综办 24小时自助服务"),
        Line("标点「」、。；：！？ ABCabc 0123456789"), Rule(),
        QrCode(f"KIOSK-TEST-PAGE {terminal} {now:%Y%m%d%H%M%S}"),
        Line(f"{now:%Y-%m-%d %H:%M:%S} (UTC+8)", align="center"),
    ), now)
    return _print(printer, doc)


def _print_receipt(args) -> int:
    from kiosk.i18n import Translator

    try:
        printer, terminal = _printer(args)
        doc = slip_from_json(json.loads(args.file.read_text(encoding="utf-8")), terminal,
                             Translator(args.lang).gettext)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        _emit(ok=False, error=f"{type(exc).__name__}: {exc}")
        return EXIT_BAD_INPUT
    return _print(printer, doc)


def _print(printer, doc) -> int:
    result = printer.print_slip(doc)
    printer.close()
    _emit(ok=result.ok, state=result.status.state.value,
          media=result.status.media.value if result.status.media else None,
          incomplete=result.incomplete, detail=result.detail,
          job=str(result.job_path) if result.job_path else None)
    if result.ok:
        return EXIT_OK
    return EXIT_FAILED if result.incomplete and _exit_for(result.status) == EXIT_OK else _exit_for(result.status)


def slip_from_json(data: dict, terminal_id: str, _):
    """Build a slip from the JSON form of a domain.receipts model."""
    from domain import receipts as m
    from services.receipts import application_receipt, correction_notice_slip, queue_ticket_slip

    now = dt.datetime.now(CST)
    kind = data.pop("kind", "")
    if kind == "application_receipt":
        data["received_at"] = _when(data["received_at"])
        data["materials"] = tuple(m.ReceivedMaterial(x["name"], m.MaterialForm(x.get("form", "original")),
                                                     int(x.get("copies", 1)), x.get("licence_id", ""))
                                  for x in data.get("materials", ()))
        data["deferred"] = tuple(m.DeferredMaterial(x["name"], dt.date.fromisoformat(x["due"]))
                                 for x in data.get("deferred", ()))
        if data.get("promised_date"):
            data["promised_date"] = dt.date.fromisoformat(data["promised_date"])
        return application_receipt(m.ApplicationReceipt(**data), now, _)
    if kind == "correction_notice":
        data["issued_at"] = _when(data["issued_at"])
        data["deficiencies"] = tuple(m.Deficiency(x["material"], x["problem"]) for x in data["deficiencies"])
        data["due"] = dt.date.fromisoformat(data["due"]) if data.get("due") else None
        return correction_notice_slip(m.CorrectionNotice(**data), terminal_id, now, _)
    if kind == "queue_ticket":
        data["issued_at"] = _when(data.get("issued_at") or now.isoformat())
        data["notes"] = tuple(data.get("notes", ()))
        return queue_ticket_slip(m.QueueTicket(**data), terminal_id, now, _)
    raise ValueError(f"unknown kind {kind!r}: application_receipt, correction_notice or queue_ticket")


def _when(text: str) -> dt.datetime:
    at = dt.datetime.fromisoformat(text)
    return at if at.tzinfo else at.replace(tzinfo=CST)
