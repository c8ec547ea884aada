"""The carriers' check (运营商三要素核验) through Alibaba Cloud's 号码百科, against an
emulator of ThreeElementsVerification on loopback that checks each request's signature:
the adapter's verdicts, the provider seeing hashes only, and a typed number at the kiosk
getting a code only when the carriers say it is the citizen's, over HTTP against the real
back office."""
from __future__ import annotations

import json
import uuid

import pytest

from backoffice.carrier_check import AliyunCarrierCheck
from demo.embedded_backoffice import EmbeddedBackoffice
from kiosk.demo import latest_code, phone_texts
from services.api import BackofficeClient, BackofficeRefused
from tests.api.loopback_services import KEY_ID, KEY_SECRET, DytnsEmulator, serving
from tests.e2e.outbox_support import applicant

ZHAO = ("赵丽", "469023199003070020", "13512345678")  # a SIM card sold under her name
AUTH_CODE = "AUTH-3E-TEST"


@pytest.fixture
def dytns():
    DytnsEmulator.registered, DytnsEmulator.received, DytnsEmulator.throttled = {ZHAO}, [], False
    with serving(DytnsEmulator) as url:
        yield url


def check(endpoint: str) -> AliyunCarrierCheck:
    return AliyunCarrierCheck(KEY_ID, KEY_SECRET, AUTH_CODE, endpoint=endpoint, timeout_s=5)


def test_the_carriers_verdicts(dytns):
    carriers = check(dytns)
    assert carriers.registered_to(*ZHAO) is True
    assert carriers.registered_to("赵丽", "469023199003070020", "13807561234") is False  # a number of nobody known
    assert carriers.registered_to("王建国", "469023195801041234", ZHAO[2]) is False  # her number, another person
    (first, *_rest) = DytnsEmulator.received
    assert first["Action"] == "ThreeElementsVerification" and first["Mask"] == "SHA256"
    sent = json.dumps(DytnsEmulator.received, ensure_ascii=False)
    for value in (*ZHAO, "王建国", "469023195801041234", "13807561234"):
        assert value not in sent  # hashes only leave the county


def test_numbers_the_check_does_not_cover_are_not_confirmed_and_not_asked(dytns):
    assert check(dytns).registered_to("赵丽", "469023199003070020", "17012345678") is False
    assert DytnsEmulator.received == []


def test_a_check_that_cannot_be_made_says_so(dytns):
    DytnsEmulator.throttled = True
    assert check(dytns).registered_to(*ZHAO) is None
    assert AliyunCarrierCheck(KEY_ID, "a-wrong-secret", AUTH_CODE, endpoint=dytns).registered_to(*ZHAO) is None
    assert check("http://127.0.0.1:9/").registered_to(*ZHAO) is None  # nothing listens there


def test_a_typed_number_at_the_kiosk_is_confirmed_by_the_carriers(dytns, tmp_path):
    settings = {"BACKOFFICE_CARRIER_CHECK": "aliyun", "BACKOFFICE_CARRIER_ALIYUN_ENDPOINT": dytns,
                "BACKOFFICE_CARRIER_ALIYUN_AUTH_CODE": AUTH_CODE, "BACKOFFICE_SMS_ALIYUN_KEY_ID": KEY_ID,
                "BACKOFFICE_SMS_ALIYUN_KEY_SECRET": KEY_SECRET}
    with EmbeddedBackoffice(database=tmp_path / "backoffice.db", environ=settings) as server:
        api = BackofficeClient(server.url, terminal_id="CM-KIOSK-0001", secret=server.terminal_secret_file.read_text())
        name, id_number, phone = ZHAO
        with pytest.raises(BackofficeRefused) as not_hers:
            api.request_code(uuid.uuid4().hex, id_number, name, "zh_CN", phone="13807561234")
        assert not_hers.value.status == 422 and not_hers.value.code == "phone_not_theirs"
        ref = uuid.uuid4().hex
        sent = api.request_code(ref, id_number, name, "zh_CN", phone=phone)
        assert sent["phone_source"] == "typed" and phone_texts(server.phone_inbox)[-1]["phone"] == phone
        grant = api.redeem_code(ref, sent["challenge"], latest_code(server.phone_inbox))
        assert grant["evidence"] == "sms_carrier_checked"
        DytnsEmulator.throttled = True  # the provider's flow control: for another citizen with no number on file
        newcomer = applicant(777)["document_number"]
        with pytest.raises(BackofficeRefused) as later:
            api.request_code(uuid.uuid4().hex, newcomer, "钱多多", "zh_CN", phone="13912345678")
        assert later.value.status == 409 and later.value.code == "check_unavailable"
