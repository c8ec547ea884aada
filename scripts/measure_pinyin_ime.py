"""Time the pinyin input method: loading the dictionary once, then candidate lookups for
inputs of up to eight letters, as a keyboard asks after every key.

Usage: .venv/bin/python scripts/measure_pinyin_ime.py [ROUNDS]
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.ime.pinyin import PinyinEngine  # noqa: E402

# Full pinyin, initials, mixtures, ambiguous syllables; each timed as typed, key by key.
INPUTS = ["shipinjy", "zhengwuf", "spjybdcx", "xianzaiq", "shipjyxk", "zhangsan", "budongch", "xxxxxxxx"]
LIMIT = 20


def main(rounds: int = 20) -> int:
    engine = PinyinEngine()
    started = time.perf_counter()
    engine.preload()
    print(f"load: {(time.perf_counter() - started) * 1000:.0f} ms")
    for length in (1, 4, 8):
        times = []
        for _ in range(rounds):
            for keys in INPUTS:
                started = time.perf_counter()
                engine.candidates(keys[:length], LIMIT)
                times.append(time.perf_counter() - started)
        times.sort()
        print(f"{length} letters: median {statistics.median(times) * 1000:.2f} ms, "
              f"p95 {times[int(len(times) * 0.95)] * 1000:.2f} ms, max {times[-1] * 1000:.2f} ms "
              f"({len(times)} lookups, limit {LIMIT})")
    return 0


if __name__ == "__main__":
    sys.exit(main(*(int(a) for a in sys.argv[1:2])))
