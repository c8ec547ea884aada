"""Identity readers: time from a card presented to the identity available, through our
emulators (GA 467 on a pty; ePassport via vpcd under a private pcscd), split into time in
our code and time waiting on the device. Baselines, measured in the same run, are the bare
transport doing the same exchanges without our driver: raw pty round trips of the same
frames, and raw SCardTransmit calls of the same APDU count."""
from __future__ import annotations

import os
import queue
import select
import statistics
import tempfile
import time
import tty
from pathlib import Path

from benchmarks.report import goal_line

COMMAND = "`.venv/bin/python -m benchmarks idcard`"
RUNS_GA467 = 30
RUNS_PCSC = 8


def _med(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def bench_ga467() -> dict[str, float]:
    from devices.idcard import CardInserted, CardRemoved, IdCardReader
    from devices.idcard import ga467_frame as f
    from devices.idcard.emulators.ga467_pty import Ga467Emulator
    from devices.idcard.ga467 import Ga467Backend, Ga467Settings
    from tests.devices.idcard_fixtures import RESIDENT

    tmp = Path(tempfile.mkdtemp(prefix="bench-ga467-"))
    emulator = Ga467Emulator(tmp / "ttyUSB0").start()
    backend = Ga467Backend(Ga467Settings(port=emulator.path))  # default 0.2 s poll interval
    reader = IdCardReader(backend)
    events: queue.Queue = queue.Queue()
    reader.subscribe(events.put)
    reader.open()
    presented, reads, waits = [], [], []
    try:
        for _ in range(RUNS_GA467):
            t0 = time.perf_counter()
            emulator.insert(RESIDENT)
            while not isinstance(events.get(timeout=20), CardInserted):
                pass
            presented.append(time.perf_counter() - t0)
            reads.append(backend.last_timing.total_s)
            waits.append(backend.last_timing.waiting_s)
            emulator.remove()
            while not isinstance(events.get(timeout=20), CardRemoved):
                pass
    finally:
        reader.close()

    # Baseline: the same three exchanges as raw bytes on the pty, only framed (no parsing).
    master, slave = emulator._master, os.open(emulator.slave_path, os.O_RDWR | os.O_NOCTTY)
    tty.setraw(slave)
    emulator.insert(RESIDENT)
    raw = []
    try:
        for _ in range(RUNS_GA467):
            t0 = time.perf_counter()
            for cmd in (f.SELECT_CARD, f.READ_TEXT_PHOTO):
                os.write(slave, f.encode_command(*cmd))
                decoder = f.FrameDecoder()
                while not decoder.feed(os.read(slave, 4096) if select.select([slave], [], [], 5)[0] else b""):
                    pass
            raw.append(time.perf_counter() - t0)
    finally:
        os.close(slave)
        emulator.stop()
    del master
    return {"presented": _med(presented), "slowest": max(presented), "read": _med(reads), "wait": _med(waits),
            "raw": _med(raw)}


def bench_pcsc() -> dict[str, float] | str:
    from devices.idcard import CardInserted, CardRemoved, IdCardReader
    from devices.idcard.emulators.epassport import EPassportChip, PassportHolder
    from devices.idcard.emulators.pcscd import Pcscd, PcscdUnavailable
    from devices.idcard.emulators.vpcd import VpcdCard
    from devices.idcard.pcsc import PcscPassportBackend, PcscSettings

    holder = PassportHolder()
    daemon = Pcscd(vpcd_port=35963)
    try:
        daemon.start()
    except PcscdUnavailable as exc:
        return f"skipped: {exc}"
    card = VpcdCard(EPassportChip(holder), port=daemon.vpcd_port)
    backend = PcscPassportBackend(PcscSettings(mrz=holder.mrz_information))
    reader = IdCardReader(backend)
    events: queue.Queue = queue.Queue()
    reader.subscribe(events.put)
    reader.open()
    presented, reads, waits, apdus = [], [], [], 0
    try:
        for _ in range(RUNS_PCSC):
            t0 = time.perf_counter()
            card.insert()
            while not isinstance(events.get(timeout=30), CardInserted):
                pass
            presented.append(time.perf_counter() - t0)
            reads.append(backend.last_timing.total_s)
            waits.append(backend.last_timing.waiting_s)
            apdus = backend.last_timing.apdus
            card.remove()
            while not isinstance(events.get(timeout=30), CardRemoved):
                pass
        reader.close()
        raw = _raw_transmits(card, apdus)
    finally:
        reader.close()
        card.remove()
        daemon.stop()
    return {"presented": _med(presented), "slowest": max(presented), "read": _med(reads), "wait": _med(waits),
            "raw": raw, "apdus": apdus}


def _raw_transmits(card, count: int) -> float:
    """The same number of APDUs (SELECT of the LDS application) straight through pyscard."""
    from smartcard import scard as s

    card.insert()
    card.connected.wait(20)
    _, ctx = s.SCardEstablishContext(s.SCARD_SCOPE_USER)
    _, readers = s.SCardListReaders(ctx, [])
    deadline = time.monotonic() + 20
    while True:
        hr, handle, proto = s.SCardConnect(ctx, readers[0], s.SCARD_SHARE_SHARED,
                                           s.SCARD_PROTOCOL_T0 | s.SCARD_PROTOCOL_T1)
        if hr == s.SCARD_S_SUCCESS or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    apdu = list(bytes.fromhex("00A4040C07A0000002471001"))
    t0 = time.perf_counter()
    for _ in range(count):
        s.SCardTransmit(handle, proto, apdu)
    elapsed = time.perf_counter() - t0
    s.SCardDisconnect(handle, s.SCARD_LEAVE_CARD)
    s.SCardReleaseContext(ctx)
    return elapsed


def run() -> str:
    ga = bench_ga467()
    pc = bench_pcsc()
    lines = [
        "## Identity readers (issue 4)",
        "",
        f"Command: {COMMAND}. Card presented = the emulator puts the card on the reader; "
        "identity available = `CardInserted` reaches a facade listener. Medians.",
        "",
        "| Path | presented -> identity | of which the read | our code | waiting on device "
        "| baseline (bare transport, same exchanges) | read / baseline |",
        "|---|---|---|---|---|---|---|",
    ]
    ga_ours = ga["read"] - ga["wait"]
    lines.append(
        f"| GA 467, pty emulator, 0.2 s poll ({RUNS_GA467} runs) | {_ms(ga['presented'])} | {_ms(ga['read'])} "
        f"| {_ms(ga_ours)} ({ga_ours / ga['read']:.0%}) | {_ms(ga['wait'])} ({ga['wait'] / ga['read']:.0%}) "
        f"| {_ms(ga['raw'])} | {ga['read'] / ga['raw']:.1f}x |")
    if isinstance(pc, str):
        lines.append(f"| ICAO BAC via pcscd + vpcd | {pc} | | | | | |")
    else:
        pc_ours = pc["read"] - pc["wait"]
        lines.append(
            f"| ePassport BAC + EF.COM, DG1, DG2 via pcscd + vpcd ({RUNS_PCSC} runs, {pc['apdus']} APDUs) "
            f"| {_ms(pc['presented'])} | {_ms(pc['read'])} | {_ms(pc_ours)} ({pc_ours / pc['read']:.0%}) "
            f"| {_ms(pc['wait'])} ({pc['wait'] / pc['read']:.0%}) | {_ms(pc['raw'])} | {pc['read'] / pc['raw']:.2f}x |")
    lines += [
        "",
        "Goal: the identity within 1 s of a resident card being placed (the poll interval "
        "dominates; the read itself is milliseconds) and within ~2 s for a passport through "
        "vpcd (pcscd's insertion detection and ~45 ms per APDU dominate). Our share of the read "
        "(framing, parsing, 3DES, MACs) should stay a small fraction; a ratio near 1x against the "
        "bare transport means the driver adds little over the device.",
        "",
        goal_line("a resident card's identity within 1 s of the card being placed (the slowest)",
                  f"{_ms(ga['slowest'])} (median {_ms(ga['presented'])}) over {RUNS_GA467} reads",
                  ga["slowest"] < 1.0),
    ]
    if isinstance(pc, str):
        lines.append(goal_line("a passport's identity within 2 s of it being placed, through pcscd (the slowest)",
                               f"not measured: {pc}", False))
    else:
        lines.append(goal_line("a passport's identity within 2 s of it being placed, through pcscd (the slowest)",
                               f"{_ms(pc['slowest'])} (median {_ms(pc['presented'])}) over {RUNS_PCSC} reads",
                               pc["slowest"] < 2.0))
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
