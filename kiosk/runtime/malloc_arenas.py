"""Fewer glibc malloc arenas for the kiosk process.

glibc gives a thread its own arena (a heap of up to 64 MiB at a time) when it first
allocates, up to eight per core, and keeps each arena's freed pages once they are
scattered between live blocks. The kiosk runs some twenty threads (device workers, the
outbox and fleet, HTTP, Mesa's rasterisers): over the soak's hour its arenas held about
285 MiB in 44 heaps, a third of its memory. Two arenas are plenty for threads that mostly
wait, and Python's own small objects never came from them (pymalloc).

Set before the threads start (kivy_env.prepare, the first thing every entry point does);
MALLOC_ARENA_MAX in the environment, read by glibc itself at start, takes precedence.
"""
from __future__ import annotations

import ctypes
import os
import sys

M_ARENA_MAX = -8  # glibc's malloc.h
KIOSK_ARENAS = 2


def cap_arenas(count: int = KIOSK_ARENAS) -> bool:
    """Whether the cap is now in force (False off glibc, or where MALLOC_ARENA_MAX rules)."""
    if not sys.platform.startswith("linux") or "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library this process already runs on
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return mallopt(M_ARENA_MAX, count) == 1
