"""Paper left on the receipt roll. An ESC/POS printer says only "near end" and "out"
(DLE EOT), so the kiosk keeps its own count: each slip's length is measured from the bytes
it sends, with the printer model the emulator draws with (escpos_render: text rows,
raster images, QR codes, feeds), and the lengths are added up. A new roll starts the count
again: the printer coming back from "paper out", or staff saying so (`kiosk-diag printer
new-roll`). The count is kept in a small JSON file, so a restart does not forget it."""
from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from .escpos_parse import EscPosParser
from .escpos_render import PaperRenderer, Receipt

log = logging.getLogger(__name__)

DOTS_PER_MM = 8  # 203 dpi thermal heads


class _PaperMeasure(PaperRenderer):
    """The emulator's model of the printer, counting dots without drawing them."""

    def __init__(self, width: int):  # no font: nothing is drawn
        self.width = width
        self.chinese_by_default = False
        self.receipt = Receipt()
        self.reset()

    def _draw_text_row(self, row) -> int:
        return self._row_height(row)

    def _place_image(self, image) -> int:
        return image.height


@dataclass(frozen=True)
class PaperLevel:
    roll_mm: float
    used_mm: float
    slips: int  # printed from this roll

    @property
    def left_mm(self) -> float:
        return max(0.0, self.roll_mm - self.used_mm)

    @property
    def slips_left(self) -> int | None:
        """At the average length of the slips printed so far; None before the first."""
        if not self.slips or not self.used_mm:
            return None
        return int(self.left_mm / (self.used_mm / self.slips))

    def describe(self) -> str:
        """For the readiness report and the maintenance tile (no personal data)."""
        text = f"paper about {self.left_mm / 1000:.1f} m left of {self.roll_mm / 1000:.0f} m"
        slips = self.slips_left
        return text if slips is None else f"{text} (about {slips} slips)"


class PaperMeter:
    def __init__(self, roll_mm: float, width_px: int, path: Path | None = None):
        self.roll_mm = roll_mm
        self.width_px = width_px
        self.path = path
        self._lock = threading.Lock()
        # The file is the count (read again at each use): `kiosk-diag printer new-roll` may
        # change it while the kiosk runs. Without a file the count lives here.
        self._used_mm, self._slips = 0.0, 0

    def measure_mm(self, data: bytes) -> float:
        measure, dots = _PaperMeasure(self.width_px), 0
        for op in EscPosParser().feed(data):
            dots += measure.apply(op)
        return dots / DOTS_PER_MM

    def record(self, data: bytes) -> None:
        """A slip went out: its length comes off the roll."""
        used = self.measure_mm(data)
        with self._lock:
            self._used_mm, self._slips = self._load()
            self._used_mm += used
            self._slips += 1
            self._save()

    def new_roll(self) -> None:
        with self._lock:
            self._used_mm, self._slips = 0.0, 0
            self._save()
        log.info("receipt printer: new paper roll")

    def level(self) -> PaperLevel:
        with self._lock:
            self._used_mm, self._slips = self._load()
            return PaperLevel(self.roll_mm, self._used_mm, self._slips)

    def _load(self) -> tuple[float, int]:
        if self.path is None:
            return self._used_mm, self._slips
        if not self.path.exists():
            return 0.0, 0
        try:
            kept = json.loads(self.path.read_text(encoding="utf-8"))
            return float(kept["used_mm"]), int(kept["slips"])
        except (ValueError, KeyError, TypeError, OSError):
            log.warning("receipt printer: paper count unreadable, counting from a full roll")
            return 0.0, 0

    def _save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"used_mm": round(self._used_mm, 1), "slips": self._slips}),
                             encoding="utf-8")
        os.replace(temporary, self.path)  # whole or not at all
