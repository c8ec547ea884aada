"""When Python's cycle collector may pause the kiosk.

- What exists once the kiosk has started lives as long as the process: it is frozen out
  of collections for good (`gc.freeze`), so later collections walk only what came after.
- Automatic full collections are pushed far apart, and one runs between citizens instead,
  just after the attract screen is drawn, when nobody is waiting for an answer.
- Young-generation collections stay as they are: short, and they keep short-lived cycles
  (a page's widgets rebuilt on every visit) from piling up.

Why: a full collection walks the whole started kiosk (Kivy, fonts, screens) and, left to
the interpreter's counters, landed in the middle of citizens' taps (the tap figures:
BENCHMARKS.md).
"""
from __future__ import annotations

import gc
import logging
import time

log = logging.getLogger(__name__)

# A full collection after this many young collections at the most (CPython's default is
# 10). A citizen's whole session takes a few dozen, and one runs between citizens anyway.
FULL_AFTER_YOUNG_COLLECTIONS = 200


def settle_after_start() -> None:
    """Collect what starting up left behind, then freeze the survivors."""
    started = time.perf_counter()
    gc.collect()
    gc.freeze()
    young, middle, _full = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_AFTER_YOUNG_COLLECTIONS)
    log.info("startup objects frozen out of collections",
             extra={"frozen": gc.get_freeze_count(), "ms": round((time.perf_counter() - started) * 1000)})


def collect_between_sessions() -> None:
    """A full collection while the kiosk waits for the next citizen."""
    started = time.perf_counter()
    found = gc.collect()
    log.debug("collected between sessions",
              extra={"unreachable": found, "ms": round((time.perf_counter() - started) * 1000)})
