import datetime as dt

import pytest

from domain.ids import (
    InvalidResidentId,
    is_valid_resident_id,
    mask_id,
    mask_name,
    mask_phone,
    parse_resident_id,
)


def test_standard_vector_with_check_x():
    info = parse_resident_id("11010519491231002X")
    assert info.birth_date == dt.date(1949, 12, 31)
    assert info.sex == "F"  # sequence 002 is even
    assert info.area_code == "110105"


def test_lowercase_x_is_accepted():
    assert is_valid_resident_id("11010519491231002x")


def test_chengmai_number_that_python_stdnum_wrongly_rejects():
    # Correct checksum; stdnum 2.2 rejects it on an area-code validity window.
    assert is_valid_resident_id("469023199003070020")


@pytest.mark.parametrize("number", ["469023195801041234", "460027197208150057", "469023198501010026"])
def test_demo_people_have_valid_numbers(number):
    assert is_valid_resident_id(number)


@pytest.mark.parametrize(
    "number, reason",
    [
        ("11010519491231002", "length"),
        ("1101051949123100XX", "characters"),
        ("110105194912310021", "check character"),
    ],
)
def test_rejections_name_their_reason(number, reason):
    with pytest.raises(InvalidResidentId, match=reason):
        parse_resident_id(number)


def test_invalid_birth_date_with_correct_checksum():
    # 1949-02-30 does not exist; compute a matching check char so only the date is wrong.
    from domain.ids import resident_id_check_char

    first17 = "11010519490230002"
    number = first17 + resident_id_check_char(first17)
    with pytest.raises(InvalidResidentId, match="birth date"):
        parse_resident_id(number)


def test_canonical_masks():
    assert mask_id("469023195801041234") == "4690**********1234"
    assert mask_phone("13812341234") == "138****1234"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧*"


def test_mask_id_never_shows_the_birth_date():
    number = "469023195801041234"
    assert "19580104" not in mask_id(number)


def test_one_mobile_number_rule():
    from domain.ids import is_mobile_number

    assert is_mobile_number("13907561234")
    for wrong in ("1390756123", "139075612345", "23907561234", "1390756123x", ""):
        assert not is_mobile_number(wrong), wrong


def test_a_foreign_document_number_shows_only_its_last_four():
    """A passport's nine characters masked "first four and last four" showed eight of them."""
    from domain.identity import DocumentKind, Identity

    assert mask_id("E12345678") == "*****5678"
    assert mask_id("USA110079060012") == "*" * 11 + "0012"  # a 15-character permanent-residence number
    passport = Identity(kind=DocumentKind.PASSPORT, name="SMITH JOHN", document_number="EA1234567")
    assert passport.masked_number == "*****4567" and "EA12" not in repr(passport)
