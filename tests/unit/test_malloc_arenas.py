"""kiosk/runtime/malloc_arenas.py: the kiosk's threads share two glibc malloc arenas instead of
each taking its own. Counted by glibc itself (malloc_info's <heap nr=...> entries), in a
fresh process with eight threads alive and allocating at once."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

PROBE = r"""
import ctypes, sys, tempfile, threading
from kiosk.runtime.malloc_arenas import cap_arenas
capped = cap_arenas() if sys.argv[1] == "cap" else False
together = threading.Barrier(8)
kept = []
def allocate():
    together.wait()  # every thread alive at once: none can inherit a finished one's arena
    kept.extend(bytearray(2000) for _ in range(200))  # past pymalloc's 512 bytes: glibc's malloc
threads = [threading.Thread(target=allocate) for _ in range(8)]
for thread in threads: thread.start()
for thread in threads: thread.join()
libc = ctypes.CDLL(None)
libc.fopen.restype, libc.fopen.argtypes = ctypes.c_void_p, (ctypes.c_char_p, ctypes.c_char_p)
libc.malloc_info.argtypes, libc.fclose.argtypes = (ctypes.c_int, ctypes.c_void_p), (ctypes.c_void_p,)
with tempfile.NamedTemporaryFile(suffix=".xml") as out:
    stream = libc.fopen(out.name.encode(), b"w")
    libc.malloc_info(0, stream)
    libc.fclose(stream)
    print(capped, open(out.name).read().count("<heap nr="))
"""

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")


def arenas(mode: str, **env_extra) -> tuple[str, int]:
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"} | env_extra
    done = subprocess.run([sys.executable, "-c", PROBE, mode], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    capped, count = done.stdout.split()
    return capped, int(count)


def test_eight_threads_share_two_arenas_once_capped():
    assert arenas("cap") == ("True", 2)
    _, uncapped = arenas("none")
    assert uncapped > 2  # what the cap prevents: an arena per thread


def test_malloc_arena_max_in_the_environment_wins():
    capped, count = arenas("cap", MALLOC_ARENA_MAX="3")
    assert capped == "False" and count == 3
