"""Renders a SlipDocument to a PNG the size of the paper, so staff and tests can see a
receipt without a printer. Same blocks as the ESC/POS output, same order."""
from __future__ import annotations

from pathlib import Path

import qrcode
from qrcode.exceptions import DataOverflowError
from PIL import Image, ImageDraw, ImageFont

from kiosk.domain.slips import Field, Heading, Line, QrCode, Rule, SlipDocument, printable

MARGIN = 16
BODY_PX = 24  # font A on a 203 dpi head is 12x24 dots
TITLE_PX = 40


def render_slip_png(doc: SlipDocument, font_path: Path, out: Path, width_px: int = 576) -> Path:
    body = ImageFont.truetype(str(font_path), BODY_PX)
    title = ImageFont.truetype(str(font_path), TITLE_PX)
    usable = width_px - 2 * MARGIN
    # Lay out first (to know the height), then draw.
    ops: list[tuple[str, object, int]] = []
    y = MARGIN
    ops.append(("center", (printable(doc.title), title), y))
    y += TITLE_PX + 20
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
            text = printable(f"{block.label}：{block.value}" if isinstance(block, Field) else block.text)
            align = getattr(block, "align", "left")
            for row in _wrap(text, body, usable):
                ops.append((align, (row, body), y))
                y += int(BODY_PX * 1.35)
    height = y + MARGIN
    canvas = Image.new("L", (width_px, height), 255)
    draw = ImageDraw.Draw(canvas)
    for kind, payload, top in ops:
        if kind == "rule":
            draw.line((MARGIN, top, width_px - MARGIN, top), fill=0, width=2)
        elif kind == "image":
            canvas.paste(payload, ((width_px - payload.width) // 2, top))
        else:
            text, font = payload
            w = draw.textlength(text, font=font)
            x = (width_px - w) / 2 if kind == "center" else MARGIN
            draw.text((x, top), text, font=font, fill=0)
    out.parent.mkdir(parents=True, exist_ok=True)
    canvas.save(out)
    return out


def _qr_image(payload: str, width: int) -> Image.Image | None:
    code = qrcode.QRCode(box_size=6, border=2)
    code.add_data(payload.encode("utf-8", "replace"))  # a lone surrogate as "?"
    try:
        code.make(fit=True)
    except (DataOverflowError, ValueError):  # qrcode says "Invalid version" past version 40
        return None
    img = code.make_image().get_image().convert("L")
    if img.width > width:  # the printer makes the modules smaller; so does the preview
        img = img.resize((width, width), Image.NEAREST)
    return img


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Wrap by measured width, character by character (Chinese has no spaces)."""
    rows, current = [], ""
    for ch in text:
        if font.getlength(current + ch) > width and current:
            rows.append(current)
            current = ch.lstrip() if ch == " " else ch
        else:
            current += ch
    rows.append(current)
    return rows
