"""长辈模式: one tap on the top bar makes text and targets larger on the page shown (and
on pages built later), slows the speech, and the next citizen starts in standard mode."""
from __future__ import annotations

import pytest

from kiosk.ui.style import ELDER, NORMAL

pytestmark = pytest.mark.ui


def test_elder_mode_enlarges_the_page_and_ends_with_the_session(kiosk_app, ui):
    app = kiosk_app
    ui.tap(ui.by_text(app.tr._("Service guides")))
    ui.wait_for_screen("catalogue")
    page = app.manager.current_screen
    heading, first_row = page.ids.heading, page.ids.body.children[-1]
    standard = (heading.font_size, first_row.height)

    ui.tap(app.top_bar.ids.elder_toggle)
    ui.pump(4)
    page = app.manager.current_screen  # rebuilt in the new sizes
    first_row = page.ids.body.children[-1]
    assert app.controller.elder_mode and app.devices.speech.elder_mode
    assert heading.font_size == ELDER["heading_sp"] > standard[0]
    assert first_row.height > standard[1] and first_row.font_size >= ELDER["body_sp"]
    assert app.top_bar.ids.elder_toggle.text == "标准模式"  # the same button switches back

    ui.tap(app.top_bar.ids.finish_button)
    ui.wait_for_screen("attract")
    assert not app.controller.elder_mode and not app.devices.speech.elder_mode
    assert app.style.body_sp == NORMAL["body_sp"] and app.top_bar.ids.elder_toggle.text == "长辈模式"


def test_elder_mode_on_the_attract_screen_starts_a_visit_that_times_out(kiosk_app, ui):
    app = kiosk_app
    ui.tap(app.top_bar.ids.elder_toggle)
    ui.pump()
    assert app.session.active and app.session_active  # Finish shows; the idle timeout applies
    app.session.last_activity -= app.controller.idle_timeout_s + app.controller.idle_warning_s + 1
    ui.wait_until(lambda: not app.session.active, timeout=10, what="visit timed out")
    assert not app.controller.elder_mode
