"""Each journey's map (BACK, FLOW, ENTRIES) names screens that exist, and a move off the
map is caught: it fails under the tests' strict_flow and is logged on a kiosk."""
from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest

from kiosk.journeys import Journey, UnlistedMove, discover
from kiosk.ui.screen_names import Screen


class _UI:
    def __init__(self, screen: Screen):
        self.screen, self.opened = screen, []

    def current_screen(self) -> str:
        return self.screen

    def navigate(self, screen: str) -> None:
        self.opened.append(screen)
        self.screen = Screen(screen)


class _Walk(Journey):
    name = "walk"
    ENTRIES = (Screen.CATALOGUE,)
    FLOW = {Screen.CATALOGUE: (Screen.GUIDE,)}


def test_every_journey_map_names_screens():
    for journey in discover():
        for here, ways in journey.FLOW.items():
            assert isinstance(here, Screen) and all(isinstance(w, Screen) for w in ways), journey.name
        assert all(isinstance(s, Screen) for s in journey.ENTRIES), journey.name
        assert all(isinstance(a, Screen) and isinstance(b, Screen) for a, b in journey.BACK.items()), journey.name


def test_listed_moves_go_and_unlisted_ones_fail_under_strict_flow(monkeypatch):
    monkeypatch.setattr(Journey, "strict_flow", True)
    ui = _UI(Screen.HOME)
    walk = _Walk(SimpleNamespace(ui=ui))
    walk.go(Screen.CATALOGUE)  # an entry, from anywhere
    walk.go(Screen.GUIDE)  # listed from the catalogue
    assert ui.opened == [Screen.CATALOGUE, Screen.GUIDE]
    with pytest.raises(UnlistedMove):
        walk.go(Screen.APPLY_FIELD)


def test_an_unlisted_move_on_a_kiosk_is_logged_and_still_made(monkeypatch, caplog):
    monkeypatch.setattr(Journey, "strict_flow", False)
    ui = _UI(Screen.GUIDE)
    with caplog.at_level(logging.ERROR, logger="kiosk.journeys"):
        _Walk(SimpleNamespace(ui=ui)).go(Screen.APPLY_FIELD)
    assert ui.opened == [Screen.APPLY_FIELD]
    assert any(r.getMessage() == "move not in the journey's flow" for r in caplog.records)
