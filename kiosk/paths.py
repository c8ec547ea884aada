"""Where the kiosk finds its assets and keeps its runtime files."""
from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
ASSETS = REPO_ROOT / "assets"
LOCALE_DIR = ASSETS / "locale"
CONFIG_DIR = REPO_ROOT / "config"


def resolve(path: str | Path) -> Path:
    """Relative paths in configuration are relative to the repository, not the cwd."""
    p = Path(path)
    return p if p.is_absolute() else REPO_ROOT / p
