"""The GA 467 frame codec and card text blocks: the reference frames, round trips, and
property tests that garbage, torn, corrupt and oversized input never crash the decoder
and never hide a good frame that follows."""
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.idcard import ga467_frame as f
from devices.idcard.ga467_card import CardDataError, encode_text, parse_text
from devices.idcard.nations import NATIONS, nation_name
from domain.identity import DocumentKind
from tests.devices.idcard_fixtures import FOREIGNER, RESIDENT

H = bytes.fromhex


def test_reference_command_frames():
    # GA 467 frames as listed in the project's device notes.
    assert f.encode_command(*f.READER_STATUS) == H("AAAAAA96690003 11FF ED")
    assert f.encode_command(*f.FIND_CARD) == H("AAAAAA96690003 2001 22")
    assert f.encode_command(*f.SELECT_CARD) == H("AAAAAA96690003 2002 21")
    assert f.encode_command(*f.READ_TEXT_PHOTO) == H("AAAAAA96690003 3001 32")


def test_a_response_decodes_to_its_status_and_data():
    frames = f.FrameDecoder().feed(f.encode_response(f.SW3_CARD_FOUND, b"\x00" * 4))
    assert len(frames) == 1 and frames[0].sw3 == 0x9F and frames[0].data == bytes(4)


bodies = st.binary(min_size=2, max_size=1400)


@settings(max_examples=200, deadline=None)
@given(bodies, st.integers(min_value=1, max_value=64))
def test_any_frame_survives_being_split_anywhere(body, step):
    frame = f.encode_command(body[0], body[1], body[2:])
    decoder = f.FrameDecoder()
    out = []
    for i in range(0, len(frame), step):
        out += decoder.feed(frame[i : i + step])
    assert [x.body for x in out] == [body]
    assert decoder.dropped == 0


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600), bodies)
def test_garbage_before_a_frame_is_dropped_and_the_frame_is_found(garbage, body):
    good = f.encode_command(body[0], body[1], body[2:])
    decoder = f.FrameDecoder()
    frames = decoder.feed(garbage) + decoder.feed(good)
    assert frames and frames[-1].body == body


@settings(max_examples=200, deadline=None)
@given(bodies, st.integers(min_value=0, max_value=10_000), bodies)
def test_a_torn_frame_costs_at_most_the_frame_after_it(body, cut, next_body):
    # The XOR checksum lets a torn frame completed by the next frame's bytes pass once in
    # 256; the decoder then loses that next frame but is in step for the one after.
    torn = f.encode_command(body[0], body[1], body[2:])
    torn = torn[: 5 + cut % max(1, len(torn) - 6)]  # never the whole frame
    good = f.encode_command(next_body[0], next_body[1], next_body[2:])
    decoder = f.FrameDecoder()
    frames = decoder.feed(torn + good)
    if not frames or frames[-1].body != next_body:
        frames = decoder.feed(good)
    assert frames and frames[-1].body == next_body


@settings(max_examples=200, deadline=None)
@given(bodies, st.integers(min_value=0), st.integers(min_value=1, max_value=255))
def test_a_corrupted_byte_is_never_accepted_as_that_frame(body, where, flip):
    frame = bytearray(f.encode_command(body[0], body[1], body[2:]))
    pos = 5 + where % (len(frame) - 5)  # inside LEN, body or CHK
    frame[pos] ^= flip
    decoder = f.FrameDecoder()
    frames = decoder.feed(bytes(frame))
    assert all(x.body != body for x in frames)
    assert decoder.pending <= len(frame)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=3000))
def test_random_bytes_never_raise(data):
    decoder = f.FrameDecoder()
    decoder.feed(data)
    decoder.feed(data[::-1])


def test_an_oversized_length_is_skipped():
    decoder = f.FrameDecoder()
    bogus = f.PREAMBLE + b"\xff\xff" + bytes(100)
    good = f.encode_response(f.SW3_OK)
    assert [x.sw3 for x in decoder.feed(bogus + good)] == [0x90]
    assert decoder.pending == 0


def test_all_56_nations_have_codes_and_round_trip():
    assert len(NATIONS) == 56 and set(NATIONS) == {f"{i:02d}" for i in range(1, 57)}
    assert nation_name("01") == "汉" and nation_name("19") == "黎" and nation_name("56") == "基诺"
    for code, name in NATIONS.items():
        identity = parse_text(encode_text(RESIDENT.__class__(**{**RESIDENT.__dict__, "nation": name})))
        assert identity.nation == name, code


def test_resident_text_block_round_trip_with_long_term_validity():
    block = encode_text(RESIDENT)
    assert len(block) == 256
    identity = parse_text(block, b"WLT")
    assert identity == RESIDENT.__class__(**{**RESIDENT.__dict__, "photo": b"WLT"})
    assert identity.valid_until is None  # 长期
    assert "长期".encode("utf-16-le") in block


def test_foreigner_card_is_recognised_by_its_type_mark():
    block = encode_text(FOREIGNER)
    assert block[248:250] == "I".encode("utf-16-le")
    identity = parse_text(block)
    assert identity.kind is DocumentKind.FOREIGN_PERMANENT_RESIDENT
    assert (identity.name, identity.nationality, identity.chinese_name) == ("SMITH JOHN ALEXANDER", "USA", "史密斯")
    assert identity.valid_until == dt.date(2027, 6, 1) and identity.birth_date == dt.date(1980, 1, 5)


@pytest.mark.parametrize("damage", ["short", "nation", "date", "sex", "utf16"])
def test_malformed_text_blocks_raise_card_data_errors_without_personal_data(damage):
    block = bytearray(encode_text(RESIDENT))
    if damage == "short":
        block = block[:200]
    elif damage == "nation":
        block[32:36] = "99".encode("utf-16-le")
    elif damage == "date":
        block[36:52] = "19581304".encode("utf-16-le")
    elif damage == "sex":
        block[30:32] = "7".encode("utf-16-le")
    else:
        block[0:2] = b"\x00\xd8"  # a lone surrogate
    with pytest.raises(CardDataError) as err:
        parse_text(bytes(block))
    assert "王" not in str(err.value) and "4690" not in str(err.value)


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=256, max_size=256))
def test_random_text_blocks_parse_or_raise_card_data_error(block):
    try:
        parse_text(block)
    except CardDataError:
        pass
