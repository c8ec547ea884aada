"""Structured logs: JSON lines, rotated, no personal data.

Call sites log events and masked or categorical values only; `extra` fields are written as
JSON keys. Every handler carries domain.scrub's PersonalDataFilter as the second line
of defence, and tests/unit/test_log_call_sites.py runs every call site's record through it.
"""
from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from domain import scrub
from domain.json_logs import JsonLinesFormatter


def configure_logging(log_dir: Path, level: int = logging.INFO) -> None:
    log_dir.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(
        log_dir / "kiosk.jsonl", maxBytes=5_000_000, backupCount=5, encoding="utf-8"
    )
    handler.setFormatter(JsonLinesFormatter())
    console = logging.StreamHandler()
    console.setLevel(logging.WARNING)
    console.setFormatter(JsonLinesFormatter())
    root = logging.getLogger()
    root.setLevel(level)
    # Replace whatever handlers libraries installed at import (python-escpos calls
    # basicConfig): the kiosk's log goes to one rotated file, and only problems to stderr.
    for old in root.handlers[:]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.addHandler(console)
    scrub.install(root.handlers)
