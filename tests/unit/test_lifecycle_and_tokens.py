import pytest

from domain import tokens
from domain.cases import CaseStatus as S
from domain.ids import is_valid_credit_code, is_valid_licence_id, make_licence_id
from domain.lifecycle import TRANSITIONS, Action, IllegalTransition, allowed_actions, next_status


def test_happy_path():
    status = S.RECEIVED
    for action in (Action.ACCEPT, Action.ROUTE, Action.APPROVE, Action.COMPLETE, Action.DELIVER):
        status = next_status(status, action)
    assert status is S.DELIVERED


def test_closed_states_allow_nothing():
    for status in (S.DELIVERED, S.WITHDRAWN, S.TERMINATED, S.NOT_ACCEPTED):
        assert allowed_actions(status) == []
        with pytest.raises(IllegalTransition):
            next_status(status, Action.ACCEPT)


def test_every_target_state_is_a_known_state():
    for table in TRANSITIONS.values():
        assert set(table.values()) <= set(S)


def test_suspension_round_trip_and_correction():
    assert next_status(next_status(S.IN_REVIEW, Action.SUSPEND), Action.RESUME) is S.IN_REVIEW
    assert next_status(next_status(S.RECEIVED, Action.REQUEST_CORRECTION), Action.SUPPLEMENT) is S.RECEIVED


# --- credit codes and e-licence identifiers (standards vectors) -------------------------------
def test_credit_code_vector():
    assert is_valid_credit_code("91110000600037341L")
    assert not is_valid_credit_code("91110000600037341M")
    assert not is_valid_credit_code("9111000060003734IL")  # I is not in the alphabet


def test_credit_codes_need_not_start_with_digits():
    from domain.ids import credit_code_check_char

    for first17 in ("N2469023MJ0000001", "A1469023MB0000001", "Y1469023MC0000001"):
        assert is_valid_credit_code(first17 + credit_code_check_char(first17))


@pytest.mark.parametrize("identifier", [
    "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U",
    "1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.0",
])
def test_licence_vectors(identifier):
    assert is_valid_licence_id(identifier)
    assert not is_valid_licence_id(identifier[:-1] + ("1" if identifier[-1] != "1" else "2"))


def test_made_licence_ids_validate():
    made = make_licence_id("11100000000013338W011", "11469023MB12345676", "20260000001", 1)
    assert is_valid_licence_id(made) and made.startswith("1.2.156.3005.2.")


# --- QR tokens ------------------------------------------------------------------------------------
def test_tokens_round_trip_and_refuse_forgeries():
    from backoffice.security.qr import QrSigner

    signer = QrSigner(bytes(range(32)))
    token = signer.issue("appointment", "AB12CD34", ttl_s=600, w="W2")
    parsed = signer.verify(token, kind="appointment")
    assert parsed.subject == "AB12CD34" and parsed.claims == {"w": "W2", "kid": signer.key_id}
    with pytest.raises(tokens.TokenInvalid):
        signer.verify(token, kind="case")
    with pytest.raises(tokens.TokenInvalid):
        QrSigner(bytes(32)).verify(token)  # another key
    head, body, sig = token.split(".")
    with pytest.raises(tokens.TokenInvalid):
        signer.verify(".".join((head, tokens.b64url(b'{"k":"appointment","s":"OTHER","iat":1}'), sig)))
    for junk in ("", "CM1", "CM1.x.y", "CM2." + body + "." + sig, "x" * 5000):
        with pytest.raises(tokens.TokenInvalid):
            signer.verify(junk)


def test_expired_tokens():
    from backoffice.security.qr import QrSigner

    signer = QrSigner(bytes(range(32)))
    token = tokens.encode("appointment", "X", 100, signer._key.sign, expires_at=200)
    with pytest.raises(tokens.TokenExpired):
        tokens.decode(token, lambda s, m: True, now=201)
    assert tokens.decode(token, lambda s, m: True, now=150).subject == "X"


def test_an_expired_token_says_what_it_was_for():
    with pytest.raises(tokens.TokenExpired) as info:
        tokens.decode(tokens.encode("case", "X", 100, lambda m: b"s", expires_at=200), lambda s, m: True, now=201)
    assert info.value.kind == "case"


def test_a_rotated_key_verifies_what_it_signed_until_it_is_dropped():
    from backoffice.security.qr import QrSigner

    old_seed, new_seed = bytes(range(32)), bytes(range(1, 33))
    before = QrSigner(old_seed)
    printed = before.issue("case", "469023-20261206-00001")
    during = QrSigner(new_seed, retired=(old_seed,))
    assert during.verify(printed).subject == "469023-20261206-00001"
    fresh = during.issue("case", "469023-20261206-00002")
    assert during.verify(fresh).claims["kid"] == during.key_id != before.key_id
    assert [k["key_id"] for k in during.published()] == [during.key_id, before.key_id]
    after = QrSigner(new_seed)
    with pytest.raises(tokens.TokenInvalid):
        after.verify(printed)
    assert after.verify(fresh).subject == "469023-20261206-00002"


def test_a_token_naming_another_key_than_its_signer_is_refused():
    from backoffice.security.qr import QrSigner

    signer, other = QrSigner(bytes(range(32))), QrSigner(bytes(range(1, 33)))
    both = QrSigner(bytes(range(32)), retired=(bytes(range(1, 33)),))
    claiming = tokens.encode("case", "X", 100, signer._key.sign, kid=other.key_id)
    with pytest.raises(tokens.TokenInvalid, match="another key"):
        both.verify(claiming)


def test_queue_ticket_letters_from_any_window_code():
    from backoffice.routes.appointments import ticket_letter

    assert [ticket_letter(c) for c in ("W1", "W2", "W7", "W27")] == ["A", "B", "G", "A"]
    assert ticket_letter("W0") == "Z"  # (0 - 1) % 26: wraps, never an error
    assert [ticket_letter(c) for c in ("X-12", "窗口3", "", "W", "W٣")] == ["X", "Q", "Q", "W", "W"]
