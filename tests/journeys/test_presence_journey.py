"""Confirming it is them at the glass, without Kivy: the code screen's answers to a wrong
code, a spent code and an early resend, the way elsewhere for a citizen with no number on
file, and the grant ended with the session."""
from __future__ import annotations

import pytest

from domain.identity import DocumentKind, Identity
from kiosk.demo import latest_code, phone_texts
from kiosk.journeys.presence import MSG_ELSEWHERE, MSG_NOT_THEIRS, MSG_SPENT, MSG_WAIT, MSG_WRONG, PresenceState
from kiosk.ui.screen_names import Screen
from tests.devices.idcard_fixtures import pcscd  # noqa: F401


def to_code_screen(kiosk, who="wang"):
    kiosk.journey("progress").start()
    kiosk.insert_card(who) if isinstance(who, str) else kiosk.present(who)
    kiosk.on(Screen.PRESENCE_CODE)
    return kiosk.controller.session.peek(PresenceState)


def wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_the_code_screen_names_the_masked_number_and_a_wrong_code_says_the_tries_left(kiosk):
    state = to_code_screen(kiosk)
    text = phone_texts(kiosk.phone_inbox)[-1]
    assert state.phone_masked == text["phone"][:3] + "****" + text["phone"][-4:]
    presence = kiosk.journey("presence")
    presence.check_code(wrong(latest_code(kiosk.phone_inbox)))
    kiosk.until(lambda: state.notice == MSG_WRONG, "the wrong-code notice")
    assert state.notice_values == {"tries": 2} and kiosk.ui.screen == Screen.PRESENCE_CODE
    assert not kiosk.controller.session.grant
    presence.check_code(latest_code(kiosk.phone_inbox))
    kiosk.on(Screen.CASES)
    assert kiosk.controller.session.grant and kiosk.controller.session.peek(PresenceState) is None


def test_three_wrong_codes_spend_it_and_a_new_one_waits_a_minute(kiosk):
    state = to_code_screen(kiosk)
    presence, right = kiosk.journey("presence"), latest_code(kiosk.phone_inbox)
    for _ in range(3):
        presence.check_code(wrong(right))
        kiosk.until(lambda: kiosk.ui.busy is None, "the answer")
    assert state.notice == MSG_SPENT and not state.challenge
    assert presence.resend_in() > 0  # Send a new code comes alive a minute after the last code
    sent_before = len(phone_texts(kiosk.phone_inbox))
    presence.send_code()  # too early: nothing is asked
    assert len(phone_texts(kiosk.phone_inbox)) == sent_before and kiosk.ui.busy is None
    state.resend_at = 0  # were the kiosk's wait cut short, the back office still holds the minute
    presence.send_code()
    kiosk.until(lambda: state.notice == MSG_WAIT, "the wait notice")
    assert 0 < state.notice_values["seconds"] <= 60 and len(phone_texts(kiosk.phone_inbox)) == sent_before


def test_with_no_number_on_file_a_typed_number_gets_the_code_only_when_it_is_theirs(kiosk):
    """赵丽 has no case yet: the page asks for her number; the carriers' registry (the
    demo's sim_cards) says whose a number is."""
    zhao = Identity(kind=DocumentKind.RESIDENT_ID, name="赵丽", document_number="469023199003070020")
    state = to_code_screen(kiosk, zhao)
    assert state.phone_needed and not state.challenge
    presence = kiosk.journey("presence")
    presence.send_code(phone="13807561234")  # someone else's
    kiosk.until(lambda: state.notice == MSG_NOT_THEIRS, "refused: not hers")
    assert state.phone_needed and not state.challenge
    presence.send_code(phone="13512345678")
    kiosk.until(lambda: state.challenge and kiosk.ui.busy is None, "the code sent")
    assert state.phone_masked == "135****5678" and phone_texts(kiosk.phone_inbox)[-1]["phone"] == "13512345678"
    presence.check_code(latest_code(kiosk.phone_inbox))
    kiosk.on(Screen.CASES)
    assert kiosk.controller.session.cases == []


def test_where_codes_cannot_be_sent_the_citizen_is_told_where_else_to_go(kiosk, tmp_path):
    """A back office with no SMS provider configured answers 503: the kiosk says where else."""
    from demo.embedded_backoffice import EmbeddedBackoffice
    from services.api import BackofficeClient

    with EmbeddedBackoffice(database=tmp_path / "bo" / "backoffice.db",
                            environ={"BACKOFFICE_SMS_PROVIDER": "none"}) as silent:
        own = kiosk.controller.api
        kiosk.controller.api = BackofficeClient(silent.url, terminal_id="CM-KIOSK-0001",
                                                secret=silent.terminal_secret_file.read_text())
        try:
            kiosk.journey("progress").start()
            kiosk.insert_card("wang")
            kiosk.until(lambda: kiosk.ui.messages, "the message")
        finally:
            kiosk.controller.api = own
    assert kiosk.ui.messages[-1].body == MSG_ELSEWHERE and kiosk.ui.screen == Screen.MESSAGE
    assert not kiosk.controller.session.grant


def test_finishing_ends_the_grant_at_the_back_office(kiosk, backoffice):
    to_code_screen(kiosk)
    kiosk.journey("presence").check_code(latest_code(kiosk.phone_inbox))
    kiosk.on(Screen.CASES)
    grant = kiosk.controller.session.grant
    api = kiosk.controller.api
    assert api.list_cases(kiosk.people["wang"].document_number, grant=grant)
    kiosk.controller.finish("finish_tapped")
    assert not kiosk.controller.session.grant

    def refused() -> bool:
        try:
            api.list_cases(kiosk.people["wang"].document_number, grant=grant)
        except Exception as exc:  # noqa: BLE001 - the refusal is the point
            return getattr(exc, "status", None) == 403
        return False

    kiosk.until(refused, "the grant ended")


# --- an ePassport whose chip proves itself: no code ------------------------------------------
PASSPORT_HOLDER = {"surname": "MARTIN", "given_names": "CLAIRE", "document_number": "18FR12345",
                   "issuing_state": "FRA", "nationality": "FRA", "birth_yymmdd": "850214", "sex": "F",
                   "expiry_yymmdd": "300101"}


def passport_on_reader(kiosk, pcscd, signer, read_face: bool = False, **forgery):
    """The passport's chip on a vpcd reader under pcscd, read by the kiosk's PC/SC backend
    (its CardInserted handed to the controller as the reader's thread would); `read_face`:
    the chip's DG2 face goes to the back office with the proof."""
    from types import SimpleNamespace

    from devices.idcard import CardInserted
    from devices.idcard.emulators.epassport import EPassportChip, PassportHolder
    from devices.idcard.emulators.vpcd import VpcdCard
    from devices.idcard.pcsc import PcscPassportBackend, PcscSettings
    from tests.devices.idcard_fixtures import next_event, open_reader

    holder = PassportHolder(**PASSPORT_HOLDER)
    card = VpcdCard(EPassportChip(holder, signer=signer, **forgery), port=pcscd.vpcd_port)
    reader, events = open_reader(PcscPassportBackend(PcscSettings(mrz=holder.mrz_information, read_face=read_face,
                                                                  reconnect_interval_s=0.2)))
    card.insert()
    event = next_event(events, CardInserted)
    kiosk.controller.devices = SimpleNamespace(idcard=reader, face=getattr(kiosk.controller.devices, "face", None))
    return card, reader, event.identity


@pytest.mark.parametrize("aa_key", ["ec", "rsa"])
def test_a_passport_whose_chip_proves_itself_needs_no_code(kiosk, pcscd, backoffice, aa_key):
    """With an EC Active Authentication key, or an RSA one (ISO/IEC 9796-2)."""
    card, reader, identity = passport_on_reader(kiosk, pcscd, backoffice.passport_pki().signer, aa_key=aa_key)
    try:
        texts = len(phone_texts(kiosk.phone_inbox))
        kiosk.journey("progress").start()
        kiosk.present(identity)
        kiosk.on(Screen.CASES)
        assert kiosk.controller.session.grant and Screen.PRESENCE_CODE not in kiosk.ui.screens
        assert len(phone_texts(kiosk.phone_inbox)) == texts  # no code was sent
    finally:
        card.remove()
        reader.close()


def test_a_passport_whose_chip_does_not_prove_itself_falls_back_to_the_code(kiosk, pcscd, backoffice):
    """Signed by a signer the back office's CSCA did not issue: refused, so the citizen is
    asked for a code (none is on file for this passport: a number to type)."""
    from devices.idcard.emulators.passport_pki import rogue_signer

    card, reader, identity = passport_on_reader(kiosk, pcscd, rogue_signer(backoffice.passport_pki()))
    try:
        kiosk.journey("progress").start()
        kiosk.present(identity)
        kiosk.on(Screen.PRESENCE_CODE)
        state = kiosk.controller.session.peek(PresenceState)
        assert state.phone_needed and not kiosk.controller.session.grant
    finally:
        card.remove()
        reader.close()
