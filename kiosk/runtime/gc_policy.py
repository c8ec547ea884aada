"""When Python's cycle collector may pause the kiosk.

A full collection walks every tracked object. Once the kiosk is up that is about 200,000
of them (Kivy, the fonts, the screens and their kv rules), and a full collection took
190 to 330 ms on the reference machine. The interpreter starts one whenever its
allocation counters say so, which in practice meant in the middle of a citizen's tap:
these pauses were most of the slow taps measured by `python -m benchmarks kiosk`.

So:
- what exists once the kiosk has started lives as long as the process: it is frozen
  out of collections for good (`gc.freeze`), and later collections only walk what was
  made after it;
- automatic full collections are pushed far apart;
- a full collection runs between citizens instead, just after the attract screen is
  drawn, when nobody is waiting for an answer.

Young-generation collections stay as they are: they are short and keep short-lived
cycles (a page's widgets rebuilt on every visit) from piling up.
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
