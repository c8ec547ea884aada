"""Printing: receipt layout and delivery to the TCP 9100 emulator, emulator rendering, and A4
PDF rendering. Baselines, measured in the same run: the same receipt bytes written in one
go through python-escpos' Network backend with no status questions, and a one-line A4 PDF
with the same embedded CJK font."""
from __future__ import annotations

import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.report import goal_line
from domain.county import CST

COMMAND = ".venv/bin/python -m benchmarks printing"


def _median_ms(fn, repeat: int) -> float:
    fn()  # warm-up: fonts, glyph caches, connections
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _receipt():
    from domain.receipts import ApplicationReceipt, DeferredMaterial, MaterialForm, ReceivedMaterial

    return ApplicationReceipt(
        case_number="469023-2026-000123", received_at=dt.datetime(2026, 11, 27, 21, 4, tzinfo=CST),
        terminal_id="CM-KIOSK-0007", item_name="个体工商户设立登记", item_code="469023-XK-SC-0001",
        applicant_masked="李*",
        materials=(ReceivedMaterial("个体工商户登记申请书", MaterialForm.ORIGINAL),
                   ReceivedMaterial("经营场所使用证明", MaterialForm.COPY, 2)),
        deferred=(DeferredMaterial("消防安全检查合格证明", dt.date(2026, 12, 11)),),
        commitment_signed=True, promised_days=3, promised_date=dt.date(2026, 12, 2),
        tracking_token="CM1.bench.469023-2026-000123")


def run() -> str:
    from escpos.printer import Network
    from reportlab.pdfgen import canvas

    from devices.printer import ReceiptPrinter, ReceiptPrinterProfile
    from devices.printer.emulator import PrinterEmulator
    from devices.printer.layout import escpos_bytes
    from kiosk.i18n import Translator
    from services.documents.certificate import Certificate, certificate_pdf
    from services.documents.pdf import FONT, register_font
    from services.receipts import application_receipt

    _ = Translator("zh_CN").gettext
    now = dt.datetime(2026, 11, 27, 21, 5, tzinfo=CST)
    doc = application_receipt(_receipt(), now, _)
    profile = ReceiptPrinterProfile()
    data = escpos_bytes(doc, profile)
    rows = []
    with PrinterEmulator() as emu:
        printer = ReceiptPrinter(emu.uri, profile)
        raw = Network("127.0.0.1", emu.port, profile="default")

        def plain_send():
            # Layout, one write, and wait until the emulator has printed it: the same work
            # as print_slip without the status questions between blocks.
            count = len(emu.receipts)
            raw.open()
            raw._raw(escpos_bytes(doc, profile))
            emu.wait_for_receipts(count + 1)
            raw.close()

        layout = _median_ms(lambda: escpos_bytes(doc, profile), 30)
        def checked_print():
            if not printer.print_slip(doc).ok:  # a failed print is not a fast one
                raise RuntimeError("the emulator did not print the receipt")

        checked = _median_ms(checked_print, 20)
        plain = _median_ms(plain_send, 20)
        receipt = emu.wait_for_receipt()
        png = _median_ms(lambda: receipt.image(emu.width), 20)
        printer.close()
    rows += [
        ("Receipt layout (SlipDocument -> ESC/POS bytes)", layout, None),
        ("Receipt layout + print to the emulator, status checked between blocks", checked, plain),
        ("Baseline: layout + one write + emulator printed it, no status questions", plain, None),
        ("Emulator: printed receipt -> PNG", png, None),
    ]
    cert = Certificate("营业执照", "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U",
                       "澄迈县福山咖啡有限公司", "澄迈县市场监督管理局", dt.date(2026, 11, 20),
                       fields=(("经营范围", "咖啡制售；预包装食品销售"),))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        register_font()

        def one_line():
            c = canvas.Canvas(str(out / "base.pdf"))
            c.setFont(FONT, 20)
            c.drawString(72, 700, "营业执照 澄迈县市场监督管理局")
            c.save()

        a4 = _median_ms(lambda: certificate_pdf(cert, out / "cert.pdf", "CM-KIOSK-0007", now, _), 10)
        base = _median_ms(one_line, 10)
        size = (out / "cert.pdf").stat().st_size
    rows += [
        ("A4 e-licence PDF (table, vector QR, CJK subset embedded)", a4, base),
        ("Baseline: one-line A4 PDF, same font", base, None),
    ]
    lines = [
        "## Printing", "",
        f"Command: `{COMMAND}`. Median of repeated runs on this machine; receipt = the 收件凭证 "
        f"application receipt ({len(data)} bytes of ESC/POS, raster QR); emulator on 127.0.0.1. "
        f"The certificate PDF is {size // 1024} KB.", "",
        "| Measurement | Median ms | Ratio to its baseline |", "|---|---:|---:|",
    ]
    for name, ms, baseline in rows:
        ratio = f"{ms / baseline:.1f}x" if baseline else ""
        lines.append(f"| {name} | {ms:.2f} | {ratio} |")
    lines += ["", "The status questions between blocks catch a paper-out mid-receipt; they are the price of never "
              "trusting silence.", "",
              goal_line("a receipt laid out and printed, status questions included, well under a second (100 ms)",
                        f"median {checked:.1f} ms ({checked / plain:.1f}x the bare write)", checked < 100)]
    return "\n".join(lines)
