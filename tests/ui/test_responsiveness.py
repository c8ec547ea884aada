"""What keeps taps quick on a software renderer, checked on the real kiosk window: text is
wrapped once, at the width it is shown at; startup objects are out of the cycle
collector's way; and the full collection runs between citizens, after the attract screen
is drawn. (How quick is measured by `python -m benchmarks kiosk`, never asserted here.)"""
from __future__ import annotations

import gc

import pytest
from kivy.uix.label import Label

from kiosk.runtime import gc_policy

pytestmark = pytest.mark.ui

PARAGRAPH = ("县政务服务部门将接收您的姓名、身份证号码、电话号码、填写内容和材料照片，加密保存，"
             "只提供给办理本申请的部门。您结束后，本机将删除全部信息。")


def test_a_label_narrower_than_a_character_waits_for_its_width(kiosk_app):
    label = Label(text=PARAGRAPH, font_size=30, text_size=(20, None))
    label.texture_update()
    assert label.texture is None and list(label.texture_size) == [0, 0]

    label.text_size = (600, None)
    label.texture_update()
    width, height = label.texture_size
    assert 0 < width <= 600 and height > 30  # wrapped over several lines at its real width


def test_a_page_paragraph_is_wrapped_once_at_the_width_it_is_shown(kiosk_app, ui, monkeypatch):
    kiosk_app.manager.current = "apply_consent"  # shown (and so laid out), empty without a session
    ui.pump()
    page = kiosk_app.manager.current_screen
    wrapped_at: list[float] = []
    render = Label.texture_update

    def recording(label, *args):
        if label.text == PARAGRAPH:
            wrapped_at.append(label.text_size[0])
        return render(label, *args)

    recording.__name__ = "texture_update"
    monkeypatch.setattr(Label, "texture_update", recording)
    card = page.card()
    label = page.text(PARAGRAPH, parent=card)
    try:
        ui.pump(4)
        assert wrapped_at and label.texture_size[1] > 0
        assert set(wrapped_at) == {label.width}, wrapped_at  # never at a provisional width
    finally:
        page.clear()
        kiosk_app.manager.current = "attract"


def test_startup_objects_are_frozen_and_full_collections_pushed_apart(kiosk_app, ui):
    # Kivy, the fonts, the screens, the input method's dictionary: out of every collection
    # once the dictionary has been read off the UI thread
    ui.wait_until(lambda: gc.get_freeze_count() > 50_000, timeout=30, what="startup objects frozen")
    assert gc.get_threshold()[2] == gc_policy.FULL_AFTER_YOUNG_COLLECTIONS


def test_a_full_collection_runs_after_the_session_ends_not_during_it(kiosk_app, ui):
    app = kiosk_app
    full_collections: list[str] = []

    def watch(phase, info):
        if phase == "stop" and info["generation"] == 2:
            full_collections.append(app.manager.current)

    app.demo_insert_card("wang")
    ui.wait_for_screen("home")
    gc.callbacks.append(watch)
    try:
        ui.tap(app.top_bar.ids.finish_button)
        ui.wait_until(lambda: full_collections, what="a full collection after the session")
    finally:
        gc.callbacks.remove(watch)
        app.demo_remove_card()
    assert full_collections == ["attract"]  # once, with the attract screen already showing
