"""Every printed template, laid out from domain models, sent through the network
backend to the emulator and read back from its paper: text compared, QR decoded."""
import dataclasses
import datetime as dt

import pytest
import zxingcpp

from devices.printer import ReceiptPrinter, ReceiptPrinterProfile
from devices.printer.emulator import PrinterEmulator
from domain.cases import CaseDetail, CaseStatus, TimelineEntry
from domain.county import CST
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
from services.receipts import application_receipt, correction_notice_slip, queue_ticket_slip
from services.slips import progress_slip

NOW = dt.datetime(2026, 11, 27, 21, 5, tzinfo=CST)
LICENCE = "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U"
TOKEN = "CMT1.receipt.469023-2026-000123.Zm9vYmFy"

RECEIPT = ApplicationReceipt(
    case_number="469023-2026-000123",
    received_at=dt.datetime(2026, 11, 27, 13, 4, tzinfo=dt.timezone.utc),  # 21:04 in Chengmai
    terminal_id="CM-KIOSK-0007",
    item_name="个体工商户设立登记",
    item_code="469023-XK-SC-0001",
    applicant_masked="李*",
    materials=(
        ReceivedMaterial("个体工商户登记申请书", MaterialForm.ORIGINAL, 1),
        ReceivedMaterial("经营场所使用证明", MaterialForm.COPY, 2),
        ReceivedMaterial("营业执照（电子证照）", MaterialForm.ELECTRONIC, 1, licence_id=LICENCE),
    ),
    deferred=(DeferredMaterial("消防安全检查合格证明", dt.date(2026, 12, 11)),),
    commitment_signed=True,
    promised_days=3,
    promised_date=dt.date(2026, 12, 2),
    tracking_token=TOKEN,
)
NOTICE = CorrectionNotice(
    case_number="469023-2026-000124",
    item_name="不动产登记资料查询",
    applicant_masked="王*",
    issued_at=NOW,
    deficiencies=(
        Deficiency("身份证明", "复印件不清晰，请提供原件；联系人 13812345678"),
        Deficiency("授权委托书", "缺少委托人 469023199003070020 的签名"),
    ),
    due=dt.date(2026, 12, 4),
    department="澄迈县自然资源和规划局",
)
TICKET = QueueTicket("B017", "企业开办综合窗口 3号", NOW, item_name="个体工商户设立登记",
                     waiting_ahead=4, appointment_slot="2026-11-27 21:00-21:30")
CASE = CaseDetail(
    number="469023-0003", item_name="不动产登记资料查询", status=CaseStatus.IN_REVIEW,
    department="澄迈县自然资源和规划局", received_at=NOW, promised_date=dt.date(2026, 12, 2),
    item_code="469023-QR-ZR-0102", applicant_masked="王*",
    timeline=(TimelineEntry(NOW, CaseStatus.RECEIVED, "澄迈县政务服务中心", ""),),
)


@pytest.fixture(scope="module")
def emu():
    with PrinterEmulator() as emulator:
        yield emulator


def print_and_read(emu, doc, tmp_path, name):
    before = len(emu.receipts)
    printer = ReceiptPrinter(emu.uri, ReceiptPrinterProfile(status_timeout_s=0.5))
    result = printer.print_slip(doc)
    assert result.ok, result.detail
    receipt = emu.wait_for_receipts(before + 1)[before]
    image = receipt.image(emu.width)
    receipt.save_png(tmp_path / f"{name}.png", emu.width)
    return receipt, [c.text for c in zxingcpp.read_barcodes(image)]


def test_application_receipt_carries_every_field_and_the_tracking_token(emu, tmp_path):
    _ = Translator("zh_CN").gettext
    receipt, codes = print_and_read(emu, application_receipt(RECEIPT, NOW, _), tmp_path, "receipt")
    lines = receipt.lines
    assert lines[0] == "收件凭证"
    for expected in ("办件编号：469023-2026-000123", "收件时间：2026-11-27 21:04 (UTC+8)",
                     "终端：CM-KIOSK-0007", "办理事项：个体工商户设立登记",
                     "事项编码：469023-XK-SC-0001", "申请人：李*", "1. 个体工商户登记申请书",
                     "   原件，1 份", "   复印件，2 份", "- 消防安全检查合格证明",
                     "  请于 2026-12-11 前补交", "承诺时限：3 个工作日", "承诺办结日期：2026-12-02",
                     "咨询投诉热线 12345", "澄迈县政务服务中心"):
        assert expected in lines, expected
    assert "已签署容缺受理信用承诺书" in receipt.text
    # too long for one row of 80 mm paper: its own rows, under the material's indent
    assert LICENCE in receipt.text.replace("\n   ", "")
    assert codes == [TOKEN]


def test_application_receipt_in_english(emu, tmp_path):
    _ = Translator("en").gettext
    english = dataclasses.replace(
        RECEIPT, item_name_en="Registering an individual business",
        materials=(dataclasses.replace(RECEIPT.materials[0], name_en="Application form"), *RECEIPT.materials[1:]),
        deferred=(dataclasses.replace(RECEIPT.deferred[0], name_en="Fire safety certificate"),))
    receipt, codes = print_and_read(emu, application_receipt(english, NOW, _, "en"), tmp_path, "receipt-en")
    assert receipt.lines[0] == "Application receipt"
    assert "Case number: 469023-2026-000123" in receipt.lines
    assert "Item: Registering an individual business" in receipt.lines
    assert "1. Application form" in receipt.lines and "- Fire safety certificate" in receipt.lines
    assert "2. 经营场所使用证明" in receipt.lines  # no English name sent: the Chinese one
    assert "   Original, 1 copy" in receipt.lines and "   Copy, 2 copies" in receipt.lines
    assert "Promised time limit: 3 working days" in receipt.lines
    # 49 characters on 48 columns: wrapped between words, not before the last letter
    assert "Chengmai County Government Affairs Service" in receipt.lines and "Center" in receipt.lines
    assert codes == [TOKEN]


def test_application_receipt_says_the_result_goes_by_post_to_the_masked_address(emu, tmp_path):
    posted = dataclasses.replace(RECEIPT, delivery_method="post", delivery_address_masked="金江镇建国社区居委会****")
    receipt, _codes = print_and_read(emu, application_receipt(posted, NOW, Translator("zh_CN").gettext), tmp_path,
                                     "receipt-post")
    assert "办理结果：免费邮寄（EMS）" in receipt.lines
    assert "邮寄至：金江镇建国社区居委会****" in receipt.lines
    english = application_receipt(posted, NOW, Translator("en").gettext, "en").plain_text()
    assert "Result: Free postal delivery (EMS)" in english and "Post to: 金江镇建国社区居委会****" in english
    collected = application_receipt(dataclasses.replace(RECEIPT, delivery_method="window"), NOW,
                                    Translator("zh_CN").gettext).plain_text()
    assert "办理结果: 综合窗口领取" in collected and "邮寄至" not in collected
    assert "办理结果" not in application_receipt(RECEIPT, NOW, Translator("zh_CN").gettext).plain_text()


def test_correction_notice_lists_every_deficiency_and_masks_stray_personal_data(emu, tmp_path):
    _ = Translator("zh_CN").gettext
    doc = correction_notice_slip(NOTICE, "CM-KIOSK-0007", NOW, _)
    receipt, codes = print_and_read(emu, doc, tmp_path, "notice")
    text = receipt.text.replace("\n", "")
    assert receipt.lines[0] == "补正告知单"
    assert "一次性告知" in text and "1. 身份证明" in text and "2. 授权委托书" in text
    assert "补正期限：2026-12-04" in text
    assert "13812345678" not in text and "138****5678" in text
    assert "469023199003070020" not in text and "4690**********0020" in text
    assert codes == ["469023-2026-000124"]


def test_queue_ticket(emu, tmp_path):
    _ = Translator("zh_CN").gettext
    receipt, codes = print_and_read(emu, queue_ticket_slip(TICKET, "CM-KIOSK-0007", NOW, _),
                                    tmp_path, "ticket")
    assert receipt.lines[0] == "排队号 B017"
    assert "办理窗口：企业开办综合窗口 3号" in receipt.lines
    assert "您前面还有 4 人" in receipt.lines
    assert codes == []


def test_progress_slip(emu, tmp_path):
    _ = Translator("zh_CN").gettext
    doc = progress_slip(CASE, "CM-KIOSK-0007", NOW, _)
    receipt, codes = print_and_read(emu, doc, tmp_path, "progress")
    assert receipt.lines[0] == "办件进度单"
    assert "当前状态：审查中" in receipt.lines
    assert codes == ["469023-0003"]


def test_progress_slip_in_english_uses_the_english_names():
    _ = Translator("en").gettext
    entry = dataclasses.replace(CASE.timeline[0], department_en="Chengmai County Government Affairs Service Center",
                                note="自助终端收件", note_en="Received at a self-service kiosk")
    case = dataclasses.replace(CASE, item_name_en="Searching real-estate registration records",
                               department_en="Chengmai County Bureau of Natural Resources and Planning",
                               timeline=(entry,))
    text = progress_slip(case, "CM-KIOSK-0007", NOW, _, "en").plain_text()
    assert "Item: Searching real-estate registration records" in text
    assert "Department: Chengmai County Bureau of Natural Resources and Planning" in text
    assert "  Received at a self-service kiosk" in text.splitlines()
    assert "不动产" not in text and "自助终端" not in text
    assert "Item: 不动产登记资料查询" in progress_slip(CASE, "CM-KIOSK-0007", NOW, _, "en").plain_text()


def test_58mm_paper_narrows_the_layout(emu, tmp_path):
    _ = Translator("zh_CN").gettext
    narrow = PrinterEmulator(width=384).start()
    try:
        printer = ReceiptPrinter(narrow.uri, ReceiptPrinterProfile(paper_width_px=384, columns=32,
                                                                   qr_module_size=4))
        assert printer.print_slip(application_receipt(RECEIPT, NOW, _)).ok
        receipt = narrow.wait_for_receipt()
        assert "-" * 32 in receipt.lines  # rules fit the paper instead of wrapping
        assert [c.text for c in zxingcpp.read_barcodes(receipt.image(384))] == [TOKEN]
    finally:
        narrow.stop()
