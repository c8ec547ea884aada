"""Per-model facts about a receipt printer, read from the kiosk's hardware profile."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from domain.flags import is_on

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

    @classmethod
    def from_section(cls, section: Mapping[str, Any]) -> "ReceiptPrinterProfile":
        """From the hardware profile's [receipt_printer] section."""
        return cls(
            model=str(section.get("model", cls.model)),
            paper_width_px=int(section.get("paper_width_px", cls.paper_width_px)),
            columns=int(section.get("columns", cls.columns)),
            chinese_mode=is_on(section.get("chinese_mode", cls.chinese_mode)),
            native_qr=is_on(section.get("native_qr", cls.native_qr)),
            qr_module_size=int(section.get("qr_module_size", cls.qr_module_size)),
            cutter=is_on(section.get("cutter", cls.cutter)),
            code_page=str(section.get("code_page", cls.code_page)),
            status_timeout_s=float(section.get("status_timeout_s", cls.status_timeout_s)),
            roll_length_m=float(section.get("roll_length_m", cls.roll_length_m)),
        )

    @property
    def writes_gb18030(self) -> bool:
        return self.code_page.lower() in CHINESE_ENCODINGS
