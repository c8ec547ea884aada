"""Kiosk memory across many short sessions: RSS sampled every 100 sessions after a
warm-up, against the goal of issue 9 (growth under 5 % after warm-up). The back office's
RSS across its load run is in the back-office section (bench_backoffice)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.machine_load import MachineLoad
from benchmarks.report import goal_line

SESSIONS = int(os.environ.get("BENCH_MEMORY_SESSIONS", "2000"))
EVERY = 100
WARMUP = int(os.environ.get("BENCH_MEMORY_WARMUP", "200"))
GOAL = 0.05
COMMAND = "`.venv/bin/python -m benchmarks memory`"


def _probe(url: str, secret: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    done = subprocess.run([sys.executable, "-m", "benchmarks.memory_probe", url, str(secret), str(SESSIONS),
                           str(EVERY)], capture_output=True, text=True, env=env, timeout=4 * 3600)
    line = next((l for l in done.stdout.splitlines() if l.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"memory probe failed: {done.stderr[-2000:]}")
    return json.loads(line[len("RESULT "):])


def run() -> str:
    from demo.embedded_backoffice import EmbeddedBackoffice

    var = Path(tempfile.mkdtemp(prefix="bench-memory-bo-"))
    with MachineLoad() as busy:
        with EmbeddedBackoffice(database=var / "backoffice.db") as backoffice:
            samples = _probe(backoffice.url, backoffice.terminal_secret_file)["samples"]
    return section(samples, busy)


def section(samples: list[dict], busy) -> str:
    base = next(s for s in samples if s["sessions"] >= WARMUP)
    last = samples[-1]
    growth = (last["rss_kib"] - base["rss_kib"]) / base["rss_kib"]
    peak = max(s["rss_kib"] for s in samples if s["sessions"] >= WARMUP)
    rows = [f"| {s['sessions']} | {s['s']:.0f} | {s['rss_kib'] / 1024:.1f} | "
            f"{(s['rss_kib'] - base['rss_kib']) / base['rss_kib']:+.1%} |" if s["sessions"] >= WARMUP else
            f"| {s['sessions']} | {s['s']:.0f} | {s['rss_kib'] / 1024:.1f} | (warm-up) |" for s in samples]
    busy_note = busy.note("the kiosk keeps about one core busy, the back office a little")
    return "\n".join([
        "## Kiosk memory across sessions",
        "",
        f"Command: {COMMAND} (`BENCH_MEMORY_SESSIONS` sets the count). {last['sessions']} sessions on the real kiosk "
        "offscreen (1080x1920, Mesa llvmpipe), demo profile, the back office on loopback (SQLite). Sessions "
        "alternate between a demo person's card on the reader, My cases (one back-office request) and the card "
        "taken out, and 办事指南 touched, the windows shown and 结束办理; each ends on the attract screen with the "
        "session wiped and the between-citizens collection run. RSS from /proc after every "
        f"{EVERY} sessions; the first {WARMUP} are the warm-up (pages built for the first time, the allocator's "
        "arenas, the renderer's shader variants). Baseline: the RSS after the warm-up, in the same run.",
        "",
        "| sessions | s | RSS MiB | vs after warm-up |",
        "|---|---|---|---|",
        *rows,
        "",
        f"Growth after warm-up: {base['rss_kib'] / 1024:.1f} MiB at {base['sessions']} sessions to "
        f"{last['rss_kib'] / 1024:.1f} MiB at {last['sessions']} ({growth:+.1%}; peak {peak / 1024:.1f} MiB).",
        "",
        goal_line(f"kiosk RSS growth after the warm-up under {GOAL:.0%} over {last['sessions']} sessions",
                  f"{growth:+.1%}", growth < GOAL),
        "",
        busy_note,
        "",
        "Back office: its RSS at the start and at the end of its load run (1000 terminals plus 20 submissions/s, "
        "SQLite and PostgreSQL) is in the back-office section, measured by `python -m benchmarks backoffice`.",
    ])
