"""Properties of the masks (domain/ids.py) and the log scrubber (domain/scrub.py):
what is hidden never shows, the documented parts stay visible, and no input makes them fail."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.ids import mask_credit_code, mask_id, mask_name, mask_phone, resident_id_check_char
from domain.scrub import scrub_numbers, scrub_text

PROPERTY = settings(max_examples=300, deadline=None)
anything = st.text()


@st.composite
def resident_ids(draw) -> str:
    first17 = draw(st.text(alphabet="0123456789", min_size=17, max_size=17))
    return first17 + resident_id_check_char(first17)


@PROPERTY
@given(anything)
def test_mask_id_keeps_four_and_four_of_eighteen_and_only_the_last_four_of_others(raw):
    number, masked = raw.strip(), mask_id(raw)
    assert len(masked) == len(number)
    if len(number) == 18:
        assert masked[:4] == number[:4] and masked[-4:] == number[-4:] and set(masked[4:-4]) == {"*"}
    elif len(number) <= 4:
        assert masked == "*" * len(number)
    else:
        assert set(masked[:-4]) == {"*"} and masked[-4:] == number[-4:]
    assert mask_id(masked) == masked
    assert mask_credit_code(raw) == masked  # credit codes are shown the same way


@PROPERTY
@given(resident_ids())
def test_a_masked_resident_id_hides_its_ten_middle_digits(number):
    masked = mask_id(number)
    assert masked == number[:4] + "*" * 10 + number[-4:]
    assert number[4:14] not in masked


@PROPERTY
@given(anything)
def test_mask_phone(raw):
    phone, masked = raw.strip(), mask_phone(raw)
    assert len(masked) == len(phone)
    if len(phone) == 11:
        assert masked == phone[:3] + "****" + phone[-4:]
    elif len(phone) <= 4:
        assert masked == "*" * len(phone)
    else:
        assert masked == "*" * (len(phone) - 4) + phone[-4:]
    assert mask_phone(masked) == masked


@PROPERTY
@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_a_masked_mobile_number_hides_its_middle_four(phone):
    masked = mask_phone(phone)
    assert masked[3:7] == "****" and masked[:3] == phone[:3] and masked[-4:] == phone[-4:]


@PROPERTY
@given(anything)
def test_mask_name_shows_the_first_character_only(raw):
    name, masked = raw.strip(), mask_name(raw)
    if not name:
        assert masked == ""
    else:
        assert masked == name[0] + "*"  # one star whatever the length: the length is personal too
    assert mask_name(masked) == masked


@PROPERTY
@given(anything, resident_ids(), anything)
def test_scrubbed_text_never_holds_an_id_number_written_in_it(before, number, after):
    text = f"{before} {number} {after}"
    scrubbed = scrub_numbers(text)
    assert number not in scrubbed or number in f"{before} {after}"
    assert mask_id(number) in scrubbed


@PROPERTY
@given(anything, st.text(alphabet="0123456789", min_size=9, max_size=9), anything)
def test_scrubbed_text_never_holds_a_mobile_number_written_in_it(before, rest, after):
    phone = "13" + rest
    scrubbed = scrub_numbers(f"{before} {phone} {after}")
    assert phone not in scrubbed or phone in f"{before} {after}"


@PROPERTY
@given(anything)
def test_scrubbing_any_text_never_fails_and_is_stable(text):
    once = scrub_text(text)
    assert scrub_text(once) == once


def test_a_name_masked_already_is_not_starred_again():
    # Falsifying example: scrub_text("㐀*") was "㐀**" (the run's stars were not part of it).
    assert scrub_text("㐀*") == "㐀*"
    assert scrub_text("申请人 张* 已提交") == "申* 张* 已*"
    assert scrub_text("张三***") == "张*"  # a longer run still shows one character only
