"""The receipt printer facade over TCP 9100 against our emulator: status polling from real
DLE EOT replies, paper running out mid-receipt, a cover opened, a printer that says
nothing, a dropped connection, and the receipt read back from the emulator's paper."""
import datetime as dt
import socket

import pytest
import zxingcpp

from devices.health import DeviceState, MediaState
from devices.printer import ReceiptPrinter, ReceiptPrinterProfile
from devices.printer.emulator import PrinterEmulator
from devices.printer.layout import escpos_bytes
from devices.printer.transports import NetworkTransport
from domain.county import CST
from domain.slips import Field, Heading, Line, QrCode, Rule, SlipDocument

FAST = ReceiptPrinterProfile(status_timeout_s=0.3)


def slip(lines: int = 6) -> SlipDocument:
    blocks = [Field("办件编号", "469023-0003"), Field("申请人", "王*"), Rule(), Heading("办理进度")]
    blocks += [Line(f"第{i}步 审查中「」、") for i in range(1, lines + 1)]
    blocks += [QrCode("CMCASE:469023-0003"), Line("澄迈县政务服务中心", align="center")]
    return SlipDocument("办件进度单", tuple(blocks), dt.datetime(2026, 11, 27, 9, 0, tzinfo=CST))


@pytest.fixture
def emu():
    with PrinterEmulator() as emulator:
        yield emulator


def qr_texts(receipt, width=576):
    return [c.text for c in zxingcpp.read_barcodes(receipt.image(width))]


def test_a_receipt_comes_out_whole_and_reads_back(emu):
    printer = ReceiptPrinter(emu.uri, FAST)
    result = printer.print_slip(slip())
    assert result.ok, result.detail
    assert result.status.media is MediaState.OK
    receipt = emu.wait_for_receipt()
    assert receipt.cut
    assert receipt.lines[0] == "办件进度单"
    assert "办件编号：469023-0003" in receipt.lines
    assert "第3步 审查中「」、" in receipt.lines  # CJK punctuation intact, not "???"
    assert qr_texts(receipt) == ["CMCASE:469023-0003"]


def test_native_qr_profile_sends_gs_k_and_still_reads_back(emu):
    printer = ReceiptPrinter(emu.uri, ReceiptPrinterProfile(native_qr=True, status_timeout_s=0.3))
    assert printer.print_slip(slip()).ok
    assert b"\x1d(k" in emu.received and b"\x1dv0" not in emu.received
    assert qr_texts(emu.wait_for_receipt()) == ["CMCASE:469023-0003"]


def test_without_fs_ampersand_a_printer_in_ascii_mode_prints_mojibake(emu):
    """Why the profile's chinese_mode matters: the emulator (like a printer whose default is
    not Chinese mode) decodes through the code page unless it is sent FS &."""
    printer = ReceiptPrinter(emu.uri, ReceiptPrinterProfile(chinese_mode=False, status_timeout_s=0.3))
    assert printer.print_slip(slip()).ok
    assert "办件编号" not in emu.wait_for_receipt().text


def test_status_decodes_each_condition(emu):
    printer = ReceiptPrinter(emu.uri, FAST)
    assert printer.status().state is DeviceState.ONLINE
    emu.near_end = True
    assert printer.status().media is MediaState.LOW
    emu.cover_open = True
    status = printer.status()
    assert status.state is DeviceState.USER_ERROR and "cover open" in status.detail
    emu.cover_open, emu.paper_out = False, True
    status = printer.status()
    assert status.media is MediaState.OUT and not status.usable
    assert set(emu.status_queries) == {1, 2, 3, 4}


def test_a_silent_printer_is_offline_not_plenty_of_paper(emu):
    emu.silent = True
    printer = ReceiptPrinter(emu.uri, ReceiptPrinterProfile(status_timeout_s=0.2))
    status = printer.status()
    assert status.state is DeviceState.OFFLINE
    assert status.media is not MediaState.OK
    result = printer.print_slip(slip())
    assert not result.ok and not emu.receipts


def test_nothing_listening_is_a_status_not_a_crash():
    with socket.socket() as s:  # a port that was free a moment ago
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    printer = ReceiptPrinter(f"tcp://127.0.0.1:{port}", FAST)
    printer.open()
    assert printer.status().state is DeviceState.OFFLINE
    result = printer.print_slip(slip())
    assert not result.ok and result.status.state is DeviceState.OFFLINE


def test_paper_out_mid_receipt_is_reported_and_the_receipt_printed_again(emu):
    whole = len(escpos_bytes(slip(), FAST))
    assert whole > 0
    emu.run_out_after(300)  # dots: the title and a few lines, then the roll ends
    printer = ReceiptPrinter(emu.uri, FAST)
    polled = []
    printer.on_status_change(polled.append)
    result = printer.print_slip(slip(lines=20))
    assert not result.ok and result.incomplete
    assert result.status.media is MediaState.OUT
    assert printer.has_failed_job
    torn = emu.wait_for_receipt()
    assert not torn.cut and "办件进度单" in torn.text and "CMCASE" not in str(qr_texts(torn))
    assert printer.poll().media is MediaState.OUT and polled[-1].media is MediaState.OUT

    emu.load_paper()
    again = printer.reprint()
    assert again is not None and again.ok, again.detail
    whole_receipt = emu.wait_for_receipts(2)[-1]
    assert whole_receipt.cut and "第20步 审查中「」、" in whole_receipt.lines
    assert qr_texts(whole_receipt) == ["CMCASE:469023-0003"]
    assert not printer.has_failed_job and printer.poll().media is MediaState.OK


def test_a_dropped_connection_is_reported_and_the_next_job_reconnects(emu):
    emu.drop_after = 200
    printer = ReceiptPrinter(emu.uri, FAST)
    result = printer.print_slip(slip(lines=20))
    assert not result.ok
    assert result.status.state is DeviceState.OFFLINE
    again = printer.reprint()
    assert again.ok, again.detail
    assert emu.connections >= 2
    assert emu.wait_for_receipts(1)[-1].cut


def test_status_reply_is_never_taken_from_image_data(emu):
    """A raster QR contains bytes 10 04 often enough; the emulator parses whole commands,
    so only real DLE EOT questions are answered, and the facade never reads stale replies."""
    transport = NetworkTransport("127.0.0.1", emu.port)
    printer = ReceiptPrinter(transport, FAST)
    for _ in range(3):
        assert printer.print_slip(slip()).ok
    assert len(emu.wait_for_receipts(3)) == 3
    assert transport.query(4, 0.3) == 0x12
    transport.close()
