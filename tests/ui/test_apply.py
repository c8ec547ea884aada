"""Self-submission on the offscreen kiosk against the real back office: card, form pages
on keypads and choice buttons, a page captured with the (simulated) document camera, an
e-licence, a 容缺 material with the commitment, review, consent, submit; the case and its
materials in the back office; the printed 收件凭证; a bundle submitted once; a refusal
shown whole; a retry after a lost answer creating one case."""
from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.journeys.apply import ApplyState
from proof.citizen import Citizen
from services.api import BackofficeClient
from tests.presence import CitizensClient, confirm
from tests.ui.accessible import assert_accessible

pytestmark = pytest.mark.ui
SHOTS = Path("/tmp/kiosk-shots")
WANG_ID = "469023195801041234"
ITEM = "469023-GF-MZ-0015"  # 最低生活保障对象认定: captured, e-licence, shared and 容缺 materials


def joined(texts):
    return "\n".join(texts)


@pytest.fixture(scope="module")
def office(backoffice):
    """王建国's cases as the back office holds them (read under his grant)."""
    api = BackofficeClient(backoffice.url, terminal_id="CM-KIOSK-0001",
                           secret=backoffice.terminal_secret_file.read_text())
    return CitizensClient(api, confirm(api, backoffice.phone_inbox, WANG_ID))


def state(app) -> ApplyState:
    return app.controller.journey("apply").state


@pytest.fixture
def citizen(kiosk_app, ui):
    def shoot(name):
        ui.screenshot(SHOTS / f"{name.replace('-', '_')}.png")
    return Citizen(kiosk_app, ui, seen=shoot)


def test_self_submission_with_camera_e_licence_and_deferred_material(kiosk_app, ui, office, citizen):
    app = kiosk_app
    before = {c.number for c in office.list_cases(WANG_ID)}
    citizen.open_item("W6", ITEM)
    citizen.identify(shots=True)
    citizen.fill_form(shots=True)
    shown = joined(ui.visible_texts())
    assert "无需纸质材料：调取您的电子证照" in shown and "部门共享获取，无需提交" in shown
    citizen.settle_materials(defer=True, shots=True)
    captured = [Path(v.path) for v in state(app).provided.values() if v.mode == "capture"]
    assert len(captured) == 2 and all(p.exists() for p in captured)
    review = joined(ui.visible_texts())
    assert "4690**********1234" in review and "王*" in review and "139****1234" in review
    assert WANG_ID not in joined(ui.all_texts()) and "王建国" not in joined(ui.all_texts())
    assert "13907561234" not in review
    citizen.to_consent(shots=True)

    spool = app.kiosk_config.profile.receipt_printer_target
    jobs_before = set(spool.glob("*.escpos"))
    citizen.submit()
    assert app.session.grant  # asked who is at the glass before submitting in his name: the code
    number = state(app).case.number
    ui.wait_until(lambda: state(app).printed and app._busy is None, timeout=20, what="receipt printed")
    shown = joined(ui.visible_texts())
    ui.screenshot(SHOTS / "apply_result.png")
    assert number in shown and "申请已收件" in shown
    assert "短信通知" not in shown and not office.get_case(number).sms_notices  # texts are asked for, not assumed

    assert {c.number for c in office.list_cases(WANG_ID)} - before == {number}
    receipt = office.receipt(number)
    assert receipt.item_code == ITEM
    by_name = {m.name: m for m in receipt.materials}
    assert by_name["最低生活保障申请书"].form.value == "electronic"  # a captured page
    assert by_name["家庭成员身份证明"].licence_id.startswith("1.2.156.3005.2.")
    assert [d.name for d in receipt.deferred] == ["残疾、疾病等特殊情况证明"] and receipt.commitment_signed

    (job,) = set(spool.glob("*.escpos")) - jobs_before
    printed = job.read_bytes().decode("gb18030", errors="replace")
    assert number in printed and "最低生活保障对象认定" in printed
    assert WANG_ID not in printed and "王建国" not in printed

    ui.tap(app.manager.get_screen("apply_result").buttons["done"])
    ui.wait_for_screen("attract")
    assert not any(p.exists() for p in captured)  # the captured pages left with the session
    everything = joined(ui.all_texts())
    assert number not in everything and "4690**********1234" not in everything


def test_a_bundle_is_submitted_once_with_texts_asked_for(kiosk_app, ui, office, citizen):
    app = kiosk_app
    before = {c.number for c in office.list_cases(WANG_ID)}
    citizen.open_bundle("B04")
    citizen.identify()
    citizen.fill_form()
    citizen.settle_materials(defer=True)
    citizen.to_consent()
    consent = app.manager.get_screen("apply_consent")
    assert consent.buttons["texts"].text == "用短信告诉我办理进展（发送至 139****1234）"  # not chosen yet
    ui.tap(consent.buttons["texts"])
    ui.wait_until(lambda: consent.buttons["texts"].text.startswith("● "), what="texts chosen")
    assert_accessible(app, ui, "apply_consent (texts chosen)")
    ui.screenshot(SHOTS / "apply_consent_texts.png")
    citizen.submit()
    number = state(app).case.number
    assert "受理和办结时，我们会短信通知 139****1234。" in joined(ui.visible_texts())
    assert office.get_case(number).sms_notices
    new = {c.number for c in office.list_cases(WANG_ID)} - before
    assert new == {number}
    case = office.get_case(number)
    assert case.item_name == "高层次人才服务一件事"
    received = office.receipt(number)
    assert len(received.materials) >= 4 and any(m.licence_id for m in received.materials)


def test_a_refusal_shows_every_problem_and_keeps_the_answers(kiosk_app, ui, office, citizen):
    app = kiosk_app
    before = {c.number for c in office.list_cases(WANG_ID)}
    citizen.reach_consent("W6", ITEM)
    # What the county's rules refuse and the kiosk did not catch: both come back at once.
    state(app).answers["household_size"] = "many"
    state(app).provided.pop("M04")
    citizen.submit(expect="apply_problems")
    shown = joined(ui.visible_texts())
    ui.screenshot(SHOTS / "apply_problems.png")
    assert "共同生活家庭人数：请检查此项。" in shown
    assert "家庭经济状况授权核查书：缺少此材料。" in shown
    assert {c.number for c in office.list_cases(WANG_ID)} == before
    assert state(app).answers["contact_phone"] == "13907561234"  # nothing entered is lost
    ui.tap_button("apply_problems", "fix:household_size")
    ui.wait_for_screen("apply_field")
    screen = app.manager.get_screen("apply_field")
    ui.tap(screen.keypad.keys["3"])
    ui.tap(screen.buttons["next"])
    ui.wait_for_screen("apply_review")
    ui.tap_button("apply_review", "materials")
    ui.wait_for_screen("apply_materials")
    citizen.capture("M04")
    ui.tap_button("apply_materials", "next")
    ui.wait_for_screen("apply_review")
    citizen.to_consent()
    citizen.submit()
    assert len({c.number for c in office.list_cases(WANG_ID)} - before) == 1


def outbox_stats(app):
    return app.controller.outbox.stats()


def test_offline_the_application_is_kept_and_sent_by_itself(kiosk_app, ui, office, citizen, emulated_printer):
    """The network is cut at the moment of submitting: the citizen leaves with a slip
    naming a provisional reference; when the line is back the outbox sends it: one case."""
    app = kiosk_app
    before = {c.number for c in office.list_cases(WANG_ID)}
    citizen.reach_consent("W6", ITEM)
    assert app.demo.toggle_network() is True
    try:
        citizen.submit()  # the result page, queued variant
        reference = state(app).queued.reference
        assert reference.startswith("L0001-")
        shown = joined(ui.visible_texts())
        assert "申请已保存，尚未发送" in shown and reference in shown
        ui.wait_until(lambda: not app.backoffice_online, what="offline badge")
        assert "网络离线" in joined(ui.visible_texts())
        ui.screenshot(SHOTS / "apply_queued.png")
        assert_accessible(app, ui, "apply_result (kept)")
        citizen.wait_for_receipt_printed()
        slip = emulated_printer.wait_for_receipt(timeout=20).text
        assert reference in slip and "尚未被县里收到" in slip and WANG_ID not in slip
        assert outbox_stats(app)["pending"] == 1
        on_disk = b"".join(p.read_bytes() for p in app.controller.outbox.path.parent.iterdir() if p.is_file())
        assert WANG_ID.encode() not in on_disk and "王建国".encode() not in on_disk
        assert {c.number for c in office.list_cases(WANG_ID)} == before
    finally:
        if app.demo.network_cut:
            app.demo.toggle_network()
    app.controller.outbox_sender.nudge()
    ui.wait_until(lambda: outbox_stats(app)["pending"] == 0, timeout=60, what="outbox delivered")
    new = {c.number for c in office.list_cases(WANG_ID)} - before
    assert len(new) == 1
    kept = [i for i in app.controller.outbox.for_applicant(WANG_ID) if i.reference == reference]
    assert [i.case_number for i in kept] == list(new)
    ui.wait_until(lambda: app.backoffice_online, what="online again")


def test_a_lost_answer_is_sent_again_into_the_same_case(kiosk_app, ui, office, citizen, backoffice):
    """The back office made the case but the answer was cut on the way back: the citizen
    is told it is kept; the outbox's retry carries the same key: still one case."""
    from tests.netfault import CUT_ANSWER, PASS, FaultyLink

    app = kiosk_app
    api = app.controller.api
    before = {c.number for c in office.list_cases(WANG_ID)}
    citizen.reach_consent("W6", ITEM)
    link = FaultyLink(backoffice.port)
    real_url, api.base_url = api.base_url, link.url
    try:
        link.mode = CUT_ANSWER
        citizen.submit()
        assert state(app).queued and link.cut_answers >= 1
        assert len({c.number for c in office.list_cases(WANG_ID)} - before) == 1  # made, answer lost
        link.mode = PASS
        app.controller.outbox_sender.nudge()
        ui.wait_until(lambda: outbox_stats(app)["pending"] == 0, timeout=60, what="outbox delivered")
    finally:
        api.base_url = real_url
        link.close()
    new = {c.number for c in office.list_cases(WANG_ID)} - before
    assert len(new) == 1


def test_switching_language_at_every_page_keeps_the_application(kiosk_app, ui, office):
    """The language switch on the top bar, tapped on every page the citizen reaches: each
    page is redrawn in the other language where it was, and nothing entered is lost."""
    app = kiosk_app
    switched: list[tuple[str, str, str]] = []

    def switch_language(_page: str) -> None:
        screen, heading = app.manager.current, app.manager.current_screen.ids.get("heading")
        before = heading.text if heading is not None else ""
        ui.tap(app.top_bar.ids.language_toggle)
        ui.pump()
        after = heading.text if heading is not None else ""
        assert app.manager.current == screen, f"the switch left {screen}"
        switched.append((screen, app.translator.language, after))
        assert before != after or not before, f"{screen} not redrawn in {app.translator.language}"

    citizen = Citizen(app, ui, seen=switch_language)
    citizen.reach_consent("W6", ITEM, shots=True)
    assert len({screen for screen, _l, _h in switched}) >= 5 and {"en", "zh_CN"} <= {lang for _s, lang, _h in switched}
    answers = dict(state(app).answers)
    assert answers["contact_phone"] == "13907561234" and str(answers["household_size"]) == "2"
    assert len([v for v in state(app).provided.values() if v.mode == "capture"]) == 2
    citizen.submit()
    number = state(app).case.number
    case = office.get_case(number)
    assert case.item_code == ITEM
