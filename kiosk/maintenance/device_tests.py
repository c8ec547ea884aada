"""What the maintenance screen's test buttons do, one device at a time, without Kivy.

A status check cannot see a cutter that jams or a page that comes out blank, so the
printers print: a test receipt and a test A4 page for the technician to look at. The
other devices run their own self-test through the readiness report's check (which also
opens the document and face cameras for their frames). Each test answers with the device's fresh
readiness line, so the screen's tile shows the state after the test.

Blocking (printing, CUPS jobs, a camera frame, speech rendering): call off the UI thread.
The test slip and page are bilingual on purpose, like `kiosk-diag printer test-page`:
whoever reads them may not share the screen's language.
"""
from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domain.county import CST
from domain.slips import Field, Line, QrCode, Rule, SlipDocument
from kiosk.ops.readiness import DeviceCheck, check_device

TESTABLE = ("idcard", "receipt_printer", "document_printer", "scanner", "speech", "doccam", "face")


@dataclass(frozen=True)
class DeviceTest:
    passed: bool
    detail: str  # the device's own words, for staff
    check: DeviceCheck  # the device's readiness line after the test


def run_test(name: str, device: Any, terminal_id: str, var_dir: Path, now: dt.datetime) -> DeviceTest:
    if name == "receipt_printer":
        return _test_receipt(device, terminal_id, now)
    if name == "document_printer":
        return _test_page(device, terminal_id, var_dir, now)
    check = check_device(name, device, run_self_test=True)
    test = check.self_test
    if test is None:  # the check itself failed before the self-test could run
        return DeviceTest(False, check.reason, check)
    return DeviceTest(test.passed, test.detail or check.reason, check)


# --- receipt printer ---------------------------------------------------------------------
def receipt_test_slip(terminal_id: str, profile: Any, now: dt.datetime) -> SlipDocument:
    return SlipDocument("维护测试小票", (  # printed at double size: the English goes below
        Line("Maintenance test receipt", align="center"),
        Field("终端 Terminal", terminal_id),
        Field("型号 Model", profile.model),
        Field("纸宽 Paper", f"{profile.paper_width_px} dots, {profile.columns} columns"),
        Rule(),
        Line("澄迈县政务服务中心 24小时自助服务"),
        Line("标点「」、。；：！？ ABCabc 0123456789"),
        Rule(),
        QrCode(f"KIOSK-MAINTENANCE-TEST {terminal_id} {now:%Y%m%d%H%M%S}"),
        Line(f"{now.astimezone(CST):%Y-%m-%d %H:%M:%S} (UTC+8)", align="center"),
    ), now)


def _test_receipt(printer: Any, terminal_id: str, now: dt.datetime) -> DeviceTest:
    result = printer.print_slip(receipt_test_slip(terminal_id, printer.profile, now))
    detail = "test receipt printed" if result.ok else (result.detail or "not printed")
    return DeviceTest(result.ok, detail, check_device("receipt_printer", printer))


# --- document printer --------------------------------------------------------------------
def a4_test_page(out: Path, terminal_id: str, now: dt.datetime) -> Path:
    from services.documents.pdf import QrFlowable, build, field_table, para, stamp, styles

    st = styles()
    story = [
        para("打印机测试页 Printer test page", st["title"]),
        para("维护模式 Maintenance mode", st["subtitle"]),
        field_table([("终端 Terminal", terminal_id), ("时间 Time", stamp(now)),
                     ("纸张 Paper", "A4 210 × 297 mm")], st),
        para("澄迈县政务服务中心 一窗综办 24小时自助服务", st["heading"]),
        para("标点「」、。；：！？ ABCabc 0123456789", st["body"]),
        QrFlowable(f"KIOSK-MAINTENANCE-TEST {terminal_id} {now:%Y%m%d%H%M%S}"),
    ]
    return build(out, "Printer test page", story, f"{terminal_id}  {stamp(now)}")


def _test_page(printer: Any, terminal_id: str, var_dir: Path, now: dt.datetime) -> DeviceTest:
    # CUPS takes the file when the job is sent and the folder printer copies it, so the
    # PDF is not needed once print_pdf returns.
    with tempfile.TemporaryDirectory(dir=var_dir) as tmp:
        pdf = a4_test_page(Path(tmp) / "test-page.pdf", terminal_id, now)
        result = printer.print_pdf(pdf, "maintenance test page")
    detail = f"test page {result.job_state or 'printed'}" if result.ok else (result.detail or "not printed")
    return DeviceTest(result.ok, detail, check_device("document_printer", printer))
