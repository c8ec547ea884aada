"""Where python-escpos keeps its parsed printer database: the kiosk's cache folder, read
at import time, so this must run before anything imports python-escpos: kiosk/hardware.py
build_devices (the kiosk, `kiosk-diag report`) and kiosk-diag's printer commands."""
from __future__ import annotations

import os
import sys
from pathlib import Path


def keep_escpos_capabilities(var_dir: Path) -> None:
    """python-escpos parses its printer database (YAML) at import and pickles it into a new
    temporary directory unless told where: every start would parse it again (a fifth of a
    second) and leave one more directory in /tmp. Kept in this kiosk's cache, it is read once.
    python-escpos opens that file before it parses and writes after: a start killed in
    between leaves it cut short, and every later import would fail on it, so such a file is
    removed here and made again. (python-escpos still makes an empty temporary directory at
    each import: it calls mkdtemp() for its default before reading this setting. /tmp is
    emptied at boot.)"""
    if "escpos.capabilities" in sys.modules:
        return
    cache = var_dir / "cache" / "escpos"
    try:
        cache.mkdir(parents=True, exist_ok=True)
        for pickled in cache.glob("*.capabilities.pickle"):
            if not _whole_pickle(pickled):
                pickled.unlink()
    except OSError:
        return
    if not os.access(cache, os.W_OK | os.X_OK):
        # kiosk-diag run by someone who may not write there: python-escpos would fail to
        # import on a pickle it cannot write; its own temporary directory then.
        return
    os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(cache)  # this kiosk's, not an inherited one


def _whole_pickle(path: Path) -> bool:
    """A pickle ends with its STOP opcode; one cut short does not."""
    try:
        with path.open("rb") as f:
            f.seek(-1, os.SEEK_END)
            return f.read(1) == b"."
    except OSError:  # empty (seek before the start) or unreadable
        return False
