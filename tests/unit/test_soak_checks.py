"""The soak's judgement of resources after the warm-up (proof/soak/resources.py): flat
holds, a climb during the warm-up is forgiven, growth after it fails, per resource."""
from __future__ import annotations

from proof.soak.resources import Tolerance, growth


def samples(rss: list[int], threads: list[int] | None = None, fds: list[int] | None = None) -> list[dict]:
    n = len(rss)
    return [{"cycle": i + 1, "rss_kib": rss[i], "threads": (threads or [20] * n)[i], "fds": (fds or [38] * n)[i]}
            for i in range(n)]


def test_a_climb_during_the_warm_up_then_flat_holds():
    judged = growth(samples([600_000, 700_000, 800_000] + [900_000] * 9), warmup_cycles=3, tolerance=Tolerance())
    assert judged["judged"] and judged["ok"], judged


def test_memory_that_keeps_growing_after_the_warm_up_fails():
    rss = [600_000 + 40_000 * i for i in range(12)]  # +40 MiB a cycle, as a leak would
    judged = growth(samples(rss), warmup_cycles=3, tolerance=Tolerance())
    assert judged["judged"] and not judged["ok"] and not judged["verdicts"]["rss"]


def test_threads_or_descriptors_piling_up_fail_on_their_own():
    flat = [900_000] * 12
    more_threads = growth(samples(flat, threads=[20] * 6 + [24] * 6), 0, Tolerance())
    more_fds = growth(samples(flat, fds=[38] * 6 + [60] * 6), 0, Tolerance())
    assert more_threads["verdicts"] == {"threads": False, "fds": True, "rss": True}
    assert more_fds["verdicts"] == {"threads": True, "fds": False, "rss": True}


def test_too_few_samples_after_the_warm_up_are_not_judged():
    assert not growth(samples([900_000] * 8), warmup_cycles=4, tolerance=Tolerance())["judged"]
