"""Lays a SlipDocument out as ESC/POS bytes, one segment per block.

Segments end on command boundaries, so the facade can ask the printer for its paper
status between them (a DLE EOT inside a raster image would be read as image data).
python-escpos builds the commands; text goes out as GB18030 written by us, because
python-escpos sends strings made only of CJK punctuation (or an English label with a
full-width colon) through a code page and prints "?".

python-escpos and qrcode are imported with the first slip, not with this module: the
kiosk's first frame must not wait for them (python-escpos reads a printer database at import).
"""
from __future__ import annotations

import copy
import logging
import re
import unicodedata

from domain.slips import Field, Heading, Line, QrCode, Rule, SlipDocument, printable

from .profile import ReceiptPrinterProfile

log = logging.getLogger(__name__)

FS_CHINESE_MODE_ON = b"\x1c\x26"
GS_SIZE = b"\x1d!"  # character size for Chinese and Latin characters alike
SIZE_1X = 0x00
QR_BORDER = 1  # modules of quiet zone python-escpos draws around a raster QR code
# A wide (Chinese) character, a run of spaces, or a run of anything else (a word, a number).
TOKENS = re.compile(r"[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]"
                    r"|\s+|[^\s\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]+")


def escpos_segments(doc: SlipDocument, profile: ReceiptPrinterProfile) -> list[bytes]:
    out = _Writer(profile)
    out.begin()
    out.title(doc.title)
    for block in doc.blocks:
        if isinstance(block, Heading):
            out.line(block.text, bold=True)
        elif isinstance(block, Line):
            out.line(block.text, align=block.align)
        elif isinstance(block, Field):
            colon = "：" if has_cjk(block.label) else ": "
            out.line(f"{block.label}{colon}{block.value}")
        elif isinstance(block, Rule):
            out.line("-" * profile.columns)
        elif isinstance(block, QrCode):
            out.qr(block.payload)
        out.flush()
    out.finish()
    return out.segments


def escpos_bytes(doc: SlipDocument, profile: ReceiptPrinterProfile) -> bytes:
    return b"".join(escpos_segments(doc, profile))


class _Writer:
    def __init__(self, profile: ReceiptPrinterProfile):
        from escpos.printer import Dummy

        self.profile = profile
        self.p = Dummy(profile="default")
        _set_paper_width(self.p, profile.paper_width_px)
        self.segments: list[bytes] = []

    def flush(self) -> None:
        if self.p.output:
            self.segments.append(self.p.output)
            self.p.clear()

    def begin(self) -> None:
        self.p.hw("INIT")
        if self.profile.writes_gb18030 and self.profile.chinese_mode:
            self.p._raw(FS_CHINESE_MODE_ON)
        elif not self.profile.writes_gb18030:
            self.p.charcode(self.profile.code_page)
        self.flush()

    def title(self, text: str) -> None:
        self.p.set(align="center", bold=True, custom_size=True, width=2, height=2)
        for row in wrap_columns(printable(text), self.profile.columns // 2):  # double width: half the columns
            self._text(row + "\n")
        # python-escpos' normal_textsize resets ESC ! only; GS ! would stay at double size.
        self.p._raw(GS_SIZE + bytes([SIZE_1X]))
        self.p.set(align="left", bold=False, normal_textsize=True)
        self.p._raw(b"\n")
        self.flush()

    def line(self, text: str, bold: bool = False, align: str = "left") -> None:
        self.p.set(align=align, bold=bold, normal_textsize=True)
        for row in wrap_columns(printable(text), self.profile.columns):
            self._text(row + "\n")
        if bold or align != "left":
            self.p.set(align="left", bold=False)

    def qr(self, payload: str) -> None:
        from qrcode.exceptions import DataOverflowError

        payload = payload.encode("utf-8", "replace").decode("utf-8")  # a lone surrogate as "?"
        try:
            modules = qr_modules(payload)
        except (DataOverflowError, ValueError):  # qrcode says "Invalid version" past version 40
            log.warning("a QR payload of %d characters fits no QR code; printed without it", len(payload))
            return
        # A long payload makes a wide code: smaller modules rather than one wider than the paper.
        size = max(1, min(self.profile.qr_module_size, self.profile.paper_width_px // (modules + QR_BORDER * 2)))
        self.p.set(align="center")
        self.p.qr(payload, native=self.profile.native_qr, size=size, center=not self.profile.native_qr)
        self.p.set(align="left")

    def finish(self) -> None:
        self.p._raw(b"\n\n")
        if self.profile.cutter:
            self.p.cut()
        self.flush()

    def _text(self, text: str) -> None:
        if self.profile.writes_gb18030:
            self.p._raw(text.encode("gb18030", errors="replace"))
        else:
            self.p.text(text)


def qr_modules(payload: str) -> int:
    """Modules across the QR code python-escpos makes of `payload` (error correction L)."""
    import qrcode

    code = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_L)
    code.add_data(payload)
    code.make(fit=True)
    return code.modules_count


def wrap_columns(text: str, columns: int) -> list[str]:
    """Rows of at most `columns` print columns (a Chinese character takes two). The printer
    would wrap by itself, but anywhere: an English word keeps whole here where it fits on a
    row; Chinese may break between any two characters, as it does in print. A line's
    leading spaces indent each of its rows."""
    body = text.lstrip(" ")
    indent = text[:len(text) - len(body)]
    if indent and len(indent) < columns:
        return [indent + row for row in wrap_columns(body, columns - len(indent))]
    rows, row, used = [], "", 0
    for token in TOKENS.findall(text):
        width = _columns(token)
        if token.isspace():
            if row:  # spaces between words; none at the start of a row
                row, used = row + token, used + width
            continue
        if used + width > columns and row.strip():
            rows.append(row.rstrip())
            row, used = "", 0
        while width > columns:  # a word longer than a whole row: cut it
            cut = _fit(token, columns)
            rows.append(token[:cut])
            token = token[cut:]
            width = _columns(token)
        row, used = row + token, used + width
    rows.append(row.rstrip())
    return rows


def _columns(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _fit(word: str, columns: int) -> int:
    used = 0
    for index, ch in enumerate(word):
        used += _columns(ch)
        if used > columns:
            return max(1, index)
    return len(word)


def has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _set_paper_width(printer, pixels: int) -> None:
    """python-escpos centres images by its profile's paper width; the profile data is shared
    between instances, so give this printer its own copy before changing it."""
    data = copy.deepcopy(printer.profile.profile_data)
    data.setdefault("media", {}).setdefault("width", {})["pixels"] = pixels
    printer.profile.profile_data = data
