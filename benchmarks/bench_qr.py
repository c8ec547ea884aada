"""QR decoding on a generated corpus of 640x480 camera frames (devices/scanner/corpus.py):
our cascade against plain pyzbar and plain zxing-cpp, measured in the same run.
Command: `.venv/bin/python -m benchmarks qr` (or `make bench`)."""
from __future__ import annotations

import statistics
import time
from collections import defaultdict

import numpy as np

from benchmarks import qr_hard_set
from benchmarks.machine_load import MachineLoad
from benchmarks.report import goal_line
from devices.scanner import corpus
from devices.scanner.cascade import CascadeDecoder
from devices.scanner.decoders import PyzbarDecoder, ZxingDecoder

PER_CONDITION = 100
GOALS = {"rate": 0.99, "median_ms": 3.0, "p95_ms": 15.0, "speedup_vs_pyzbar": 5.0}


class PlainZxing:
    """zxing-cpp as an application would call it out of the box (QR only, default options:
    rotation, downscaling and inversion all on)."""

    name = "zxing-cpp (plain)"

    def __init__(self):
        import zxingcpp

        self._zx = zxingcpp

    def decode(self, gray):
        return [bytes(b.bytes) for b in self._zx.read_barcodes(gray, formats=self._zx.BarcodeFormat.QRCode)]


class PlainPyzbar:
    name = "pyzbar (plain)"

    def __init__(self):
        self._d = PyzbarDecoder()

    def decode(self, gray):
        return [c.data for c in self._d.decode(gray)]


class Ours:
    name = "cascade (ours, zxing-cpp, 25 ms budget)"

    def __init__(self):
        self._d = CascadeDecoder(ZxingDecoder(), budget_ms=25)

    def decode(self, gray):
        return [c.data for c in self._d.decode(gray)]


def measure(decoder, frames):
    times, hits, clipped_hits = [], defaultdict(int), 0
    for f in frames:
        start = time.perf_counter()
        got = decoder.decode(f.image)
        times.append((time.perf_counter() - start) * 1000)
        exact = sorted(got) == sorted(f.payloads)
        hits[f.condition] += exact
        clipped_hits += exact and f.clipped
    return times, hits, clipped_hits


def run() -> str:
    frames = list(corpus.generate(PER_CONDITION))
    conditions = list(dict.fromkeys(f.condition for f in frames))
    deciders = [Ours(), PlainZxing(), PlainPyzbar()]
    for d in deciders:  # warm-up: library loading is not decoding
        d.decode(frames[0].image)
    with MachineLoad() as load:
        results = {d.name: measure(d, frames) for d in deciders}
        hard = qr_hard_set.section(deciders, measure)
    live = qr_hard_set.live_section()
    n = len(frames)

    def summary(name):
        times, hits, _ = results[name]
        return (sum(hits.values()) / n, statistics.median(times), float(np.percentile(times, 95)),
                statistics.mean(times))

    ours_name, zx_name, pz_name = (d.name for d in deciders)
    rate, med, p95, mean = summary(ours_name)
    pz = summary(pz_name)
    ours_hits, zx_hits, pz_hits = (sum(results[k][1].values()) for k in (ours_name, zx_name, pz_name))
    clipped = sum(f.clipped for f in frames)
    speedup_median = pz[1] / med
    speedup_mean = pz[3] / mean
    lines = [
        "## QR decoding (devices/scanner)",
        "",
        f"Command: `.venv/bin/python -m benchmarks qr`. Corpus: {n} generated 640x480 grayscale frames, "
        f"{PER_CONDITION} per condition ({', '.join(conditions)}); payloads rotate through appointment tokens, "
        "receipt URLs, Chinese text and long (~300-byte) Chinese/ASCII payloads. A frame counts as decoded only "
        "when every payload in it comes back byte for byte and nothing else does. Baselines run in the same "
        "process on the same frames. Motion blur in the corpus spans 4-6 px on 4-5 px modules (about one "
        "module); with 7-9 px streaks about half of the blurred frames were unreadable by every decoder here, "
        "so those conditions were set to what a held phone or a hand-held receipt typically gives; the hard "
        "frames below hold longer streaks and the other conditions plain decoders fail on. "
        "The cascade (devices/scanner/cascade.py) tries, in order and within its budget: a plain pass, "
        "re-thresholdings (global and fixed binarizers, inverted for dark mode), smoothing on frames that "
        "measure as noisy, a grid bent along crumpled paper for symbols located but not read, enlarging and "
        "re-sharpening for tiny codes, Wiener filters against a straight streak "
        "of the direction and length measured from the frame (only on frames that measure as streaked), a "
        "padded border for codes touching the frame edge, sharpening and a Wiener filter against defocus, "
        "local equalisation and rescaling; it skips a pass its measured cost would carry over the budget. "
        "After a hit, one more globally thresholded look for a second code.",
        "",
        "| decoder | exact decodes | median ms | p95 ms | mean ms |",
        "|---|---|---|---|---|",
    ]
    for name in results:
        r, m, p, a = summary(name)
        lines.append(f"| {name} | {sum(results[name][1].values())}/{n} ({r:.1%}) | {m:.2f} | {p:.2f} | {a:.2f} |")
    lines += ["", f"{clipped} frames show part of a symbol (not only its quiet zone) outside the frame, a code "
              "held partly out of view; they stay in the corpus and count as frames like any other. Decoded "
              "among them: " + ", ".join(f"{k} {results[k][2]}" for k in results) + ".",
              "", "Exact decodes per condition:", "",
              "| condition | " + " | ".join(results) + " |", "|---" * (len(results) + 1) + "|"]
    for c in conditions:
        lines.append(f"| {c} | " + " | ".join(f"{results[k][1][c]}/{PER_CONDITION}" for k in results) + " |")

    lines += [
        "",
        goal_line(f"QR codes decoded exactly, at least {GOALS['rate']:.0%} of the corpus", f"{rate:.1%}",
                  rate >= GOALS['rate']),
        goal_line(f"QR decoding median at most {GOALS['median_ms']} ms a frame", f"{med:.2f} ms",
                  med <= GOALS['median_ms']),
        goal_line(f"QR decoding p95 at most {GOALS['p95_ms']} ms a frame", f"{p95:.2f} ms", p95 <= GOALS['p95_ms']),
        goal_line("more frames decoded than either plain decoder",
                  f"{ours_hits} against zxing-cpp {zx_hits}, pyzbar {pz_hits}", ours_hits > max(zx_hits, pz_hits)),
        goal_line(f"QR decoding at least {GOALS['speedup_vs_pyzbar']:.0f}x faster than pyzbar (median)",
                  f"{speedup_median:.1f}x on the median, {speedup_mean:.1f}x on the mean",
                  speedup_median >= GOALS['speedup_vs_pyzbar']),
        "",
        *hard,
        "",
        load.note("both corpora, all three decoders"),
        "",
        *live,
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
