"""When Python's cycle collector may pause the back office.

What exists once the server has started (the application and its routes, SQLAlchemy's
mappers, the settings, the translations) lives as long as the process: it is frozen out of
collections (`gc.freeze`), so a full collection walks only what came after. Young
collections stay as they are: short, and they free a request's cycles soon.

Why: a full collection walked some 370,000 startup objects, 100-150 ms on a busy machine,
and the interpreter's counters started one every twenty-odd console pages of 200 KB; it
landed on a page each time and made the console's p95 (BENCHMARKS.md, "Console pages at
100,000 cases"). Frozen, a full collection takes a few milliseconds.
"""
from __future__ import annotations

import gc
import logging
import time

log = logging.getLogger(__name__)


def freeze_startup() -> None:
    """Collect what starting up left behind, then freeze the survivors."""
    started = time.perf_counter()
    gc.collect()
    gc.freeze()
    log.info("startup objects frozen out of collections",
             extra={"frozen": gc.get_freeze_count(), "ms": round((time.perf_counter() - started) * 1000)})
