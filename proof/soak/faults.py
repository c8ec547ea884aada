"""Faults injected at random into the running kiosk, from a seeded generator, each one
logged: the receipt printer out of paper (now, or part-way through the next slip) and
loaded again after the journey; a card unreadable, flicked in and out, or pulled out
mid-journey; the network cut for a while, at random moments and right after a submit.
Everything goes through the demo simulator's and the emulators' own controls, the paths
a person at the demo panel uses."""
from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

from kivy.clock import Clock


@dataclass
class Odds:
    """Chances per journey (and per submission); the soak's defaults hit every fault many
    times an hour while leaving most journeys to finish."""
    paper_out: float = 0.08
    paper_mid_receipt: float = 0.08
    card_misread: float = 0.06
    card_flick: float = 0.05
    card_pulled: float = 0.08
    network_cut: float = 0.10
    network_at_submit: float = 0.30
    cut_s: tuple[float, float] = (2.0, 25.0)


@dataclass
class FaultLog:
    entries: list[dict] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def add(self, fault: str, where: str, **detail) -> None:
        self.entries.append({"t": round(time.monotonic() - self.started, 2), "fault": fault, "where": where,
                             **detail})

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for entry in self.entries:
            out[entry["fault"]] = out.get(entry["fault"], 0) + 1
        return out


class Faults:
    def __init__(self, app, seed: int, odds: Odds | None = None, enabled: bool = True):
        self.app = app
        self.rng = random.Random(seed)
        self.odds = odds or Odds()
        self.enabled = enabled
        self.log = FaultLog()
        self.where = ""
        self._journey_events: list = []

    def _chance(self, p: float) -> bool:
        return self.enabled and self.rng.random() < p

    # --- the printer -----------------------------------------------------------------------
    @property
    def emulator(self):
        return self.app.devices.printer_emulator

    def before_journey(self, where: str) -> None:
        self.where = where
        if self._chance(self.odds.paper_out):
            self.emulator.run_out_after(0)
            self.emulator.paper_out = True
            self.log.add("paper_out", where)
        elif self._chance(self.odds.paper_mid_receipt):
            dots = self.rng.randint(40, 1500)  # a slip is ~600-2500 dots long
            self.emulator.run_out_after(dots)
            self.log.add("paper_runs_out_mid_receipt", where, after_dots=dots)
        if self._chance(self.odds.network_cut):
            self.cut_network(after_s=self.rng.uniform(0.0, 8.0), why="during a journey")

    def after_journey(self) -> None:
        for event in self._journey_events:
            event.cancel()
        self._journey_events.clear()
        emulator = self.emulator
        if emulator.paper_out or emulator.paper_left is not None:
            emulator.load_paper()
            self.log.add("paper_loaded", self.where)

    # --- cards -----------------------------------------------------------------------------
    def card_at_reader(self, identity) -> str | None:
        """At the moment the citizen puts the card on the reader: None (a clean read),
        "misread" (the reader could not read it) or "flick" (in and out before the read
        settled)."""
        sim = self.app.devices.idcard_sim
        if self._chance(self.odds.card_misread):
            sim.misread("The card could not be read. Please try again.")
            self.log.add("card_misread", self.where)
            return "misread"
        if self._chance(self.odds.card_flick):
            sim.insert(identity)
            sim.remove()
            self.log.add("card_pulled_mid_read", self.where)
            return "flick"
        return None

    def maybe_pull_card_later(self) -> None:
        if self._chance(self.odds.card_pulled):
            delay = self.rng.uniform(0.2, 8.0)
            where = self.where
            self._journey_events.append(Clock.schedule_once(lambda _dt: self._pull(where, delay), delay))

    def _pull(self, where: str, delay: float) -> None:
        sim = self.app.devices.idcard_sim
        if sim.card_present:
            sim.remove()
            self.log.add("card_pulled_mid_journey", where, after_s=round(delay, 2),
                         screen=self.app.manager.current)

    # --- the network -----------------------------------------------------------------------
    def at_submit(self) -> None:
        """Right as the citizen taps submit: the cut lands before, during or after the
        request reaches the back office."""
        if self._chance(self.odds.network_at_submit):
            self.cut_network(after_s=self.rng.uniform(0.0, 0.4), why="at submit")

    def cut_network(self, after_s: float, why: str) -> None:
        lasting = self.rng.uniform(*self.odds.cut_s)
        where = self.where
        Clock.schedule_once(lambda _dt: self._cut(where, why, lasting), after_s)

    def _cut(self, where: str, why: str, lasting: float) -> None:
        if self.app.demo.network_cut or not self.enabled:
            return  # already down: the cut under way decides when it comes back
        self.app.demo_toggle_network()
        self.log.add("network_cut", where, why=why, lasting_s=round(lasting, 1), screen=self.app.manager.current)
        Clock.schedule_once(lambda _dt: self._restore(), lasting)

    def _restore(self) -> None:
        if self.app.demo.network_cut:
            self.app.demo_toggle_network()
            self.log.add("network_restored", self.where)

    def heal(self) -> None:
        """Everything back as it should be: the end of the run."""
        self.enabled = False
        self.after_journey()
        self._restore()
