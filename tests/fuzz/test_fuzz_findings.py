"""What the fuzzers found that their corpus does not replay: a QR payload beyond any QR
code's capacity (the receipts harness keeps payloads to what the back office signs)."""
from __future__ import annotations

import datetime as dt

from devices.fonts import find_cjk_font
from devices.printer import escpos_parse
from devices.printer.layout import escpos_bytes
from devices.printer.profile import ReceiptPrinterProfile
from domain.slips import Field, QrCode, SlipDocument
from services.preview import render_slip_png

NOW = dt.datetime(2026, 11, 27, 9, 30)
TOO_LONG = "码" * 1500  # 4500 UTF-8 bytes: more than a version 40 QR code holds


def _ops(doc: SlipDocument, profile: ReceiptPrinterProfile) -> list[str]:
    return [op.name for op in escpos_parse.EscPosParser().feed(escpos_bytes(doc, profile))]


def test_a_payload_no_qr_code_holds_prints_the_slip_without_it(tmp_path):
    doc = SlipDocument("收件凭证", (Field("办件编号", "CM2026112700012"), QrCode(TOO_LONG)), NOW)
    for profile in (ReceiptPrinterProfile(), ReceiptPrinterProfile(native_qr=True)):
        ops = _ops(doc, profile)
        assert "raster" not in ops and "qr" not in ops and "cut" in ops
    image = render_slip_png(doc, find_cjk_font(), tmp_path / "slip.png", width_px=384)
    assert image.exists()


def test_a_long_token_fits_narrow_paper_as_a_raster_code():
    profile = ReceiptPrinterProfile(paper_width_px=384, columns=32)
    doc = SlipDocument("收件凭证", (QrCode("CM1." + "A" * 400 + ".\ud800"),), NOW)
    rasters = [op for op in escpos_parse.EscPosParser().feed(escpos_bytes(doc, profile)) if op.name == "raster"]
    assert rasters and all(op.arg[1] * 8 <= 384 for op in rasters)  # bytes per row, 8 dots each
