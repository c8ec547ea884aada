"""A4 documents through a real CUPS: the test run starts its own cupsd (a private folder,
a Unix socket, a cups-pdf queue), prints through pycups, follows each job to its end and
reads the PDF that cups-pdf wrote back: text with pypdf, the QR code with zxing-cpp after
rasterising with pypdfium2."""
import datetime as dt
import uuid
from pathlib import Path

import pytest

from devices.health import DeviceState
from devices.printer.document import CupsDocumentPrinter, FolderDocumentPrinter
from domain.county import CST
from domain.receipts import CorrectionNotice, Deficiency
from kiosk.i18n import Translator
from services.documents.certificate import Certificate, certificate_pdf
from services.documents.guide import GuideMaterial, ItemGuide, item_guide_pdf
from services.documents.notice import correction_notice_pdf
from tests.cups_support import compact_text as pdf_text
from tests.cups_support import (
    cups_pdfs,
    cups_queue,  # noqa: F401  (a fixture)
    needs_cups,
    pdf_qr_codes,
)

NOW = dt.datetime(2026, 11, 27, 21, 5, tzinfo=CST)
LICENCE = "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U"
CERT = Certificate("营业执照", LICENCE, "澄迈县福山咖啡有限公司", "澄迈县市场监督管理局",
                   dt.date(2026, 11, 20),
                   fields=(("经营者", "李*"), ("联系电话", "13812345678"), ("经营范围", "咖啡制售")),
                   verify_payload=f"CMLIC:{LICENCE}")
GUIDE = ItemGuide("469023-XK-SC-0001", "个体工商户设立登记", "行政许可", "澄迈县市场监督管理局",
                  legal_days=15, promised_days=3, visits=0, fees="不收费",
                  conditions=("申请人具有完全民事行为能力",),
                  materials=(GuideMaterial("个体工商户登记申请书"),
                             GuideMaterial("经营场所使用证明", "deferrable", "copy", 2, "租赁合同或产权证明")),
                  channels=("自助终端", "网上办"))
NOTICE = CorrectionNotice("469023-2026-000124", "不动产登记资料查询", "王*", NOW,
                          (Deficiency("身份证明", "复印件不清晰，请提供原件"),
                           Deficiency("授权委托书", "缺少委托人 469023199003070020 的签名")),
                          dt.date(2026, 12, 4), "澄迈县自然资源和规划局")

@pytest.fixture
def produced():
    """Titles used by a test; the PDFs cups-pdf wrote for them are removed afterwards."""
    titles = []
    yield titles
    for title in titles:
        for path in cups_pdfs(title):
            path.unlink()


def printed_pdf(title):
    found = sorted(cups_pdfs(title))
    assert len(found) == 1, found
    return found[0]


@needs_cups
def test_certificate_prints_through_cups_and_reads_back(cups_queue, tmp_path, produced):
    server, queue = cups_queue
    pdf = certificate_pdf(CERT, tmp_path / "cert.pdf", "CM-KIOSK-0007", NOW, Translator("zh_CN").gettext)
    title = f"kiosktest-{uuid.uuid4().hex[:8]}-cert"
    produced.append(title)
    result = CupsDocumentPrinter(queue, server, job_timeout_s=60).print_pdf(pdf, title)
    assert result.ok, result.detail
    assert result.job_state == "completed" and result.job_id
    out = printed_pdf(title)
    # cups-pdf goes through PostScript and ghostscript: the Chinese text keeps its mapping
    # (the queue renders with pdftocairo), Latin runs do not always, so identifiers are
    # checked in the QR code and, with the masking, in the PDF the kiosk sent.
    text = pdf_text(out)
    for expected in ("营业执照", "电子证照打印件", "澄迈县福山咖啡有限公司", "澄迈县市场监督管理局", "有效期至长期"):
        assert expected in text, expected
    assert pdf_qr_codes(out) == [f"CMLIC:{LICENCE}"]
    sent = pdf_text(pdf)
    assert LICENCE in sent and "138****5678" in sent and "13812345678" not in sent
    spool = Path(server).parent / "spool"  # the private cupsd's RequestRoot
    assert spool.is_dir() and not list(spool.glob("d*")), "CUPS kept the printed document"


@needs_cups
def test_guide_and_notice_print_through_cups(cups_queue, tmp_path, produced):
    server, queue = cups_queue
    _ = Translator("zh_CN").gettext
    printer = CupsDocumentPrinter(queue, server, job_timeout_s=60)
    guide = item_guide_pdf(GUIDE, tmp_path / "guide.pdf", "CM-KIOSK-0007", NOW, _)
    notice = correction_notice_pdf(NOTICE, tmp_path / "notice.pdf", "CM-KIOSK-0007", NOW, _)
    titles = [f"kiosktest-{uuid.uuid4().hex[:8]}-{n}" for n in ("guide", "notice")]
    produced.extend(titles)
    assert printer.print_pdf(guide, titles[0]).ok
    assert printer.print_pdf(notice, titles[1]).ok
    guide_text, notice_text = pdf_text(printed_pdf(titles[0])), pdf_text(printed_pdf(titles[1]))
    for expected in ("个体工商户设立登记", "办事指南", "法定时限", "个工作日", "容缺（可后补）", "租赁合同或产权证明"):
        assert expected in guide_text, expected
    for expected in ("补正材料告知书", "一次性告知", "身份证明", "授权委托书", "补正期间不计入办理时限"):
        assert expected in notice_text, expected
    sent = pdf_text(notice)
    assert "4690**********0020" in sent and "469023199003070020" not in sent
    assert pdf_qr_codes(printed_pdf(titles[1])) == ["469023-2026-000124"]


@needs_cups
def test_a_stopped_queue_is_reported_not_waited_on(cups_queue, tmp_path):
    import cups

    server, queue = cups_queue
    cups.setServer(server)
    conn = cups.Connection()
    conn.disablePrinter(queue, reason="offline-report")
    try:
        printer = CupsDocumentPrinter(queue, server, job_timeout_s=5)
        assert printer.status().state is DeviceState.OFFLINE
        pdf = item_guide_pdf(GUIDE, tmp_path / "g.pdf", "CM-KIOSK-0007", NOW, Translator("en").gettext)
        result = printer.print_pdf(pdf, "kiosktest-stopped")
        assert not result.ok and result.job_id is None
    finally:
        conn.enablePrinter(queue)
    assert CupsDocumentPrinter(queue, server).status().state is DeviceState.ONLINE


@needs_cups
def test_a_job_that_never_finishes_is_cancelled_and_reported(cups_queue, tmp_path):
    server, queue = cups_queue
    printer = CupsDocumentPrinter(queue, server, options={"job-hold-until": "indefinite"},
                                  job_timeout_s=1.0, poll_s=0.1)
    pdf = item_guide_pdf(GUIDE, tmp_path / "g.pdf", "CM-KIOSK-0007", NOW, Translator("en").gettext)
    result = printer.print_pdf(pdf, "kiosktest-held")
    assert not result.ok
    assert result.job_state == "held" and "cancelled" in result.detail


def test_no_cups_server_is_a_status_not_a_crash(tmp_path):
    printer = CupsDocumentPrinter("KioskA4", str(tmp_path / "no-such.sock"), job_timeout_s=2)
    assert printer.status().state is DeviceState.OFFLINE
    pdf = item_guide_pdf(GUIDE, tmp_path / "g.pdf", "CM-KIOSK-0007", NOW, Translator("en").gettext)
    assert not printer.print_pdf(pdf).ok


def test_folder_backend_keeps_a_copy(tmp_path):
    printer = FolderDocumentPrinter(tmp_path / "documents")
    printer.open()
    pdf = certificate_pdf(CERT, tmp_path / "cert.pdf", "CM-KIOSK-0007", NOW, Translator("en").gettext)
    result = printer.print_pdf(pdf)
    assert result.ok and result.output.read_bytes() == pdf.read_bytes()
    text = pdf_text(result.output)
    assert "Printedcopyofanelectroniclicence" in text and "营业执照" in text


@needs_cups
def test_kiosk_diag_doc_print(cups_queue, tmp_path, produced, capsys):
    from kiosk.diag.__main__ import main

    server, queue = cups_queue
    pdf = item_guide_pdf(GUIDE, tmp_path / "g.pdf", "CM-KIOSK-0007", NOW, Translator("zh_CN").gettext)
    title = f"kiosktest-{uuid.uuid4().hex[:8]}-diag"
    produced.append(title)
    code = main(["doc", "print", str(pdf), "--queue", queue, "--server", server, "--title", title])
    out = capsys.readouterr().out
    assert code == 0, out
    assert '"job_state": "completed"' in out
    assert "办事指南" in pdf_text(printed_pdf(title))
    not_pdf = tmp_path / "notes.txt"
    not_pdf.write_text("hello")
    assert main(["doc", "print", str(not_pdf), "--queue", queue, "--server", server]) == 2
