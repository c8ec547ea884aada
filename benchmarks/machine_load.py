"""How busy the whole machine was while a benchmark ran (other people's work included),
from /proc/stat through bench_backoffice's `machine_busy()`: figures taken on a busy
machine are pessimistic, and the sections say so."""
from __future__ import annotations

import os

from benchmarks.bench_backoffice import machine_busy


class MachineLoad:
    def __enter__(self) -> "MachineLoad":
        self._start = machine_busy()
        self.share = 0.0
        return self

    def __exit__(self, *_exc) -> None:
        busy, total = machine_busy()
        spent = total - self._start[1]
        self.share = (busy - self._start[0]) / spent if spent > 0 else 0.0

    def note(self, ours: str) -> str:
        cores = os.cpu_count() or 1
        verdict = ("the machine was shared and busy with other work: these figures are pessimistic"
                   if self.share > 0.75 else "the machine was otherwise quiet enough")
        return (f"*Whole machine busy* during the run: {self.share:.0%} of {cores} cores ({ours}); {verdict}. "
                f"Load averages at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}.")
