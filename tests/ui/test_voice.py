"""Voice guidance on the real kiosk with the real speech worker (espeak-ng renders; the
test machine has no sound card, so playback ends as `play_error`, which still proves the
worker took the request): each screen's instruction when it opens, choices and keys read
back as pressed (the citizen's own data as a neutral phrase through open speakers),
errors spoken, Repeat, and a volume that goes back to the profile's for the next citizen."""
from __future__ import annotations

import pytest

from proof.citizen import Citizen

pytestmark = pytest.mark.ui

FINAL = {"played", "play_error", "interrupted", "dropped", "rendered"}  # the worker's last word on a request


@pytest.fixture
def spoken(kiosk_app, monkeypatch):
    """Every text the kiosk hands to the speech worker, with its sequence number."""
    speech = kiosk_app.devices.speech
    sent: list[tuple[int, str]] = []
    speak = speech.speak

    def recording(text, lang="zh", priority=0, *, cache=False):
        seq = speak(text, lang, priority, cache=cache)
        sent.append((seq, text))
        return seq

    monkeypatch.setattr(speech, "speak", recording)
    return sent


def texts(sent) -> list[str]:
    return [text for _seq, text in sent]


def test_each_screen_speaks_its_instruction_and_the_worker_takes_it(kiosk_app, ui, spoken):
    app = kiosk_app
    tr = app.controller._
    ui.tap(ui.by_text(tr("Service guides")))
    ui.wait_for_screen("catalogue")
    ui.tap_button("catalogue", "search")
    ui.wait_for_screen("catalogue_search")
    expected = [tr(app.manager.get_screen(name).spoken_prompt) for name in ("catalogue", "catalogue_search")]
    assert all(prompt in texts(spoken) for prompt in expected), texts(spoken)
    seq = next(seq for seq, text in spoken if text == expected[-1])
    assert app.devices.speech.wait_for(seq, timeout=30).outcome in FINAL

    keyboard = app.manager.current_screen.keypad
    ui.tap(keyboard.keys["S"])  # search letters are read back as they are
    assert texts(spoken)[-1] == "S"


def test_the_citizens_own_digits_are_not_spoken_through_open_speakers(kiosk_app, ui, spoken):
    app = kiosk_app
    assert not app.devices.speech.settings.private_audio  # the test profile: open speakers
    citizen = Citizen(app, ui)
    citizen.open_item("W6", "469023-GF-MZ-0015")
    citizen.identify()
    citizen.fill_form()  # household size, hardship type, an 11-digit phone number
    said = "\n".join(texts(spoken))
    assert "13907561234" not in said and "1" not in texts(spoken)
    assert texts(spoken).count(app.controller._("Entered.")) >= 11  # each digit, as a neutral phrase


def test_repeat_and_volume_from_the_sound_panel(kiosk_app, ui, spoken):
    app = kiosk_app
    speech = app.devices.speech
    tr = app.controller._
    ui.tap(ui.by_text(tr("Service guides")))
    ui.wait_for_screen("catalogue")
    prompt = tr(app.manager.current_screen.spoken_prompt)
    normal = speech.voice("zh").volume

    ui.tap(app.top_bar.ids.sound_button)
    ui.wait_until(lambda: app._sound_panel is not None and app._sound_panel.parent is not None, what="sound panel")
    panel = app._sound_panel
    before = texts(spoken).count(prompt)
    ui.tap(panel.ids.repeat)
    assert texts(spoken).count(prompt) == before + 1  # the page's instruction again
    ui.tap(panel.ids.louder)
    assert speech.volume_level == 1 and speech.voice("zh").volume > normal
    assert texts(spoken)[-1] == "音量 4，共 5 级。"
    ui.tap(panel.ids.close)

    ui.tap(app.top_bar.ids.finish_button)
    ui.wait_for_screen("attract")
    assert speech.volume_level == 0 and speech.voice("zh").volume == normal  # the next citizen's


def test_an_error_screen_says_what_happened(kiosk_app, ui, spoken):
    app = kiosk_app
    app.demo.toggle_network()  # the back office cannot be reached (guides would still open: a local copy)
    try:
        ui.tap(ui.by_text(app.controller._("Check progress")))
        ui.wait_for_screen("progress_start")
        app.demo_insert_card("li")
        ui.agree_to_face_then("message")
        body = app.controller._(app.manager.current_screen.body)
        ui.wait_until(lambda: body in texts(spoken), what="the error spoken")
    finally:
        app.demo.toggle_network()


def test_the_receipt_read_aloud_keeps_the_name_for_a_handset(kiosk_app, ui, spoken):
    app = kiosk_app
    citizen = Citizen(app, ui)
    citizen.reach_consent("W6", "469023-GF-MZ-0015")
    citizen.submit()
    citizen.wait_for_receipt_printed()
    number = app.controller.journey("apply").state.case.number
    ui.tap_button("apply_result", "read_aloud")
    reading = texts(spoken)[-1]
    assert " ".join(number) in reading and "最低生活保障对象认定" in reading
    assert "王" not in reading and "只有使用听筒时才会朗读" in reading  # open speakers: no name
