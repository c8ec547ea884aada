"""The PNG preview breaks rows as the printer does: between words for English, at any
character for Chinese, a word cut only when it is wider than a whole row; and an English
label takes ": ", a Chinese one "：" (services/preview.py, devices/printer/layout.py)."""
from __future__ import annotations

import datetime as dt

import pytest
from PIL import ImageFont

from devices.fonts import find_cjk_font
from domain.county import CST
from domain.slips import Field, Line, SlipDocument
from kiosk.i18n import Translator
from services.preview import BODY_PX, MARGIN, lay_out, wrap_pixels
from services.receipts import queued_application_slip

NOW = dt.datetime(2026, 11, 27, 21, 5, tzinfo=CST)
WIDTH = 576


@pytest.fixture(scope="module")
def font_path():
    return find_cjk_font()


@pytest.fixture(scope="module")
def body(font_path):
    return ImageFont.truetype(str(font_path), BODY_PX)


def queued(language: str, item: str) -> SlipDocument:
    return queued_application_slip("K7Q2M9", item, "李*", 3, NOW, "CM-KIOSK-0007", NOW,
                                   Translator(language).gettext)


def rows_of(doc: SlipDocument, font_path, width: int = WIDTH) -> list[tuple[str, object]]:
    ops, _ = lay_out(doc, font_path, width)
    return [payload for kind, payload, _ in ops if kind in ("left", "center")]


def test_an_english_slip_wraps_between_words(font_path):
    doc = queued("en", "Registering an individual business")
    assert doc.title == "Application kept"  # the English catalogue is in use
    source = [doc.title] + [b.text if isinstance(b, Line) else f"{b.label}: {b.value}"
                            for b in doc.blocks if isinstance(b, (Line, Field))]
    words = {word for text in source for word in text.split()}
    rows = rows_of(doc, font_path)
    assert len(rows) > len(source)  # some lines are too long for one row
    for row, font in rows:
        assert "：" not in row
        assert font.getlength(row) <= WIDTH - 2 * MARGIN, row
        for word in row.split():
            assert word in words, f"{word!r} is part of a word ({row!r})"
    texts = [row for row, _ in rows]
    assert "Reference: K7Q2M9" in texts and "Pages and materials: 3" in texts


def test_rows_are_filled_before_they_break(body):
    text = ("Check progress with your ID card at any kiosk: the case number appears there. "
            "Or call 12345 with the reference.")
    rows = wrap_pixels(text, body, 300)
    assert " ".join(rows) == text
    for row, following in zip(rows, rows[1:]):
        assert body.getlength(row) <= 300
        assert body.getlength(f"{row} {following.split()[0]}") > 300  # the next word did not fit


def test_chinese_breaks_between_any_two_characters(body):
    text = "请在任一自助终端刷身份证查询进度，办件编号会显示在那里；也可拨打 12345 并报临时编号。"
    rows = wrap_pixels(text, body, 200)
    assert len(rows) > 2
    assert "".join(rows).replace(" ", "") == text.replace(" ", "")
    for row, following in zip(rows, rows[1:]):
        assert body.getlength(row) <= 200
        if "\u4e00" <= following[0] <= "\u9fff":  # a Chinese character that did not fit
            assert body.getlength(row + following[0]) > 200


def test_a_word_wider_than_a_row_is_cut_and_only_that_word(body):
    licence = "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U"
    rows = wrap_pixels(f"E-licence {licence} issued", body, 200)
    assert rows[0] == "E-licence"
    assert rows[-1].endswith("issued")
    assert "".join(rows[1:]).replace("issued", "").strip() == licence
    assert all(body.getlength(row) <= 200 for row in rows)


def test_a_lines_indent_starts_each_of_its_rows(body):
    rows = wrap_pixels("   Deferred materials accepted with a material missing", body, 250)
    assert len(rows) > 1 and all(row.startswith("   ") and row[3] != " " for row in rows)


def test_the_colon_follows_the_labels_language(font_path):
    chinese = [row for row, _ in rows_of(queued("zh_CN", "个体工商户设立登记"), font_path)]
    assert "临时编号：K7Q2M9" in chinese
    mixed = SlipDocument("Test", (Field("Item", "个体工商户设立登记"), Field("事项", "Registration")), NOW)
    assert [row for row, _ in rows_of(mixed, font_path)][1:] == ["Item: 个体工商户设立登记", "事项：Registration"]
