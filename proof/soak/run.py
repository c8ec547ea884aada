"""The soak loop: start the back office and the kiosk (offscreen, demo profile: the ESC/POS
printer emulator, simulated card reader, scanner and document camera), walk every journey
cycle after cycle with faults injected, then heal the faults, let the outbox drain and
check the run: no crash, no stuck screen, every case once, no growth after the warm-up.

A run asked to stop early (`Stop`, set by `python -m proof.soak` on SIGTERM or SIGINT)
finishes the journey under way and its way back to the attract screen, starts no other,
and ends as at its planned length: faults healed, outbox drained, every check made on
what ran, the report written with `stopped_by`. A cycle cut short gives no resource
sample (its journeys are in the outcomes)."""
from __future__ import annotations

import gc
import json
import logging
import signal
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from demo.embedded_backoffice import EmbeddedBackoffice
from proof.soak import resources

log = logging.getLogger(__name__)
ATTRACT_BOUND_S = 45  # after Finish (or a pulled card) the attract screen returns within this
DRAIN_BOUND_S = 240  # the outbox empties within this once the network is back for good


@dataclass
class Plan:
    minutes: float | None = None  # run for this long, or
    cycles: int | None = None  # this many cycles of every journey
    seed: int = 1
    warmup_cycles: int | None = None  # default: the first third of the run, at least 3 cycles
    faults: bool = True
    var_dir: Path | None = None
    tolerance: resources.Tolerance = field(default_factory=resources.Tolerance)

    def more(self, cycle: int, started: float) -> bool:
        if self.cycles is not None:
            return cycle < self.cycles
        return time.monotonic() - started < (self.minutes or 0) * 60

    def length(self) -> str:
        return f"{self.cycles} cycles" if self.cycles is not None else f"{self.minutes:g} minutes"


class Stop:
    """An early end asked for (a signal's name in `by`); the soak's loop looks at it
    between journeys."""

    def __init__(self) -> None:
        self.by: str | None = None

    def request(self, by: str) -> None:
        if self.by is None:
            self.by = by

    @property
    def requested(self) -> bool:
        return self.by is not None


class _Errors(logging.Handler):
    """Exceptions the kiosk's safety nets caught and logged (a background task, the outbox
    sender, a device thread): the citizen saw a calm page, but each is a bug."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.records.append(f"{record.name}: {record.getMessage()}\n"
                                + "".join(traceback.format_exception(*record.exc_info))[-1500:])


def run(plan: Plan, progress=print, stop: Stop | None = None) -> dict:
    var = Path(plan.var_dir or tempfile.mkdtemp(prefix="kiosk-soak-")).resolve()
    var.mkdir(parents=True, exist_ok=True)
    sim_cards = var / "sim-cards.json"  # the carriers' registry: each new applicant's number goes in it
    backoffice = EmbeddedBackoffice(database=var / "backoffice" / "backoffice.db", log_file=var / "backoffice.log",
                                    environ={"BACKOFFICE_CARRIER_CHECK": f"registry:{sim_cards}"})
    # Ctrl-C in a terminal goes to the whole process group: the back office must not take
    # it, or the final checks of a soak stopped that way would find it gone. It starts
    # with SIGINT blocked (the mask is inherited) and is stopped at the end with SIGTERM.
    try:
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            backoffice.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        return _with_backoffice(plan, var, backoffice, progress, stop or Stop())
    finally:
        backoffice.stop()


def _with_backoffice(plan: Plan, var: Path, backoffice: EmbeddedBackoffice, progress, stop: Stop) -> dict:
    from kiosk.config import load_config
    from kiosk.runtime import kivy_env

    config = load_config(environ={}, overrides={
        "kiosk.var_dir": str(var / "kiosk"), "backoffice.url": backoffice.url,
        "backoffice.terminal_secret_file": str(backoffice.terminal_secret_file),
        "kiosk.hardware_profile": "demo"})
    kivy_env.prepare(config.var_dir, config.profile.window_size, headless=True)
    from kiosk.app import KioskApp
    from proof.soak.county import County
    from proof.soak.driver import Crashed, Interrupted, SoakDriver, Stuck
    from proof.soak.faults import Faults
    from proof.soak.journeys import JOURNEYS, SoakJourneys

    crashes: list[str] = []
    errors = _Errors()
    logging.getLogger().addHandler(errors)
    thread_hook = threading.excepthook
    threading.excepthook = lambda args: crashes.append(
        f"thread {args.thread.name if args.thread else '?'}: "
        + "".join(traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback))[-1500:])

    app = KioskApp(config)
    app._run_prepare()
    ui = SoakDriver(app, on_crash=crashes.append)
    ui.wait_until(lambda: gc.get_freeze_count() > 0 and "receipt" in app.demo.codes, timeout=120,
                  what="kiosk settled")
    county = County(backoffice.url, config.terminal_id, backoffice.terminal_secret_file.read_text().strip(),
                    sim_cards=var / "sim-cards.json")
    faults = Faults(app, plan.seed, enabled=plan.faults)
    walk = SoakJourneys(app, ui, faults, county, plan.seed)
    outcomes: dict[str, dict[str, int]] = {name: {} for name in JOURNEYS}
    stuck: list[str] = []
    failed: list[str] = []
    interruptions: list[str] = []
    samples: list[dict] = []
    progress(f"soak started: {plan.length()}, seed {plan.seed}, var {var} "
             "(SIGTERM or Ctrl-C: stop after the journey under way, with the final checks and report)")
    started = time.monotonic()
    cycle = 0
    stopped_by = None  # the signal that ended the run before its planned length
    try:
        while plan.more(cycle, started) and not crashes:
            if stop.requested:
                stopped_by = stop.by
                break
            cycle += 1
            whole = True
            for name in JOURNEYS:
                if stop.requested:
                    stopped_by, whole = stop.by, False
                    break
                faults.before_journey(f"{cycle}:{name}")
                outcome = "done"
                try:
                    outcome = getattr(walk, name)() or outcome
                except Interrupted as why:
                    outcome = "interrupted: " + str(why).split(" (waiting")[0]
                    interruptions.append(f"cycle {cycle} {name}: {why}")
                except Stuck as why:
                    outcome = "stuck"
                    stuck.append(f"cycle {cycle} {name}: {why}")
                    _shot(ui, var, f"stuck-{cycle}-{name}")
                except Crashed:
                    outcome = "crashed"
                except Exception:  # the script met something it did not expect: a finding too,
                    reason = ui.interruption()  # unless a fault had just ended the session under it
                    if reason is not None:
                        outcome = f"interrupted: {reason}"
                        interruptions.append(f"cycle {cycle} {name}: {reason} ({traceback.format_exc(limit=1)})")
                    else:
                        outcome = "failed"
                        failed.append(f"cycle {cycle} {name}: {traceback.format_exc(limit=4)}")
                        _shot(ui, var, f"failed-{cycle}-{name}")
                finally:
                    faults.after_journey()
                    ui.expect_session = False
                if crashes:
                    break
                back = _back_to_attract(app, ui)
                if back is not None:
                    stuck.append(f"cycle {cycle} {name}: {back}")
                    _shot(ui, var, f"stuck-{cycle}-{name}-finish")
                    _recover(app, ui)
                outcomes[name][outcome] = outcomes[name].get(outcome, 0) + 1
            if crashes or not whole:
                break  # a cycle cut short: no staff step, no sample
            try:
                walk.complete_one()
            except Exception:
                failed.append(f"cycle {cycle} staff completing a case: {traceback.format_exc(limit=3)}")
            _empty_tray(app.devices.printer_emulator)
            samples.append(resources.sample(cycle, started, backoffice._process.pid if backoffice._process else None))
            progress(f"cycle {cycle} at {samples[-1]['t_s']:.0f} s: rss {samples[-1]['rss_kib'] // 1024} MiB, "
                     f"threads {samples[-1]['threads']}, fds {samples[-1]['fds']}, faults {faults.log.counts()}")
        ran_s = time.monotonic() - started
        if stopped_by:
            progress(f"soak stopped by {stopped_by} " + (f"in cycle {cycle}" if cycle else "before the first cycle")
                     + f" of {plan.length()}: healing the faults, draining the outbox, checking")
        faults.heal()
        drained = _drain(app, ui)
        count = _count(walk, county)
    finally:
        threading.excepthook = thread_hook
        logging.getLogger().removeHandler(errors)
        app.stop()
    warmup = plan.warmup_cycles if plan.warmup_cycles is not None else max(3, cycle // 3)
    grown = resources.growth(samples, warmup, plan.tolerance)
    report = {
        "seed": plan.seed, "ran_s": round(ran_s, 1), "cycles": cycle, "warmup_cycles": warmup,
        "planned": plan.length(), "stopped_by": stopped_by,
        "outcomes": outcomes, "faults": faults.log.counts(), "fault_log": faults.log.entries,
        "interruptions": interruptions,
        "crashes": crashes, "logged_exceptions": errors.records, "stuck": stuck, "failed": failed,
        "outbox_drained": drained, "cases": count, "samples": samples, "growth": grown, "var_dir": str(var),
    }
    report["ok"] = (not crashes and not errors.records and not stuck and not failed and drained["ok"]
                    and count["ok"] and (grown.get("ok", True)))
    (var / "soak-report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str))
    return report


def _back_to_attract(app, ui) -> str | None:
    """Out of the journey as a citizen leaves: Finish where it shows, the card out, Back on
    a message with no session behind it, again until the attract screen stays. None, or
    why it did not return within the bound."""
    from proof.soak.driver import Stuck

    def home() -> bool:
        return (app.manager.current == "attract" and not app.session.active and app._busy is None
                and not app.devices.idcard_sim.card_present)

    deadline = time.monotonic() + ATTRACT_BOUND_S
    ui.leaving = True
    try:
        while time.monotonic() < deadline:
            ui.settle(0.3)  # a card or code event still on its way is handled first
            if home():
                return None
            if app._busy is not None:
                continue  # a step under way: its answer (or error page) comes first
            if app._idle_warning.parent is not None:
                app.controller.keep_going()
            if app.devices.idcard_sim.card_present:
                app.devices.idcard_sim.remove()
            elif app.session.active and app.session_active:
                ui.tap(app.top_bar.ids.finish_button)
            elif not app.session.active and app.manager.current == "message":
                ui.tap(ui.by_id("message", "back"))
            if app.translator.language != "zh_CN":
                app.translator.switch("zh_CN")
        return f"not back on the attract screen within {ATTRACT_BOUND_S} s: on {app.manager.current!r}" + (
            " (busy)" if app._busy is not None else "") + (" with a session" if app.session.active else "")
    except Stuck as why:
        return str(why)
    finally:
        ui.leaving = False


def _recover(app, ui) -> None:
    """After a stuck screen, the kiosk is put back as its idle timeout would (so the run goes on)."""
    app.controller.finish("soak_recovery")
    ui.pump(5)


def _drain(app, ui) -> dict:
    """The network is back: every kept item is delivered (nothing parked) within the bound."""
    outbox, sender = app.controller.outbox, app.controller.outbox_sender
    outbox.make_due()
    sender.nudge()
    started = time.monotonic()
    while time.monotonic() - started < DRAIN_BOUND_S:
        stats = outbox.stats()
        if stats["pending"] == 0:
            break
        ui.settle(0.5)
        if int(time.monotonic() - started) % 10 == 0:
            outbox.make_due()
            sender.nudge()
    stats = outbox.stats()
    return {"ok": stats["pending"] == 0 and stats["parked"] == 0, "s": round(time.monotonic() - started, 1),
            **{k: stats[k] for k in ("pending", "parked", "last_error")}}


def _count(walk, county) -> dict:
    """Every submission the soak made, counted in the back office by its fresh applicant."""
    from proof.soak.county import fresh_applicant

    ledger = walk.ledger
    people = {p.document_number: p for p in (fresh_applicant(n, walk.seed) for n in range(1, walk.applicants + 1))}
    lost, duplicated, extra = [], [], []
    for document in set(ledger.submit_tapped):
        cases = county.cases_of(people[document].document_number)
        if document in ledger.submitted and len(cases) == 0:
            lost.append(document[:6] + "…" + document[-4:])
        elif len(cases) > 1:
            duplicated.append(f"{document[:6]}…{document[-4:]}: {len(cases)} cases")
        elif document not in ledger.submitted and cases:
            extra.append(document[:6] + "…" + document[-4:])  # submitted as the card was pulled: fine, once
    not_checked_in = [code for code in set(ledger.checked_in) if county.appointment(code).get("status") != "checked_in"]
    ratings = county.ratings()
    unrated = [n for n in set(ledger.rated) if ratings.get(n, 0) != 1]
    return {"ok": not lost and not duplicated and not not_checked_in and not unrated,
            "submissions": len(ledger.submitted),
            "answered": sum(1 for v in ledger.submitted.values() if v == "answered"),
            "kept_then_sent": sum(1 for v in ledger.submitted.values() if v == "kept"),
            "submit_tapped": len(set(ledger.submit_tapped)), "submitted_as_interrupted": len(extra),
            "lost": lost, "duplicated": duplicated, "check_ins": len(set(ledger.checked_in)),
            "check_ins_missing": not_checked_in, "ratings": len(set(ledger.rated)), "ratings_missing": unrated,
            "collected": len(ledger.completed) - len(ledger.collectable)}


def _empty_tray(emulator) -> None:
    """The emulated printer keeps every slip and every byte it was sent (what tests read);
    the soak takes them away between cycles, as someone emptying a printer's tray would,
    so the kiosk's memory is measured and not the emulator's record."""
    with emulator._lock:
        emulator.receipts.clear()
        emulator.received.clear()
        emulator.status_queries.clear()


def _shot(ui, var: Path, name: str) -> None:
    try:
        ui.screenshot(var / "shots" / f"{name}.png")
    except Exception:  # a picture is a help, never a reason to stop
        log.warning("soak screenshot failed", exc_info=False)
