"""Fuzz harness: slips with hostile text (every field of the 收件凭证, correction notice,
queue ticket, progress slip and kept-application slip) -> ESC/POS, and the PNG preview.

Contract: any text renders without an exception, and no byte of a field reaches the
printer as a command: the printer commands of a slip (read back with our emulator's
parser) are those of the same slip with plain text in every field; a control character
in a field prints as a space would; a row never exceeds the paper's columns.

Input: the first byte picks the slip (bits 0-2), the printer (bits 3-4), the language
(bit 5) and whether the PNG preview is drawn too (bit 6); the rest is up to 14 fields
separated by FIELD_SEPARATOR (tests/fuzz/support.py), each UTF-8 with lone surrogates
allowed, else Latin-1.
"""
from __future__ import annotations

import datetime as dt
import sys
import tempfile
import unicodedata
from pathlib import Path

if __name__ == "__main__":  # run as the fuzzer: the repository on the path
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from domain.county import CST
from tests.fuzz.support import fields, instrumented, run_fuzzer  # noqa: E402

with instrumented(__name__):
    from qrcode.exceptions import DataOverflowError

    from devices.fonts import CANDIDATES
    from devices.printer import escpos_parse
    from devices.printer.layout import _columns, escpos_bytes, qr_modules
    from devices.printer.profile import ReceiptPrinterProfile
    from domain.cases import CaseDetail, CaseStatus, TimelineEntry
    from domain.receipts import (
        ApplicationReceipt,
        CorrectionNotice,
        DeferredMaterial,
        Deficiency,
        MaterialForm,
        QueueTicket,
        ReceivedMaterial,
    )
    from kiosk.i18n import Translator
    from services import receipts, slips
    from services.preview import render_slip_png

FIELDS = 14
# Fields 0 and 10 are QR payloads too (the case number, the tracking token): the back
# office's, so bounded; a payload beyond a QR code's capacity is test_fuzz_findings.py's.
QR_FIELD_MAX = 512
QR_FIELDS = (0, 10)
NOW = dt.datetime(2026, 11, 27, 9, 30, tzinfo=CST)
DUE = dt.date(2026, 12, 11)
PRINTERS = (
    ReceiptPrinterProfile(native_qr=True),  # 80 mm, GB18030; GS ( k is quick to make
    ReceiptPrinterProfile(paper_width_px=384, columns=32, native_qr=True),  # 58 mm
    ReceiptPrinterProfile(),  # 80 mm, raster QR
    ReceiptPrinterProfile(code_page="CP437", chinese_mode=False, native_qr=True),
)
TRANSLATE = {language: Translator(language).gettext for language in ("zh_CN", "en")}
FONT = next((p for p in CANDIDATES if p.exists()), None)
PREVIEW = Path(tempfile.mkdtemp(prefix="fuzz-slip-")) / "slip.png"


def application(s, language, _):
    receipt = ApplicationReceipt(
        case_number=s[0], received_at=NOW, terminal_id=s[1], item_name=s[2], item_code=s[3],
        applicant_masked=s[4],
        materials=(ReceivedMaterial(s[5], MaterialForm.ORIGINAL, 1, licence_id=s[6], name_en=s[7]),
                   ReceivedMaterial(s[8], MaterialForm.COPY, 2)),
        deferred=(DeferredMaterial(s[9], DUE),), commitment_signed=True, promised_days=20,
        promised_date=DUE, tracking_token=s[10], hotline=s[11], issuing_office=s[12],
        item_name_en=s[13])
    return receipts.application_receipt(receipt, NOW, _, language)


def correction(s, language, _):
    notice = CorrectionNotice(
        case_number=s[0], item_name=s[2], applicant_masked=s[4], issued_at=NOW,
        deficiencies=(Deficiency(s[5], s[6]), Deficiency(s[8], s[9])), due=DUE, department=s[12],
        hotline=s[11], issuing_office=s[3], item_name_en=s[13], department_en=s[7],
        issuing_office_en=s[10])
    return receipts.correction_notice_slip(notice, s[1], NOW, _, language)


def queue_ticket(s, language, _):
    ticket = QueueTicket(ticket_number=s[0], window=s[2], issued_at=NOW, item_name=s[3],
                         waiting_ahead=3, appointment_slot=s[4], notes=(s[5], s[6]),
                         window_en=s[7], item_name_en=s[13])
    return receipts.queue_ticket_slip(ticket, s[1], NOW, _, language)


def progress(s, language, _):
    case = CaseDetail(
        number=s[0], item_name=s[2], status=CaseStatus.IN_REVIEW, department=s[3], received_at=NOW, promised_date=DUE,
        item_name_en=s[13], department_en=s[7], applicant_masked=s[4], tracking_token=s[10],
        timeline=(TimelineEntry(NOW, CaseStatus.RECEIVED, s[5], s[6], s[8], s[9]),))
    return slips.progress_slip(case, s[1], NOW, _, language)


def kept(s, language, _):
    return receipts.queued_application_slip(s[0], s[2], s[4], 3, NOW, s[1], NOW, _)


SLIPS = (application, correction, queue_ticket, progress, kept)


def _plain(s: str) -> str:
    return "x" if s else ""  # plain text, and an empty field stays empty


def _fits_a_code(payload: str) -> bool:
    """Whether the slip will carry this payload's QR code. qrcode 8.2 also refuses some
    payloads that would fit (`ValueError: glog(0)`, lincolnloop/python-qrcode#330, fixed
    upstream, not yet released): such a slip prints without its code, and its references
    in this harness must too."""
    try:
        qr_modules(payload.encode("utf-8", "replace").decode("utf-8"))
    except (DataOverflowError, ValueError):
        return False
    return True


def _plain_payload(s: str) -> str:
    """A QR code's payload made plain at its own size in bytes (so it fits a code or not as
    the real one does)."""
    return "x" * len(s.encode("utf-8", "replace")) if _fits_a_code(s) else "x" * 3000  # beyond any code


def _spaced_payload(s: str) -> str:
    spaced = _spaced(s)
    return spaced if _fits_a_code(spaced) == _fits_a_code(s) else s  # where qrcode alone tells them apart


def _spaced(s: str) -> str:
    return "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in s)


def _ops(data: bytes):
    """(op, raw bytes) for every command the printer would see."""
    out, i = [], 0
    while i < len(data):
        found = escpos_parse._parse_one(bytearray(data), i)
        assert found is not None, "the slip ends inside a command"
        op, end = found
        out.append((op, data[i:end]))
        i = end
    return out


def _commands(ops) -> list:
    """Everything but text: images and QR codes by name only (their data is the payload)."""
    return [(op.name,) if op.name in ("raster", "qr") else (op.name, op.arg)
            for op, _ in ops if op.name not in ("text", "lf")]


def _shape(ops) -> list:
    return [(op.name,) if op.name in ("raster", "qr") else (op.name, op.arg, op.data) for op, _ in ops]


def test_one_input(data: bytes) -> None:
    if not data:
        return
    make = SLIPS[(data[0] & 7) % len(SLIPS)]
    printer = PRINTERS[(data[0] >> 3) & 3]
    language = "en" if data[0] & 0x20 else "zh_CN"
    _ = TRANSLATE[language]
    s = fields(data[1:], FIELDS)
    for i in QR_FIELDS:
        s[i] = s[i][:QR_FIELD_MAX]
    doc = make(s, language, _)
    printed = escpos_bytes(doc, printer)
    ops = _ops(printed)
    reference = _ops(escpos_bytes(make([_plain_payload(x) if i in QR_FIELDS else _plain(x) for i, x in enumerate(s)],
                                       language, _), printer))
    assert _commands(ops) == _commands(reference), "a field's bytes reached the printer as a command"
    spaced = _ops(escpos_bytes(make([_spaced_payload(x) if i in QR_FIELDS else _spaced(x) for i, x in enumerate(s)],
                                    language, _), printer))
    assert _shape(ops) == _shape(spaced), "a control character did not print as a space"
    for op, raw in ops:
        assert op.name != "lf" or raw == b"\n", "a form feed reached the printer"
        assert op.name != "text" or b"\t" not in raw, "a tab reached the printer"
    if printer.writes_gb18030:
        rows = b"".join(raw for op, raw in ops if op.name in ("text", "lf")).split(b"\n")
        for row in rows:
            assert _columns(row.decode("gb18030")) <= printer.columns, "a row wider than the paper"
    if data[0] & 0x40 and FONT is not None:
        render_slip_png(doc, FONT, PREVIEW, width_px=printer.paper_width_px)


if __name__ == "__main__":
    run_fuzzer(test_one_input)
