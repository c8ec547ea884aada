"""The personal-data log filter on its own: what it masks, and that it keeps the rest."""
from __future__ import annotations

import logging

from hypothesis import given, settings
from hypothesis import strategies as st

from domain import scrub
from domain.json_logs import JsonLinesFormatter
from domain.scrub import PersonalDataFilter, is_personal_key, scrub_numbers, scrub_text

MRZ_1 = "P<CHNWANG<<JIANGUO<<<<<<<<<<<<<<<<<<<<<<<<<<"
MRZ_2 = "E123456784CHN5801041M3001019<<<<<<<<<<<<<<08"


def _line(msg, *args, exc=None, **extra) -> str:
    record = logging.getLogger("kiosk.test").makeRecord("kiosk.test", logging.WARNING, __file__, 1, msg, args,
                                                        exc, extra=extra)
    PersonalDataFilter().filter(record)
    PersonalDataFilter().filter(record)  # a second handler's filter changes nothing more
    return JsonLinesFormatter().format(record)


def test_numbers_are_masked_the_canonical_way():
    assert scrub_numbers("id 46902319580104123X, tel 13812345678.") == "id 4690**********123X, tel 138****5678."
    assert scrub_numbers("passport E12345678 permit C87654321") == "passport *****5678 permit *****4321"
    masked = scrub_numbers(f"{MRZ_1}\n{MRZ_2}")
    assert "WANG" not in masked and "5801041" not in masked


def test_phone_numbers_written_the_other_ways_and_older_residence_numbers_are_masked():
    for written in ("+86 139-0756-1234", "+8613907561234", "139 0756 1234", "139-0756-1234", "86-13907561234"):
        masked = scrub_numbers(f"call {written} now")
        assert "0756" not in masked and masked.startswith("call ") and masked.endswith(" now"), masked
        assert "1234" in masked
    assert scrub_numbers("permanent resident USA110079060012.") == "permanent resident ***********0012."


def test_case_numbers_counts_and_ports_are_kept():
    text = "case 469023-20240501-00001, 3 of 12 blocks, port 9100, terminal CM-KIOSK-0001"
    assert scrub_text(text) == text


def test_template_words_stay_and_filled_in_chinese_is_masked_as_a_name():
    line = _line("收件 for %s at window %d", "王建国", 3)
    assert "收件 for 王* at window 3" in line


def test_numbers_passed_as_numbers_are_masked_after_formatting():
    assert "138****5678" in _line("callback %d", 13812345678)


def test_mapping_arguments_and_personal_keys():
    line = _line("%(who)s / %(phone)s", {"who": "李四", "phone": "0898-1234"})
    assert "李* / ***" in line


def test_extra_fields_named_personal_are_replaced_whole():
    line = _line("submitted", applicant="ZHANG SAN", document_number="E12345678", item="食品经营", attempts=2)
    assert '"applicant": "***"' in line and '"document_number": "***"' in line
    assert '"item": "食*"' in line and '"attempts": 2' in line


def test_exception_text_is_masked():
    try:
        raise ValueError("no case for 469023195801041234 (王建国)")
    except ValueError as exc:
        line = _line("lookup failed", exc=(type(exc), exc, exc.__traceback__))
    assert "469023195801041234" not in line and "王建国" not in line and "4690**********1234" in line


def test_personal_keys():
    assert all(map(is_personal_key, ["name", "applicant_name", "phone", "document_number", "holderName", "address"]))
    assert not any(map(is_personal_key, ["reason", "printer", "item", "command_id", "offset_s"]))


# Text made of what numbers are written with: digits, separators, letters, "<", "+".
_NUMBERISH = st.text(alphabet="0123456789 -+<XxAEGCH86139", max_size=60)


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.one_of(_NUMBERISH, st.sampled_from(["13800138000", "138 0013 8000", "+86-138-0013-8000",
                                                       "469023195801041234", "E12345678", "E1234567", "CHN123456789012",
                                                       MRZ_1, MRZ_2, "127.0.0.1:8700", "HTTP/1.1"])),
                max_size=4).map(" ".join))
def test_text_the_quick_check_passes_over_holds_nothing_to_mask(text):
    """scrub_numbers skips its patterns when one search finds nothing any of them needs:
    whatever it skips, the patterns themselves would have left as it was."""
    patterns = (scrub.MRZ_LINE, scrub.ID_NUMBER, scrub.DOCUMENT_NUMBER, scrub.OLD_RESIDENCE_NUMBER,
                scrub.MOBILE_WRITTEN, scrub.MOBILE)
    if not scrub._MAYBE_NUMBER.search(text):
        assert not any(pattern.search(text) for pattern in patterns), text
        assert scrub_numbers(text) == text
