"""Identify with a passport chip: the MRZ details typed on the keypad, checked, turned into
the BAC key information (ICAO 9303 check digits) and handed to a reader that takes it; the
simulated reader has no chip, so the journey then continues with the next card it reports.
"""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from kiosk.journeys.identify import ERR_BIRTH, ERR_EXPIRED, ERR_NUMBER, MrzEntry
from tests.ui.staffdesk import FOOD, StaffDesk, person

SHOTS = Path(os.environ.get("KIOSK_TEST_SHOTS", "/tmp/kiosk-shots"))
TODAY = dt.date(2026, 11, 27)


def joined(texts):
    return "\n".join(texts)


# --- the keypad's logic, no window needed ------------------------------------------------
def test_icao_specimen_gives_the_documented_key_information():
    # ICAO 9303 Part 11 worked example: L898902C<, born 1969-08-06, expires 1994-06-23.
    entry = MrzEntry()
    for key in "L898902C" + "690806":
        if entry.focus == "number" and len(entry.number) == 8:
            entry.focus = "birth"
        entry.type(key)
    entry.focus = "expiry"
    for key in "940623":
        entry.type(key)
    assert (entry.number, entry.birth, entry.expiry) == ("L898902C", "690806", "940623")
    assert entry.check_digits() == ("3", "1", "6")
    assert entry.key_information() == "L898902C<369080619406236"


def test_dates_take_digits_only_and_move_on_by_themselves():
    entry = MrzEntry(focus="birth")
    entry.type("A")
    assert entry.birth == ""
    for key in "580104":
        entry.type(key)
    assert entry.birth == "580104" and entry.focus == "expiry"
    entry.backspace()  # empty expiry: goes back into the birth date
    assert entry.focus == "birth" and entry.birth == "58010"


def test_validation_names_each_wrong_field():
    entry = MrzEntry(number="AB-1", birth="991340", expiry="200101")
    errors = entry.validate(TODAY)
    assert errors == {"number": ERR_NUMBER, "birth": ERR_BIRTH, "expiry": ERR_EXPIRED}
    entry = MrzEntry(number="E12345678", birth="580104", expiry="300101")
    assert entry.validate(TODAY) == {}
    too_long = MrzEntry()
    for key in "E1234567890":
        too_long.type(key)
    assert too_long.number == "E12345678"  # nine at most


# --- on the real window -----------------------------------------------------------------
@pytest.mark.ui
def test_passport_details_on_the_keypad_then_the_reader(kiosk_app, ui, backoffice):
    app = kiosk_app
    journey = app.controller.journey("identify")
    applicant = person("19600606", "931", "Chen")
    number = StaffDesk(backoffice).completed_case(applicant, FOOD)["number"]

    ui.tap(ui.by_text("领取办件结果"))
    ui.wait_for_screen("collect_start")
    ui.tap(ui.by_id("collect_start", "passport"))
    ui.wait_for_screen("identify_passport")
    keypad = {k.text: k for k in ui.by_id("identify_passport", "keypad").children}
    assert all(k.height >= 120 for k in keypad.values())

    for key in "E1234567":
        ui.tap(keypad[key])
    ui.tap(ui.by_id("identify_passport", "field_birth"))
    assert keypad["A"].disabled  # dates are digits only
    for key in "600606":
        ui.tap(keypad[key])
    for key in "2001":  # too short, and the year alone would be in the past
        ui.tap(keypad[key])
    ui.tap(ui.by_id("identify_passport", "confirm"))
    assert app.manager.current == "identify_passport"
    assert "有效期应为6位数字" in joined(ui.visible_texts())
    ui.screenshot(SHOTS / "identify_passport_error.png")
    for _ in range(4):
        ui.tap(keypad["删除"])
    for key in "351231":
        ui.tap(keypad[key])
    ui.screenshot(SHOTS / "identify_passport.png")
    ui.tap(ui.by_id("identify_passport", "confirm"))
    ui.wait_for_screen("identify_place")
    ui.screenshot(SHOTS / "identify_place.png")
    information = journey.mrz_information
    assert information == MrzEntry(number="E1234567", birth="600606", expiry="351231").key_information()
    assert journey.reader_takes_mrz is False  # the simulated reader has no chip to open

    # The reader reports the holder: the collection continues where it asked.
    app.devices.idcard_sim.insert(applicant)
    ui.type_code()
    ui.wait_for_screen("collect_list")
    assert number in joined(ui.visible_texts())

    ui.tap(app.top_bar.ids.finish_button)
    ui.wait_for_screen("attract")
    assert journey.mrz_information is None
    assert "E1234567" not in joined(ui.all_texts())


@pytest.mark.ui
def test_a_reader_that_takes_mrz_gets_it_and_loses_it_at_the_end(kiosk_app, ui):
    """A PC/SC backend asks its `mrz_provider` when a chip appears."""
    app = kiosk_app
    journey = app.controller.journey("identify")

    fake = app.devices.idcard.backend  # the simulated reader, given a PC/SC backend's hook
    fake.mrz_provider = lambda: None
    try:
        ui.tap(ui.by_text("评价服务"))
        ui.wait_for_screen("rating_start")
        ui.tap(ui.by_id("rating_start", "passport"))
        ui.wait_for_screen("identify_passport")
        journey.entry.number, journey.entry.birth, journey.entry.expiry = "L898902C", "690806", "351231"
        ui.tap(ui.by_id("identify_passport", "confirm"))
        ui.wait_for_screen("identify_place")
        assert journey.reader_takes_mrz
        assert fake.mrz_provider() == "L898902C<369080613512311"
        ui.tap(ui.by_id("identify_place", "back"))
        ui.wait_for_screen("identify_passport")
        ui.tap(ui.by_id("identify_passport", "back"))
        ui.wait_for_screen("rating_start")
        ui.tap(app.top_bar.ids.finish_button)
        ui.wait_for_screen("attract")
        assert fake.mrz_provider() is None  # nothing of the passport stays with the reader
    finally:
        del fake.mrz_provider
