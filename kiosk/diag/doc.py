"""`kiosk-diag doc print FILE.pdf`: print an A4 PDF and follow the job to its end.

    kiosk-diag doc print FILE.pdf [--queue KioskA4] [--server /run/cups/cups.sock]

Without --queue the hardware profile's [document_printer] is used. The result is JSON on
stdout. Exit codes: 0 printed, 2 bad input, 4 printer unreachable or stopped, 5 job failed.
"""
from __future__ import annotations

import json
from pathlib import Path

EXIT_OK, EXIT_BAD_INPUT, EXIT_UNREACHABLE, EXIT_FAILED = 0, 2, 4, 5


def register(subparsers) -> None:
    parser = subparsers.add_parser("doc", help="document printer (A4 through CUPS)")
    actions = parser.add_subparsers(dest="action", required=True)
    sub = actions.add_parser("print", help="print a PDF")
    sub.add_argument("file", type=Path)
    sub.add_argument("--queue", help="CUPS queue (default: the hardware profile's)")
    sub.add_argument("--server", help="CUPS server: host or Unix socket path")
    sub.add_argument("--title", default="kiosk-diag")
    sub.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for the job")
    sub.set_defaults(handler=_print)


def _print(args) -> int:
    from devices.printer.build import build_document_printer
    from devices.printer.document import CupsDocumentPrinter

    if not args.file.is_file() or args.file.read_bytes()[:5] != b"%PDF-":
        print(json.dumps({"ok": False, "error": f"{args.file} is not a PDF file"}))
        return EXIT_BAD_INPUT
    if args.queue:
        printer = CupsDocumentPrinter(args.queue, args.server, job_timeout_s=args.timeout)
    else:
        from kiosk.config import load_config

        config = load_config()
        printer = build_document_printer(config.profile.sections.get("document_printer", {}),
                                         config.var_dir)
    printer.open()
    result = printer.print_pdf(args.file, args.title)
    print(json.dumps({"ok": result.ok, "backend": result.status.backend,
                      "state": result.status.state.value, "job": result.job_id,
                      "job_state": result.job_state, "detail": result.detail,
                      "output": str(result.output) if result.output else None}, ensure_ascii=False))
    if result.ok:
        return EXIT_OK
    return EXIT_FAILED if result.job_id else EXIT_UNREACHABLE
