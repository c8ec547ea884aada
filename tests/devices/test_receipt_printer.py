"""The receipt printer writes real ESC/POS through python-escpos: Chinese as GB18030
after FS &, a raster QR code, and a cut."""
import datetime as dt

from devices.health import DeviceState, MediaState
from devices.printer import ReceiptPrinter, ReceiptPrinterProfile
from devices.printer.receipt import FS_CHINESE_MODE_ON
from domain.cases import CaseDetail, CaseStatus, TimelineEntry
from domain.county import CST
from kiosk.i18n import Translator
from services.slips import progress_slip

CASE = CaseDetail(
    number="469023-0003",
    item_name="不动产登记资料查询",
    status=CaseStatus.CORRECTION_REQUIRED,
    department="澄迈县自然资源和规划局",
    received_at=dt.datetime(2026, 11, 25, 20, 48, tzinfo=CST),
    promised_date=dt.date(2026, 11, 30),
    item_code="469023-QR-ZR-0102",
    applicant_masked="王*",
    timeline=(
        TimelineEntry(dt.datetime(2026, 11, 25, 20, 48, tzinfo=CST), CaseStatus.RECEIVED,
                      "澄迈县政务服务中心综合受理窗口", "24小时自助终端夜间收件"),
    ),
)


def slip(language="zh_CN"):
    t = Translator(language)
    return progress_slip(CASE, "CM-KIOSK-0001", dt.datetime(2026, 11, 27, 9, 0, tzinfo=CST), t.gettext)


def test_slip_bytes_decode_as_gb18030_with_the_case_number(tmp_path):
    printer = ReceiptPrinter(tmp_path / "spool")
    printer.open()
    result = printer.print_slip(slip())
    assert result.ok, result.detail
    data = result.job_path.read_bytes()
    assert data.startswith(b"\x1b@")  # ESC @ initialise
    assert FS_CHINESE_MODE_ON in data
    text = data.decode("gb18030", errors="replace")
    assert "469023-0003" in text
    assert "办件进度单" in text
    assert "不动产登记资料查询" in text
    assert "待补正" in text
    assert "王*" in text
    assert b"\x1dv0" in data  # GS v 0: the raster QR code
    assert b"\x1dV" in data[-8:]  # GS V: cut


def test_english_slip(tmp_path):
    printer = ReceiptPrinter(tmp_path / "spool")
    printer.open()
    data = printer.print_slip(slip("en")).job_path.read_bytes()
    assert b"Case progress slip" in data and b"Correction required" in data


def test_profile_without_chinese_mode_does_not_send_fs_ampersand(tmp_path):
    printer = ReceiptPrinter(tmp_path / "spool", ReceiptPrinterProfile(chinese_mode=False))
    printer.open()
    data = printer.print_slip(slip()).job_path.read_bytes()
    assert FS_CHINESE_MODE_ON not in data


def test_each_job_gets_its_own_file(tmp_path):
    printer = ReceiptPrinter(tmp_path / "spool")
    printer.open()
    first = printer.print_slip(slip()).job_path
    second = printer.print_slip(slip()).job_path
    assert first != second and first.exists() and second.exists()


def test_status_does_not_claim_paper_it_cannot_see(tmp_path):
    printer = ReceiptPrinter(tmp_path / "spool")
    printer.open()
    status = printer.status()
    assert status.state is DeviceState.ONLINE
    assert status.media is MediaState.UNKNOWN


def test_missing_spool_folder_is_a_status_not_a_crash(tmp_path):
    printer = ReceiptPrinter(tmp_path / "gone" / "spool")  # never opened
    result = printer.print_slip(slip())
    assert not result.ok
    assert result.status.state is DeviceState.NO_DEVICE
