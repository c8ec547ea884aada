"""Colours come from the theme only (kiosk/ui/theme.py, where their contrast is stated):
no kv rule or screen writes a colour of its own."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KV_COLOUR = re.compile(r"^\s*(?:rgba|color|background_color|disabled_color)\s*:.*(?<![\w.])\d*\.?\d+\s*,")
CHANNEL = r"\s*(?:0|1)?\.?\d*\s*"
PY_COLOUR = re.compile(r"[(\[]\s*(?:0|1)(?:\.\d+)?\s*,\s*(?:0|1)?\.\d+\s*," + CHANNEL + "," + CHANNEL + r"[)\]]")


def test_no_colour_is_written_outside_the_theme():
    found = []
    for path in (ROOT / "screens").glob("*.kv"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if KV_COLOUR.search(line):
                found.append(f"{path.name}:{number}: {line.strip()}")
    for path in [*(ROOT / "screens").glob("*.py"), ROOT / "kiosk" / "app.py"]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if PY_COLOUR.search(line):
                found.append(f"{path.name}:{number}: {line.strip()}")
    assert not found, "colours outside kiosk/ui/theme.py:\n" + "\n".join(found)
