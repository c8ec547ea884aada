"""The soak's scripted citizen cannot touch what is not on the glass. A card pulled in the
middle of the form ends the session; the page goes with it, and the next touch the script
meant for it must end the journey as the fault's doing, not land on the attract screen
(where it once opened the catalogue, or the demo panel's card, and then waited in vain)."""
from __future__ import annotations

import pytest

from demo.tour import APPLY_ITEM
from proof.citizen import Citizen
from proof.soak.driver import Interrupted, SoakDriver
from proof.uidriver import NotShown

pytestmark = pytest.mark.ui


def test_a_touch_on_a_page_that_is_gone_is_refused(kiosk_app, ui):
    home_button = ui.by_text("办事指南")  # on the attract screen
    ui.tap(home_button)
    ui.wait_for_screen("catalogue")
    with pytest.raises(NotShown):
        ui.touch(home_button)  # its page is no longer shown
    assert kiosk_app.manager.current == "catalogue"


def test_a_card_pulled_mid_form_ends_the_soak_journey_as_the_faults(kiosk_app, ui):
    app = kiosk_app
    driver = SoakDriver(app, on_crash=lambda text: pytest.fail(text))
    citizen = Citizen(app, driver)
    citizen.open_item(*APPLY_ITEM)
    driver.tap_button("guide", "apply")
    citizen.arrive("apply_identify")
    app.demo_insert_card("wang")
    driver.wait_until(lambda: app.manager.current in ("apply_field", "apply_materials") and app._busy is None,
                      timeout=30, what="form opened")
    driver.expect_session = True
    form = app.manager.get_screen(app.manager.current)
    widget = next(iter(form.buttons.values()))  # one of the page's own buttons, shown now
    assert widget.get_root_window() is not None
    app.demo_remove_card()  # the fault: the session ends, the form page goes
    driver.wait_until(lambda: app.manager.current == "attract" and not app.session.active, what="session end")
    with pytest.raises(Interrupted, match="session ended"):
        driver.tap(widget)
    assert app.manager.current == "attract" and not app.session.active  # nothing was touched
