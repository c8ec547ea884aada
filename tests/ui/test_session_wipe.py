"""Nothing of the previous citizen survives a session's end: not on any screen (shown or
not), not in the session or the journeys, not on disk."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.ui

TRACES = ("469023195801041234", "王建国", "王*", "4690**********1234", "469023-0001", "469023-0003",
          "食品经营许可证核发", "现场核查已安排", "不动产登记资料查询")


def joined(texts):
    return "\n".join(texts)


def walk_a_journey(app, ui, tmp_path):
    app.demo_insert_card("wang")
    ui.wait_for_screen("home")
    ui.tap(ui.by_id("home", "my_cases"))
    ui.type_code()
    ui.wait_for_screen("cases")
    row = next(r for r in ui.by_id("cases", "rows").children if r.number == "469023-0001")
    ui.tap(row)
    ui.wait_for_screen("case")
    ui.tap(ui.by_id("case", "print_slip"))
    ui.wait_until(lambda: app.controller.journey("progress").last_slip is not None, what="slip printed")
    # what a capture screen does with a photographed page: a session file
    capture = app.session.files.new("page-", ".jpg")
    capture.write_bytes(b"\xff\xd8 a captured ID card copy")
    assert capture.stat().st_mode & 0o077 == 0 and capture.parent.stat().st_mode & 0o077 == 0
    return capture


@pytest.mark.parametrize("ending", ["finish", "card_removed", "idle"])
def test_nothing_remains_after_the_session(kiosk_app, ui, tmp_path, ending):
    app = kiosk_app
    capture = walk_a_journey(app, ui, tmp_path)
    assert any(trace in joined(ui.all_texts()) for trace in TRACES)  # the walk showed personal data

    if ending == "finish":
        ui.tap(app.top_bar.ids.finish_button)
    elif ending == "card_removed":
        app.demo_remove_card()
    else:
        app.session.last_activity -= app.controller.idle_timeout_s + app.controller.idle_warning_s + 1
    ui.wait_until(lambda: app.manager.current == "attract" and not app.session.active, timeout=10,
                  what="session end")

    everything = joined(ui.all_texts())
    for trace in TRACES:
        assert trace not in everything, trace
    session = app.session
    assert session.identity is None and session.cases == [] and session.current_case is None
    assert session.resume_after_identify == ""
    assert all(session.peek(journey.State) is None for journey in app.controller.journeys.values() if journey.State)
    assert not capture.exists() and not capture.parent.exists()  # the session's directory, slip preview and all
    assert list(session.files.root.iterdir()) == []
    progress = app.controller.journey("progress")
    assert progress.last_slip is None and progress.last_slip_preview is None
    if app.devices.idcard_sim.card_present:
        app.demo_remove_card()


def test_the_next_citizen_starts_in_the_kiosks_language(kiosk_app, ui, monkeypatch):
    """A visitor who switched to English leaves; the goodbye is said in English, and the next
    citizen finds the attract screen in Chinese."""
    app = kiosk_app
    app.demo_insert_card("wang")
    ui.wait_for_screen("home")
    ui.tap(app.top_bar.ids.language_toggle)
    ui.wait_until(lambda: app.translator.language == "en", what="English")
    speech, said = app.devices.speech, []
    speak = speech.speak
    monkeypatch.setattr(speech, "speak", lambda text, lang="zh", *a, **k: (said.append((lang, text)),
                                                                           speak(text, lang, *a, **k))[1])
    ui.tap(app.top_bar.ids.finish_button)
    ui.wait_until(lambda: app.manager.current == "attract" and not app.session.active, what="session end")
    assert ("en", "Thank you. Please take your card and your papers.") in said
    assert app.translator.language == "zh_CN"
    assert app.manager.current_screen.ids.headline.text == "24小时自助服务"
    app.demo_remove_card()


def test_english_chosen_on_the_attract_screen_ends_when_the_visitor_walks_away(kiosk_app, ui):
    """The language switch tapped with no card starts a visit, as elder mode does, so the
    idle timeout ends it and the kiosk goes back to Chinese by itself."""
    app = kiosk_app
    ui.tap(app.top_bar.ids.language_toggle)
    ui.pump()
    assert app.translator.language == "en" and app.session.active and app.session_active
    app.session.last_activity -= app.controller.idle_timeout_s + app.controller.idle_warning_s + 1
    ui.wait_until(lambda: not app.session.active, timeout=10, what="visit timed out")
    assert app.translator.language == "zh_CN"
    assert app.manager.current_screen.ids.headline.text == "24小时自助服务"
