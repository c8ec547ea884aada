"""Log records as JSON lines, the kiosk's and the back office's alike: time, level,
logger, message, and each `extra` field as a key of its own (masked or categorical values
only: the call sites' rule, with domain.scrub's filter behind it)."""
from __future__ import annotations

import json
import logging

_STANDARD = set(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime", "color_message"}


class JsonLinesFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "t": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:  # the scrubbing filter leaves the traceback as scrubbed text
            entry["exc"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)
