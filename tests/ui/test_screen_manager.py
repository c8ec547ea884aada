"""The kiosk's screens are built as they are needed (kiosk/ui/screen_manager.py): the attract
screen before the first frame, any other when first asked for, the rest when idle."""
from __future__ import annotations

import pytest
from kivy.uix.screenmanager import NoTransition, SlideTransition
from PIL import Image

from kiosk.ui import theme
from kiosk.ui.screen_manager import KioskScreenManager
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


def _instructions(manager) -> set[str]:
    return {type(i).__name__ for group in (manager.canvas.before, manager.canvas.after) for i in group.children}


def test_without_a_transition_the_screens_are_not_clipped(kiosk_app):
    """Clipping (StencilView's two full-window passes) is for screens sliding past the
    manager's edges; without a transition it only costs frames."""
    assert not {"StencilPush", "StencilPop"} & _instructions(
        KioskScreenManager([_screen_class("attract")], first="attract", transition=NoTransition()))
    sliding = KioskScreenManager([_screen_class("attract")], first="attract", transition=SlideTransition())
    assert {"StencilPush", "StencilUse", "StencilUnUse", "StencilPop"} <= _instructions(sliding)
    assert not {"StencilPush", "StencilPop"} & _instructions(kiosk_app.manager)


@pytest.mark.parametrize("screen", ["attract", "home", "guide", "rating_start"])
def test_the_pages_background_is_painted_on_the_glass(kiosk_app, ui, tmp_path, screen):
    """The page background is the window's clear colour, not a rectangle of each page's:
    read back from the frame, the page's padding shows theme.BACKGROUND, never black."""
    kiosk_app.manager.current = screen  # drawn as it is, with no session behind it
    try:
        ui.pump()
        shot = Image.open(ui.screenshot(tmp_path / f"{screen}.png")).convert("RGB")
    finally:
        kiosk_app.manager.current = "attract"
    manager = kiosk_app.manager
    x, y = manager.to_window(manager.x + 4, manager.top - 4)  # inside the page's padding
    expected = tuple(round(c * 255) for c in theme.BACKGROUND[:3])
    pixel = shot.getpixel((int(x), shot.height - 1 - int(y)))  # the image's rows run top down
    assert all(abs(a - b) <= 2 for a, b in zip(pixel, expected)), (screen, pixel, expected)
