"""Collect results at the kiosk: card, the results ready, confirm, the A4 document printed
(read back from the document printer's folder, and once through a real CUPS with a cups-pdf
queue), the case delivered in the back office, then the rating; a printer that is not
ready loses nothing."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from devices.printer.document import CupsDocumentPrinter
from tests.cups_support import (
    compact_text,
    cups_pdfs,
    cups_queue,  # noqa: F401  (a fixture)
    needs_cups,
    pdf_qr_codes,
)
from tests.ui.staffdesk import FOOD, PENSION, StaffDesk, person

pytestmark = pytest.mark.ui
SHOTS = Path(os.environ.get("KIOSK_TEST_SHOTS", "/tmp/kiosk-shots"))


def joined(texts):
    return "\n".join(texts)


@pytest.fixture(scope="module")
def desk(backoffice):
    return StaffDesk(backoffice)


@pytest.fixture
def documents(kiosk_app):
    return kiosk_app.devices.document_printer


def collect_to_confirm(app, ui, applicant, number, start="领取办件结果"):
    ui.tap(ui.by_text(start))
    ui.wait_for_screen("collect_start")
    ui.screenshot(SHOTS / "collect_start.png")
    app.devices.idcard_sim.insert(applicant)
    ui.type_code()  # texted to the phone on file: the card alone opens nothing
    ui.wait_for_screen("collect_list")
    ui.screenshot(SHOTS / "collect_list.png")
    row = next(r for r in ui.by_id("collect_list", "rows").children if r.number == number)
    ui.tap(row)
    ui.wait_for_screen("collect_confirm")


def test_collecting_an_e_licence_prints_it_and_delivers_the_case(kiosk_app, ui, desk, documents):
    app = kiosk_app
    applicant = person("19800214", "101", "周海涛")
    completed = desk.completed_case(applicant, FOOD)
    number = completed["number"]
    (licence,) = completed["licences"]

    collect_to_confirm(app, ui, applicant, number)
    shown = joined(ui.visible_texts())
    assert "食品经营许可证" in shown and number in shown and "周*" in shown
    assert applicant.document_number not in joined(ui.all_texts()) and "周海涛" not in joined(ui.all_texts())
    ui.screenshot(SHOTS / "collect_confirm.png")

    before = set(documents.folder.glob("*.pdf"))
    ui.tap(ui.by_id("collect_confirm", "print_document"))
    ui.wait_for_screen("collect_done")
    ui.screenshot(SHOTS / "collect_done.png")
    assert "请从打印机取走您的文书。" in joined(ui.visible_texts())

    (printed,) = set(documents.folder.glob("*.pdf")) - before
    text = compact_text(printed)
    assert licence["identifier"] in text
    codes = pdf_qr_codes(printed)
    assert codes, "no QR code on the printed licence"
    assert app.controller.verifier.verify(codes[0]).subject == licence["identifier"]
    assert desk.case(number)["status"] == "delivered"

    session_files = list(app.session.files.directory().iterdir())
    assert any(p.suffix == ".pdf" for p in session_files)

    # Straight on to the rating of this case.
    ui.tap(ui.by_id("collect_done", "rate"))
    ui.wait_for_screen("rating_levels")
    best = next(b for b in ui.by_id("rating_levels", "faces").children if b.level == 5)
    ui.tap(best)
    ui.wait_for_screen("rating_comment")
    ui.tap(ui.by_id("rating_comment", "send"))
    ui.wait_for_screen("rating_done")
    (stored,) = desk.audit("rating.create", number)
    assert stored["detail"]["level"] == 5

    ui.tap(ui.by_id("rating_done", "finish"))
    ui.wait_for_screen("attract")
    assert not any(p.exists() for p in session_files)  # the session's copy of the licence is gone
    assert number not in joined(ui.all_texts())


@pytest.fixture
def cups_printer(kiosk_app, cups_queue):
    """The kiosk's document printer is a CUPS queue (cups-pdf) for this test only."""
    server, queue = cups_queue
    devices = kiosk_app.devices
    usual = devices.document_printer
    printer = CupsDocumentPrinter(queue, server, job_timeout_s=60)
    printer.open()
    devices.document_printer = printer  # the collect journey looks it up at each print
    try:
        yield printer
    finally:
        devices.document_printer = usual
        printer.close()


def cups_jobs(printer: CupsDocumentPrinter) -> dict[int, int]:
    """Job id -> IPP job state of every job the queue has had, finished ones included."""
    import cups

    cups.setServer(printer.server)
    jobs = cups.Connection().getJobs(which_jobs="all", requested_attributes=[
        "job-id", "job-state", "job-printer-uri"])
    return {job_id: attrs["job-state"] for job_id, attrs in jobs.items()
            if attrs.get("job-printer-uri", "").endswith(f"/printers/{printer.queue}")}


@needs_cups
def test_collecting_an_e_licence_prints_it_through_cups(kiosk_app, ui, desk, cups_printer):
    app = kiosk_app
    applicant = person("19861103", "509", "陈雨桐")
    completed = desk.completed_case(applicant, FOOD)
    number = completed["number"]
    (licence,) = completed["licences"]
    earlier = cups_pdfs()  # cups-pdf's output folder is shared with other runs
    jobs_before = set(cups_jobs(cups_printer))

    collect_to_confirm(app, ui, applicant, number)
    job_id = None
    try:
        ui.tap(ui.by_id("collect_confirm", "print_document"))
        ui.wait_for_screen("collect_done")
        assert "请从打印机取走您的文书。" in joined(ui.visible_texts())

        # CUPS took one job and saw it to "completed" (9); cups-pdf named its PDF after the
        # job's title (the case number; its hex-string decoding can add to it) and id.
        new_jobs = {i: state for i, state in cups_jobs(cups_printer).items() if i not in jobs_before}
        assert list(new_jobs.values()) == [9], new_jobs
        (job_id,) = new_jobs
        (out,) = [p for p in cups_pdfs() - earlier if p.name.endswith(f"-job_{job_id}.pdf")]

        text = compact_text(out)
        assert licence["name"] == "食品经营许可证" and "食品经营许可证" in text
        codes = pdf_qr_codes(out)
        assert codes, "no QR code on the PDF cups-pdf wrote"
        assert app.controller.verifier.verify(codes[0]).subject == licence["identifier"]

        # cups-pdf keeps the Chinese text but not every Latin run, so the identifier is
        # checked in what the kiosk sent. Neither has the ID number; the full name is there
        # once, as the licence's holder (the back office prints it on the licence).
        (sent,) = [p for p in app.session.files.directory().iterdir() if p.suffix == ".pdf"]
        sent_text = compact_text(sent)
        assert licence["identifier"] in sent_text
        for t in (sent_text, text):
            assert applicant.document_number not in t
            assert t.count(applicant.name) == 1 and t.index("持证人") < t.index(applicant.name)
        assert desk.case(number)["status"] == "delivered"
    finally:
        if job_id is not None:
            for path in cups_pdfs() - earlier:
                if path.name.endswith(f"-job_{job_id}.pdf"):
                    path.unlink()


def test_a_result_without_an_e_licence_prints_a_result_notice(kiosk_app, ui, desk, documents):
    app = kiosk_app
    applicant = person("19620730", "203", "吴桂兰")
    number = desk.completed_case(applicant, PENSION)["number"]
    collect_to_confirm(app, ui, applicant, number)
    assert "办理结果通知书" in joined(ui.visible_texts())
    before = set(documents.folder.glob("*.pdf"))
    ui.tap(ui.by_id("collect_confirm", "print_document"))
    ui.wait_for_screen("collect_done")
    (printed,) = set(documents.folder.glob("*.pdf")) - before
    text = compact_text(printed)
    assert number in text and "吴*" in text
    assert applicant.document_number not in text and "吴桂兰" not in text
    assert desk.case(number)["status"] == "delivered"


def test_in_english_the_result_and_its_notice_carry_the_english_names(kiosk_app, ui, desk, documents):
    app = kiosk_app
    applicant = person("19640912", "417", "何美玲")
    number = desk.completed_case(applicant, PENSION)["number"]
    ui.tap(app.top_bar.ids.language_toggle)
    collect_to_confirm(app, ui, applicant, number, start="Collect results")
    shown = joined(ui.visible_texts())
    assert "Claiming the basic old-age pension for urban and rural residents" in shown
    assert "Department: Chengmai County Bureau of Human Resources and Social Security" in shown
    before = set(documents.folder.glob("*.pdf"))
    ui.tap(ui.by_id("collect_confirm", "print_document"))
    ui.wait_for_screen("collect_done")
    assert "Claiming the basic old-age pension for urban and rural residents: collected" in joined(
        ui.visible_texts())
    (printed,) = set(documents.folder.glob("*.pdf")) - before
    text = compact_text(printed)
    assert "Claimingthebasicold-agepension" in text and "城乡居民" not in text


def test_printer_not_ready_loses_nothing_and_the_citizen_can_try_again(kiosk_app, ui, desk, documents, tmp_path):
    app = kiosk_app
    applicant = person("19750505", "305", "郑志强")
    number = desk.completed_case(applicant, FOOD)["number"]
    collect_to_confirm(app, ui, applicant, number)
    folder = documents.folder
    documents.folder = tmp_path / "unplugged"  # the folder printer reports no device
    try:
        ui.tap(ui.by_id("collect_confirm", "print_document"))
        ui.wait_for_screen("message")
        ui.screenshot(SHOTS / "collect_printer_not_ready.png")
        shown = joined(ui.visible_texts())
        assert "文书打印机暂时无法使用" in shown and "您的结果仍可领取" in shown
        assert desk.case(number)["status"] == "completed"  # still ready to collect
    finally:
        documents.folder = folder
    ui.tap(ui.by_id("message", "back"))
    ui.wait_for_screen("collect_confirm")
    ui.tap(ui.by_id("collect_confirm", "print_document"))
    ui.wait_for_screen("collect_done")
    assert desk.case(number)["status"] == "delivered"


def test_nothing_ready_says_so(kiosk_app, ui, desk):
    app = kiosk_app
    applicant = person("19900909", "407", "冯晓")
    desk.submit(applicant, FOOD)  # received, not ready
    ui.tap(ui.by_text("领取办件结果"))
    ui.wait_for_screen("collect_start")
    app.devices.idcard_sim.insert(applicant)
    ui.type_code()
    ui.wait_for_screen("collect_list")
    assert "暂时没有可以领取的结果" in joined(ui.visible_texts())
    assert ui.by_id("collect_list", "rows").children == []
