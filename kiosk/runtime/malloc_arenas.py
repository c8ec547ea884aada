"""Two glibc malloc arenas for the whole kiosk process.

Why: glibc gives each new thread an arena of its own and keeps freed pages scattered in
it; the kiosk's twenty mostly waiting threads held a third of its memory that way (the
soak's figures: BENCHMARKS.md). Set before the threads start (kivy_env.prepare);
MALLOC_ARENA_MAX in the environment takes precedence.
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
