"""Per-model facts about a receipt printer, read from the kiosk's hardware profile."""
from __future__ import annotations

from dataclasses import dataclass

# Encodings the kiosk writes itself (python-escpos would send CJK punctuation-only
# strings through a code page and print "?").
CHINESE_ENCODINGS = ("gb18030", "gbk", "gb2312")


@dataclass(frozen=True)
class ReceiptPrinterProfile:
    model: str = "generic-80mm"
    paper_width_px: int = 576  # 80 mm paper at 203 dpi; 58 mm paper is 384
    columns: int = 48  # font A; a CJK character takes two columns
    code_page: str = "gb18030"  # or a python-escpos code page name such as "CP437"
    chinese_mode: bool = True  # send FS & (Chinese character mode on) after ESC @
    native_qr: bool = False  # raster QR works on every printer; GS ( k only on some
    qr_module_size: int = 6
    cutter: bool = True
    status_timeout_s: float = 0.5  # how long a DLE EOT reply may take before "no answer"
    roll_length_m: float = 80.0  # a full paper roll, for the estimate of paper left (paper.py)

    @property
    def writes_gb18030(self) -> bool:
        return self.code_page.lower() in CHINESE_ENCODINGS
