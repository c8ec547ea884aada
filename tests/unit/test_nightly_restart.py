"""The nightly restart window (kiosk/appliance/nightly_restart.py): once a night, inside the window,
never during a session. Times are given, never read from the wall clock."""
from __future__ import annotations

import datetime as dt

import pytest

from kiosk.appliance.nightly_restart import CST, NightlyRestart, RestartWindow

WINDOW = RestartWindow.from_config({"nightly_restart": "03:30", "nightly_restart_window_min": 60})


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=CST)


def test_not_configured_means_no_window():
    assert RestartWindow.from_config({}) is None
    assert RestartWindow.from_config({"nightly_restart": ""}) is None


def test_bad_length_is_refused():
    with pytest.raises(ValueError):
        RestartWindow.from_config({"nightly_restart": "03:30", "nightly_restart_window_min": 0})


@pytest.mark.parametrize("now, due", [
    (at(28, 3, 29), False),  # before the window
    (at(28, 3, 30), True),
    (at(28, 4, 29), True),
    (at(28, 4, 30), False),  # the window has closed: tomorrow
    (at(28, 12, 0), False),
])
def test_due_only_inside_the_window(now, due):
    assert WINDOW.restart_due(now, started_at=at(27, 9), idle=True) is due


def test_never_during_a_session():
    assert not WINDOW.restart_due(at(28, 3, 45), started_at=at(27, 9), idle=False)


def test_once_a_night_a_kiosk_started_inside_the_window_waits_for_the_next():
    assert not WINDOW.restart_due(at(28, 3, 50), started_at=at(28, 3, 31), idle=True)
    assert WINDOW.restart_due(at(29, 3, 31), started_at=at(28, 3, 31), idle=True)


def test_a_window_across_midnight():
    window = RestartWindow.from_config({"nightly_restart": "23:45", "nightly_restart_window_min": 30})
    assert window.restart_due(at(29, 0, 10), started_at=at(28, 8), idle=True)
    assert not window.restart_due(at(29, 0, 20), started_at=at(28, 8), idle=True)


def test_busy_kiosk_restarts_when_the_session_ends_inside_the_window():
    now = {"t": at(27, 9)}
    idle = {"v": False}
    restarts = []
    nightly = NightlyRestart(WINDOW, idle=lambda: idle["v"], restart=lambda: restarts.append(now["t"]),
                             now=lambda: now["t"])
    now["t"] = at(28, 3, 40)
    assert not nightly.check()  # a citizen is still there
    idle["v"] = True
    now["t"] = at(28, 3, 41)
    assert nightly.check()
    assert not nightly.check()  # asked once; the app is on its way out
    assert restarts == [at(28, 3, 41)]
