"""Files of maintenance mode: private, written whole or not at all, and an append-only audit."""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
from pathlib import Path
from typing import Any

from domain.county import CST

PRIVATE = 0o600

log = logging.getLogger(__name__)


def maintenance_dir(var_dir: Path) -> Path:
    path = Path(var_dir) / "maintenance"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def iso(epoch_s: float | None) -> str | None:
    """Kiosk-local time (China Standard Time), as the county's staff read it."""
    if epoch_s is None:
        return None
    return dt.datetime.fromtimestamp(epoch_s, CST).isoformat(timespec="seconds")


def atomic_write_text(path: Path, text: str) -> None:
    """A crash or power cut leaves either the old file or the new one, never half of it."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE)
    try:
        os.write(fd, text.encode("utf-8"))
        os.fsync(fd)
    except OSError:
        os.close(fd)
        tmp.unlink(missing_ok=True)  # a full disk: no half-written file left behind
        raise
    else:
        os.close(fd)
    os.chmod(tmp, PRIVATE)  # O_CREAT's mode does not apply to a stale temp file
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def read_json(path: Path) -> dict[str, Any] | None:
    """None when the file does not exist; ValueError when it is not a JSON object."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    if not isinstance(data, dict):
        raise ValueError(f"{path.name} is not a JSON object")
    return data


def _fsync_dir(directory: Path) -> None:
    # The rename itself is only durable once the directory entry is on disk.
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class AuditLog:
    """One JSON line per event, appended; callers pass outcomes and counts, never secrets."""

    def __init__(self, path: Path):
        self.path = path

    def append(self, epoch_s: float, event: str, **fields: Any) -> None:
        entry = {"t": iso(epoch_s), "event": event, **fields}
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
        # O_APPEND: one write per line, so two processes (kiosk and kiosk-diag) never
        # interleave or overwrite each other's lines.
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE)
            try:
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:  # a full disk: the entry goes to the log, staff still get in
            log.error("maintenance audit entry not written", extra={"entry": entry, "error": exc.strerror})
