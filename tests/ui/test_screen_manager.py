"""The kiosk's screens are built as they are needed (kiosk/screen_manager.py): the attract
screen before the first frame, any other when first asked for, the rest when idle."""
from __future__ import annotations

import pytest

from kiosk.screen_manager import KioskScreenManager
from screens.base import KioskScreen

built: list[str] = []


def _screen_class(name: str) -> type:
    def __init__(self, **kwargs):
        built.append(name)
        KioskScreen.__init__(self, **kwargs)

    return type(f"Screen_{name}", (KioskScreen,), {"screen_name": name, "__init__": __init__})


@pytest.fixture
def manager(kiosk_app):
    built.clear()
    return KioskScreenManager([_screen_class(n) for n in ("attract", "home", "guide", "cases")], first="attract")


def test_only_the_first_screen_is_built_at_start(manager):
    assert built == ["attract"]
    assert manager.current == "attract"
    assert manager.unbuilt == ["home", "guide", "cases"]


def test_a_screen_is_built_when_shown_looked_up_or_tested_for(manager):
    assert manager.has_screen("guide") and not manager.has_screen("nowhere")
    assert built == ["attract"]  # asking whether it exists builds nothing
    manager.current = "guide"
    assert built == ["attract", "guide"] and manager.current_screen.name == "guide"
    assert manager.get_screen("cases").name == "cases"
    manager.get_screen("cases")
    assert built == ["attract", "guide", "cases"]  # each once


def test_the_rest_are_built_one_at_a_time_then_none_is_left(manager):
    assert manager.build_next() and built == ["attract", "home"]
    manager.build_all()
    assert built == ["attract", "home", "guide", "cases"] and manager.unbuilt == []
    assert not manager.build_next()
    assert sorted(manager.screen_names) == ["attract", "cases", "guide", "home"]


def test_an_unknown_first_screen_is_refused(kiosk_app):
    with pytest.raises(ValueError):
        KioskScreenManager([_screen_class("home")], first="attract")


def test_the_running_kiosk_builds_every_screen_once_idle(kiosk_app, ui):
    ui.wait_until(lambda: not kiosk_app.manager.unbuilt, what="every screen built after start")
    names = kiosk_app.manager.screen_names
    assert len(names) == len(set(names)) > 30
