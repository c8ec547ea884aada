"""Renders a SlipDocument to a PNG the size of the paper, so staff and tests can see a
receipt without a printer. Same blocks as the ESC/POS output, same order, and the same
line breaks in kind: between words for Latin text, at any character for Chinese
(devices/printer/layout.py's tokens), measured here in pixels rather than columns."""
from __future__ import annotations

from pathlib import Path
from typing import cast

from PIL import Image, ImageDraw, ImageFont

from devices.printer.layout import TOKENS, has_cjk
from domain.slips import Field, QrCode, Rule, SlipDocument, printable

MARGIN = 16
BODY_PX = 24  # font A on a 203 dpi head is 12x24 dots
TITLE_PX = 40
ROW_PX = int(BODY_PX * 1.35)

Op = tuple[str, object, int]  # kind ("left", "center", "rule", "image"), payload, top


def render_slip_png(doc: SlipDocument, font_path: Path, out: Path, width_px: int = 576) -> Path:
    ops, height = lay_out(doc, font_path, width_px)
    canvas = Image.new("L", (width_px, height), 255)
    draw = ImageDraw.Draw(canvas)
    for kind, payload, top in ops:
        if kind == "rule":
            draw.line((MARGIN, top, width_px - MARGIN, top), fill=0, width=2)
        elif kind == "image":
            assert isinstance(payload, Image.Image)
            canvas.paste(payload, ((width_px - payload.width) // 2, top))
        else:
            text, font = cast(tuple[str, ImageFont.FreeTypeFont], payload)
            w = draw.textlength(text, font=font)
            x = (width_px - w) / 2 if kind == "center" else MARGIN
            draw.text((x, top), text, font=font, fill=0)
    out.parent.mkdir(parents=True, exist_ok=True)
    canvas.save(out)
    return out


def lay_out(doc: SlipDocument, font_path: Path, width_px: int = 576) -> tuple[list[Op], int]:
    """What the preview draws, top to bottom, and the image's height. A text op's payload
    is (row, font): one wrapped row."""
    body = ImageFont.truetype(str(font_path), BODY_PX)
    title = ImageFont.truetype(str(font_path), TITLE_PX)
    usable = width_px - 2 * MARGIN
    ops: list[Op] = []
    y = MARGIN
    for row in wrap_pixels(printable(doc.title), title, usable):
        ops.append(("center", (row, title), y))
        y += TITLE_PX + 8
    y += 12
    for block in doc.blocks:
        if isinstance(block, Rule):
            ops.append(("rule", None, y + BODY_PX // 2))
            y += BODY_PX
        elif isinstance(block, QrCode):
            img = _qr_image(block.payload, usable)
            if img is not None:  # the printer leaves out a payload no QR code holds, too
                ops.append(("image", img, y))
                y += img.height + 8
        else:
            if isinstance(block, Field):  # the printer's colon: full width after a Chinese label
                text = f"{block.label}{'：' if has_cjk(block.label) else ': '}{block.value}"
            else:
                text = block.text
            align = getattr(block, "align", "left")
            for row in wrap_pixels(printable(text), body, usable):
                ops.append((align, (row, body), y))
                y += ROW_PX
    return ops, y + MARGIN


def _qr_image(payload: str, width: int) -> Image.Image | None:
    import qrcode  # with the first code drawn, not with the kiosk's start
    from qrcode.exceptions import DataOverflowError

    code = qrcode.QRCode(box_size=6, border=2)
    code.add_data(payload.encode("utf-8", "replace"))  # a lone surrogate as "?"
    try:
        code.make(fit=True)
    except (DataOverflowError, ValueError):  # qrcode says "Invalid version" past version 40
        return None
    img = code.make_image().get_image().convert("L")
    if img.width > width:  # the printer makes the modules smaller; so does the preview
        img = img.resize((width, width), Image.Resampling.NEAREST)
    return img


def wrap_pixels(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Rows no wider than `width` pixels in `font`, broken as layout.wrap_columns breaks
    printed rows: between words, or between any two Chinese characters; a word wider than
    a whole row is cut. A line's leading spaces indent each of its rows."""
    body = text.lstrip(" ")
    indent = text[:len(text) - len(body)]
    if indent and font.getlength(indent) < width:
        return [indent + row for row in wrap_pixels(body, font, width - font.getlength(indent))]
    rows, row = [], ""
    for token in TOKENS.findall(text):
        if token.isspace():
            if row:  # spaces between words; none at the start of a row
                row += token
            continue
        if row.strip() and font.getlength(row + token) > width:
            rows.append(row.rstrip())
            row = ""
        while font.getlength(token) > width:  # a word wider than a whole row: cut it
            cut = _fit(token, font, width)
            rows.append(token[:cut])
            token = token[cut:]
        row += token
    rows.append(row.rstrip())
    return rows


def _fit(word: str, font: ImageFont.FreeTypeFont, width: float) -> int:
    """How many of the word's first characters fit in `width` (at least one)."""
    for end in range(1, len(word) + 1):
        if font.getlength(word[:end]) > width:
            return max(1, end - 1)
    return len(word)
