"""What the kiosk process holds, sampled between cycles: memory (RSS), OS threads and
open file descriptors; and the check that none of them grows after the warm-up."""
from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass


def rss_kib(pid: int | str = "self") -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def sample(cycle: int, started: float, backoffice_pid: int | None = None) -> dict:
    taken = {"t_s": round(time.monotonic() - started, 1), "cycle": cycle, "rss_kib": rss_kib(),
             "threads": len(os.listdir("/proc/self/task")), "fds": len(os.listdir("/proc/self/fd"))}
    if backoffice_pid is not None:
        try:
            taken["backoffice_rss_kib"] = rss_kib(backoffice_pid)
        except OSError:
            pass
    return taken


@dataclass(frozen=True)
class Tolerance:
    """How much more the end of the run may hold than just after the warm-up.

    Threads: the controller's worker pool and the speech worker's supervisor may each
    start one more thread the first time two steps overlap, which a short warm-up can
    miss. File descriptors: HTTP keep-alive connections (back office, printer) and the
    outbox's SQLite WAL files open and close with use; a sample can catch a few of them
    open. Memory: RSS climbs over the first part of a run and then holds
    (measured: ~600 MiB after the first cycle, ~900 MiB after 25-30 cycles, flat after
    that), all of it outside Python's objects, which stay flat; not traced to one cause,
    the likely ones being the first pass through each page and fault path, the software
    renderer's compiled shader variants and the allocator's arenas in worker threads.
    Hence a warm-up of a third of the run and 5 % after it;
    a leak keeps growing (the texture leak this soak found added ~350 MiB a cycle)."""
    threads: int = 2
    fds: int = 8
    rss_share: float = 0.05
    rss_floor_kib: int = 8 * 1024  # below this, a short run's noise, not a trend


def growth(samples: list[dict], warmup_cycles: int, tolerance: Tolerance, window: int = 3) -> dict:
    """Baseline: the samples right after the warm-up (median of `window`, and the most any
    of them held for threads and fds); end: the last `window` samples."""
    after = [s for s in samples if s["cycle"] > warmup_cycles]
    if len(after) < 2 * window:
        return {"judged": False, "why": f"{len(after)} samples after the warm-up; need {2 * window}"}
    first, last = after[:window], after[-window:]
    rss_base = statistics.median(s["rss_kib"] for s in first)
    rss_end = statistics.median(s["rss_kib"] for s in last)
    threads_base, threads_end = max(s["threads"] for s in first), max(s["threads"] for s in last)
    fds_base, fds_end = max(s["fds"] for s in first), max(s["fds"] for s in last)
    rss_allowed = max(rss_base * tolerance.rss_share, tolerance.rss_floor_kib)
    verdicts = {
        "threads": threads_end - threads_base <= tolerance.threads,
        "fds": fds_end - fds_base <= tolerance.fds,
        "rss": rss_end - rss_base <= rss_allowed,
    }
    return {"judged": True, "ok": all(verdicts.values()), "verdicts": verdicts,
            "rss_kib": [rss_base, rss_end], "rss_growth": (rss_end - rss_base) / rss_base,
            "rss_allowed_kib": rss_allowed, "threads": [threads_base, threads_end], "fds": [fds_base, fds_end],
            "tolerance": tolerance.__dict__}
