"""A diagnostics bundle for a technician or the county's help desk: one zip with the
readiness report (JSON and text), the tail of the kiosk's log, the hardware profile as
loaded and the software versions. It leaves behind everything a session or a secret
lives in: captured pages, slips, the terminal secret, the maintenance PIN hash and its
audit file. Log lines are written without personal data; ID and mobile numbers are
masked again here (services.redact) in case one slipped into a message."""
from __future__ import annotations

import json
import platform
import zipfile
from collections import deque
from importlib import metadata
from pathlib import Path

from services.redact import redact

LOG_LINES = 500
PACKAGES = ("chengmai-kiosk", "Kivy", "python-escpos", "pyscard", "opencv-python-headless", "zxing-cpp",
            "httpx", "requests")


def write_bundle(report, rendered: str, config, out: Path, log_dir: Path | None = None) -> Path:
    """`report` is a kiosk.ops.readiness.ReadinessReport, `rendered` its text form."""
    log_dir = log_dir or config.var_dir / "log"
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("readiness.json", json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        bundle.writestr("readiness.txt", rendered)
        bundle.writestr("log-tail.jsonl", "".join(log_tail(log_dir / "kiosk.jsonl")))
        bundle.writestr("profile.json", json.dumps(config.profile.sections, ensure_ascii=False, indent=2,
                                                   default=str))
        bundle.writestr("versions.json", json.dumps(versions(), indent=2))
    return out


def log_tail(path: Path, lines: int = LOG_LINES) -> list[str]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", errors="replace") as log:
        return [redact(line) for line in deque(log, maxlen=lines)]


def versions() -> dict[str, str]:
    found = {"python": platform.python_version(), "platform": platform.platform()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found
