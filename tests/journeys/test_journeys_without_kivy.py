"""Journeys through the controller with a recording UI: the same decisions the window
shows, in a second each. Each test is a citizen's scenario end to end against the real
back office and the emulated receipt printer."""
from __future__ import annotations

import pytest

from kiosk.journeys.rating import RatingState
from kiosk.ui.screen_names import Screen
from tests.ui.staffdesk import FOOD, StaffDesk, person


@pytest.fixture(scope="module")
def desk(backoffice):
    return StaffDesk(backoffice)


def test_a_card_on_the_attract_screen_opens_home_and_taking_it_ends_the_session(kiosk):
    kiosk.insert_card("wang")
    assert kiosk.ui.screen == Screen.HOME and kiosk.controller.session.identity.name == "王建国"
    kiosk.remove_card()
    assert kiosk.ui.screen == Screen.ATTRACT and not kiosk.controller.session.active


def test_progress_waits_for_the_card_then_lists_the_cases_and_prints_a_slip(kiosk):
    progress = kiosk.journey("progress")
    progress.start()
    assert kiosk.ui.screen == Screen.PROGRESS_START
    assert kiosk.controller.session.resume_after_identify == "progress"
    kiosk.insert_card("wang")  # the journey goes on where it asked for the card
    kiosk.type_code()  # the code texted to the phone on file: the card alone opens nothing
    kiosk.on(Screen.CASES)
    assert kiosk.controller.session.resume_after_identify == ""
    numbers = [c.number for c in kiosk.controller.session.cases]
    assert "469023-0003" in numbers
    progress.open_case("469023-0003")
    kiosk.on(Screen.CASE)
    before = len(kiosk.printer.receipts)
    progress.print_progress_slip()
    kiosk.until(lambda: kiosk.ui.toasts, "the slip's toast")
    paper = kiosk.printer.wait_for_receipts(before + 1)[before]
    assert "办件编号：469023-0003" in paper.lines and "申请人：王*" in paper.lines
    assert progress.last_slip_preview is not None and progress.last_slip_preview.exists()
    assert kiosk.controller.back_from(Screen.CASE) and kiosk.ui.screen == Screen.CASES
    assert kiosk.controller.back_from(Screen.CASES) and kiosk.ui.screen == Screen.HOME
    assert not kiosk.controller.back_from(Screen.HOME)  # home has no fixed way back: Finish ends the visit


def test_a_bad_rating_needs_a_reason_and_opens_a_rectification(kiosk, desk):
    applicant = person("19830318", "131", "钱多")
    number = desk.submit(applicant, FOOD)
    rating = kiosk.journey("rating")
    rating.start()
    kiosk.present(applicant)
    kiosk.type_code()
    kiosk.on(Screen.RATING_CASES)
    case = next(c for c in rating.rateable_cases() if c.number == number)
    rating.rate_case(case)
    assert kiosk.ui.screen == Screen.RATING_LEVELS
    rating.choose_level(1)
    assert kiosk.ui.screen == Screen.RATING_REASONS
    assert rating.reasons_done() is False and kiosk.ui.screen == Screen.RATING_REASONS
    rating.toggle_reason("Took too long")
    assert rating.reasons_done() and kiosk.ui.screen == Screen.RATING_COMMENT
    rating.submit()
    kiosk.on(Screen.RATING_DONE)
    draft = kiosk.controller.session.peek(RatingState).draft
    assert draft.stored and draft.rectification and not draft.queued  # the back office's answer


def test_a_guide_prints_and_says_the_date_or_that_it_will_be_confirmed(kiosk):
    catalogue = kiosk.journey("catalogue")
    catalogue.start()
    kiosk.on(Screen.CATALOGUE)
    catalogue.search("spjy")
    kiosk.on(Screen.CATALOGUE_ITEMS)
    assert any(i["code"] == FOOD for i in catalogue.state.items)
    catalogue.open_guide(FOOD)
    kiosk.on(Screen.GUIDE)
    assert catalogue.can_apply_here()
    before = len(kiosk.printer.receipts)
    catalogue.print_guide_slip()
    kiosk.until(lambda: kiosk.ui.toasts, "the guide's toast")
    text = kiosk.printer.wait_for_receipts(before + 1)[before].text.replace("\n", "")
    days = catalogue.state.guide["promised_days"]
    promised = catalogue.promised(days)
    assert (f"如今天申请，{promised.isoformat()}前办结" if promised else "具体日期待确认") in text
    catalogue.back_from_guide()
    assert kiosk.ui.screen == Screen.CATALOGUE_ITEMS
    catalogue.back_from_items()
    assert kiosk.ui.screen == Screen.CATALOGUE_SEARCH


def test_the_printer_out_of_paper_is_explained_and_nothing_is_lost(kiosk):
    catalogue = kiosk.journey("catalogue")
    catalogue.start()
    kiosk.on(Screen.CATALOGUE)
    catalogue.open_guide(FOOD)
    kiosk.on(Screen.GUIDE)
    kiosk.printer.paper_out = True
    try:
        catalogue.print_guide_slip()
        kiosk.until(lambda: kiosk.ui.messages, "the printer message")
    finally:
        kiosk.printer.paper_out = False
    message = kiosk.ui.messages[-1]
    assert message.title == "Printer not ready" and message.back_to == Screen.GUIDE
    assert catalogue.state.guide["code"] == FOOD  # the guide is still there to print again


def _apply_for(kiosk, item: str):
    catalogue = kiosk.journey("catalogue")
    catalogue.start()
    kiosk.on(Screen.CATALOGUE)
    catalogue.open_window("W6")
    kiosk.on(Screen.CATALOGUE_ITEMS)
    catalogue.open_guide(item)
    kiosk.on(Screen.GUIDE)
    kiosk.journey("apply").begin()
    kiosk.on(Screen.APPLY_IDENTIFY)
    kiosk.insert_card("wang")
    kiosk.until(lambda: kiosk.ui.screen in (Screen.APPLY_FIELD, Screen.APPLY_MATERIALS), "the form")
    return kiosk.journey("apply").state


def test_e_licences_come_from_the_library_and_without_one_the_citizen_brings_the_paper(kiosk):
    """最低生活保障对象认定 asks for 家庭成员身份证明 as an e-licence: taken from the e-licence
    library when the kiosk reaches one (the demo's here), left for the citizen otherwise;
    no identifier is ever made up on the kiosk."""
    from kiosk.demo import DemoLicenceLibrary

    wanted = "469023-GF-MZ-0015"
    kiosk.controller.licence_library = None
    state = _apply_for(kiosk, wanted)
    e_licence = [e["key"] for e in state.materials if e["spec"].get("source") == "e_licence"]
    assert e_licence and not any(state.provided.get(k) for k in e_licence)
    kiosk.controller.finish("test")
    kiosk.controller.licence_library = DemoLicenceLibrary()
    state = _apply_for(kiosk, wanted)
    assert all(state.provided[k].mode == "e_licence" and state.provided[k].licence_id.startswith("1.2.156.3005.2.")
               for k in e_licence)
