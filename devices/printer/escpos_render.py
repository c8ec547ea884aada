"""Draws parsed ESC/POS commands onto paper, the way a 203 dpi thermal printer would:
font A cells of 12x24 dots (24x24 for Chinese), ESC ! / GS ! / FS ! sizes, ESC a
alignment, GS v 0 raster images and GS ( k QR codes. Text is decoded as GB18030 in
Chinese mode, else through the selected code page, so a wrong setting shows as mojibake
exactly as it would on paper.
"""
from __future__ import annotations

import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, ImageOps

from .escpos_parse import Op

CELL_H = 24
HALF_W = 12
LINE_GAP = 6  # default line spacing (ESC 2) is about 30 dots
CODE_PAGES = {0: "cp437", 2: "cp850", 3: "cp860", 16: "cp1252", 17: "cp866", 19: "cp858"}
QR_ECC_LEVELS = {48: "L", 49: "M", 50: "Q", 51: "H"}  # GS ( k fn 69's n; qrcode imported when a code prints


@dataclass
class Receipt:
    """What came out of the printer between two cuts."""

    rows: list[Image.Image] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # the text of each printed line
    cut: bool = False  # ended with a cut (a whole receipt), not with paper out or a drop
    finished_at: float = 0.0  # time.perf_counter() when it ended: the benchmark's "receipt out"

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def image(self, width: int) -> Image.Image:
        height = sum(r.height for r in self.rows) + 2 * CELL_H
        page = Image.new("L", (width, max(height, 1)), 255)
        y = CELL_H
        for row in self.rows:
            page.paste(row, (0, y))
            y += row.height
        return page

    def save_png(self, path: Path, width: int) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.image(width).save(path)
        return path


class PaperRenderer:
    def __init__(self, width: int, font_path: Path, chinese_by_default: bool = False):
        self.width = width
        self.font = ImageFont.truetype(str(font_path), CELL_H - 2)
        self.chinese_by_default = chinese_by_default
        self._glyphs: dict[str, Image.Image] = {}
        self.receipt = Receipt()
        self.reset()

    def reset(self) -> None:
        """ESC @: back to power-on settings (paper already printed stays printed)."""
        self.align = 0
        self.bold = False
        self.mode = 0  # ESC !
        self.size = 0  # GS !
        self.kanji = 0  # FS !
        self.chinese = self.chinese_by_default
        self.codepage = 0
        self.qr_module = 3
        self.qr_ecc = 48
        self.qr_data = b""
        self._pending: list[tuple[bytes, int, int, bool]] = []  # (bytes, width x, height x, chinese)

    # --- commands ------------------------------------------------------------------------
    def apply(self, op: Op) -> int:
        """Apply one command; returns the dots of paper it used."""
        name = op.name
        if name == "text":
            self._pending.append((op.data, *self._multipliers(), self.chinese))
        elif name == "lf":
            return self._print_line()
        elif name == "init":
            self.reset()
        elif name == "align":
            self.align = op.arg if op.arg in (0, 1, 2) else {48: 0, 49: 1, 50: 2}.get(op.arg, 0)
        elif name == "bold":
            self.bold = bool(op.arg & 1)
        elif name == "mode":
            self.mode = op.arg
        elif name == "size":
            self.size = op.arg
        elif name == "kanji_mode":
            self.kanji = op.arg
        elif name == "chinese":
            self.chinese = op.arg
        elif name == "codepage":
            self.codepage = op.arg
        elif name == "feed_lines":
            return self._print_line() + op.arg * (CELL_H + LINE_GAP)
        elif name == "feed_dots":
            return self._print_line() + op.arg
        elif name == "raster":
            return self._raster(*op.arg, op.data)
        elif name == "qr":
            return self._qr(*op.arg, op.data)
        elif name == "cut":
            used = self._print_line() if self._pending else 0
            self.receipt.cut = True
            return used
        return 0

    def take_receipt(self) -> Receipt:
        done, self.receipt = self.receipt, Receipt()
        done.finished_at = time.perf_counter()
        return done

    # --- text ----------------------------------------------------------------------------
    def _multipliers(self) -> tuple[int, int]:
        if self.size:
            return (self.size >> 4 & 7) + 1, (self.size & 7) + 1
        return (2 if self.mode & 0x20 else 1), (2 if self.mode & 0x10 else 1)

    def _print_line(self) -> int:
        runs = [(self._decode(data, chinese), w, h) for data, w, h, chinese in self._pending]
        self._pending = []
        cells = [(ch, w, h) for text, w, h in runs for ch in text]
        rows, row, x = [], [], 0
        for ch, w, h in cells:
            cw = (2 * HALF_W if _wide(ch) else HALF_W) * w
            if x + cw > self.width and row:
                rows.append(row)
                row, x = [], 0
            row.append((ch, cw, h))
            x += cw
        rows.append(row)
        used = 0
        for row in rows:
            used += self._draw_text_row(row)
        return used

    def _row_height(self, row: list[tuple[str, int, int]]) -> int:
        return max((h for _, _, h in row), default=1) * CELL_H + LINE_GAP

    def _draw_text_row(self, row: list[tuple[str, int, int]]) -> int:
        height = self._row_height(row)
        image = Image.new("L", (self.width, height), 255)
        used_w = sum(cw for _, cw, _ in row)
        x = self._x_for(used_w)
        for ch, cw, h in row:
            glyph = self._glyph(ch, cw, h * CELL_H)
            image.paste(glyph, (x, height - LINE_GAP - glyph.height))
            x += cw
        self.receipt.rows.append(image)
        self.receipt.lines.append("".join(ch for ch, _, _ in row))
        return height

    def _glyph(self, ch: str, w: int, h: int) -> Image.Image:
        key = f"{ch}|{w}|{h}|{self.bold}"
        if key not in self._glyphs:
            base_w = 2 * HALF_W if _wide(ch) else HALF_W
            box = self.font.getbbox(ch)
            ink_w = max(base_w, box[2] - box[0])  # a wide Latin letter (M, W) is squeezed in
            cell = Image.new("L", (ink_w, CELL_H), 255)
            ImageDraw.Draw(cell).text(((ink_w - (box[2] - box[0])) / 2 - box[0], 0), ch,
                                      font=self.font, fill=0,
                                      stroke_width=1 if self.bold else 0, stroke_fill=0)
            self._glyphs[key] = cell.resize((w, h)) if (w, h) != (ink_w, CELL_H) else cell
        return self._glyphs[key]

    def _decode(self, data: bytes, chinese: bool) -> str:
        if chinese:
            return data.decode("gb18030", errors="replace")
        return data.decode(CODE_PAGES.get(self.codepage, "cp437"), errors="replace")

    def _x_for(self, content_width: int) -> int:
        if self.align == 1:
            return max(0, (self.width - content_width) // 2)
        if self.align == 2:
            return max(0, self.width - content_width)
        return 0

    # --- images --------------------------------------------------------------------------
    def _raster(self, m: int, xbytes: int, rows: int, data: bytes) -> int:
        used = self._print_line() if self._pending else 0
        if not xbytes or not rows:
            return used
        bits = Image.frombytes("1", (xbytes * 8, rows), data)  # a set bit is a black dot
        image = ImageOps.invert(bits.convert("L"))
        if m & 1 or m == 49:
            image = image.resize((image.width * 2, image.height))
        if m & 2 or m == 50:
            image = image.resize((image.width, image.height * 2))
        return used + self._place_image(image)

    def _qr(self, cn: int, fn: int, data: bytes) -> int:
        if cn != 49:  # only QR Code (cn '1') among the 2D symbols
            return 0
        if fn == 67 and data:
            self.qr_module = data[0]
        elif fn == 69 and data:
            self.qr_ecc = data[0]
        elif fn == 80:
            self.qr_data = data[1:]  # after m = '0'
        elif fn == 81:
            return self._print_qr()
        return 0

    def _print_qr(self) -> int:
        import qrcode.constants

        used = self._print_line() if self._pending else 0
        level = QR_ECC_LEVELS.get(self.qr_ecc, "L")
        code = qrcode.QRCode(box_size=max(1, self.qr_module), border=0,
                             error_correction=getattr(qrcode.constants, f"ERROR_CORRECT_{level}"))
        code.add_data(self.qr_data)
        image = code.make_image().get_image().convert("L")
        return used + self._place_image(image)

    def _place_image(self, image: Image.Image) -> int:
        image = image.crop((0, 0, min(image.width, self.width), image.height))
        row = Image.new("L", (self.width, image.height), 255)
        row.paste(image, (self._x_for(image.width), 0))
        self.receipt.rows.append(row)
        self.receipt.lines.append("")
        return image.height


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")
