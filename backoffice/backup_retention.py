"""The nightly backups' retention: the newest N backups under a folder are kept, older ones
deleted; N counts backups, not days, so nights the timer missed never cost the last good one."""
from __future__ import annotations

import shutil
from pathlib import Path

from .backup import MANIFEST


def backups(folder: Path) -> list[Path]:
    """The backups `backup.take` made under `folder`, oldest first (their names are UTC stamps)."""
    found = [p for p in Path(folder).glob("backoffice-*") if (p / MANIFEST).is_file()]
    return sorted(found, key=lambda p: p.name)


def prune(folder: Path, keep: int) -> list[Path]:
    """Deletes all but the newest `keep` backups; the deleted ones."""
    if keep < 1:
        raise ValueError("keep at least one backup")
    gone = backups(folder)[:-keep]
    for old in gone:
        shutil.rmtree(old)
    return gone
