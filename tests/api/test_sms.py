"""The SMS gateway: the durable send table (one text per key, retries that wait longer
each time, giving up on what cannot pass or is too late) and the Alibaba Cloud adapter,
against an emulator of its SendSms API on loopback that checks the request as the
service would."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from backoffice.aliyun_rpc import rpc_signature
from backoffice.models import SmsMessage, utcnow
from backoffice.sms.gateway import MAX_ATTEMPTS, QuietHours, SmsGateway
from backoffice.sms.providers import AliyunSms, Receipt, SendResult, SmsProvider
from backoffice.sms.templates import CASE_APPROVED, PRESENCE_CODE
from tests.api.database import catalogued_app
from tests.api.loopback_services import KEY_ID, KEY_SECRET, RpcEmulator, serving


def test_the_rpc_signature_matches_alibaba_clouds_published_example():
    params = {"AccessKeyId": "testid", "Action": "DescribeRegions", "Format": "XML", "SignatureMethod": "HMAC-SHA1",
              "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf", "SignatureVersion": "1.0",
              "Timestamp": "2016-02-23T12:46:24Z", "Version": "2014-05-26"}
    assert rpc_signature("GET", params, "testsecret") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="


class DysmsEmulator(RpcEmulator):
    """SendSms as dysmsapi answers it: the phone number picks the answer."""
    received: list[dict] = []
    # QuerySendDetails: SendStatus 3 delivered, 2 failed, 1 waiting (as the documentation's example).
    RECEIPTS = {"13800000000": {"SendStatus": 3, "ErrCode": "DELIVERED", "ReceiveDate": "2026-12-08 10:15:02"},
                "13800000004": {"SendStatus": 2, "ErrCode": "MK:0001", "ReceiveDate": "2026-12-08 10:15:09"},
                "13800000005": {"SendStatus": 1, "ErrCode": "", "ReceiveDate": ""}}
    ANSWERS = {"13800000000": (200, {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0"}),
               "13800000001": (200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控"}),
               "13800000002": (200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"}),
               "13800000003": (503, {})}

    def respond(self, form):
        self.received.append(form)
        if form["Action"] == "QuerySendDetails":
            found = self.RECEIPTS.get(form["PhoneNumber"])
            rows = [{**found, "PhoneNum": form["PhoneNumber"], "TemplateCode": "SMS_480000001"}] if found else []
            return 200, {"Code": "OK", "Message": "OK", "TotalCount": len(rows),
                         "SmsSendDetailDTOs": {"SmsSendDetailDTO": rows}}
        return self.ANSWERS[form["PhoneNumbers"]]


@pytest.fixture
def dysms():
    DysmsEmulator.received = []
    with serving(DysmsEmulator) as url:
        yield url


def aliyun(endpoint: str, secret: str = KEY_SECRET) -> AliyunSms:
    return AliyunSms(KEY_ID, secret, "澄迈政务", {"presence_code": "SMS_480000001"}, endpoint=endpoint, timeout_s=5)


def test_aliyun_sends_a_template_and_its_parameters_signed(dysms):
    sent = aliyun(dysms).send("13800000000", PRESENCE_CODE, {"code": "042917"}, "zh_CN")
    assert sent == SendResult(True, "900619746936498440^0")
    (form,) = DysmsEmulator.received
    assert form["Action"] == "SendSms" and form["Version"] == "2017-05-25" and form["SignName"] == "澄迈政务"
    assert form["TemplateCode"] == "SMS_480000001" and json.loads(form["TemplateParam"]) == {"code": "042917"}
    assert form["AccessKeyId"] == KEY_ID and "042917" not in form["TemplateCode"]


def test_aliyun_answers_say_what_may_pass_and_what_cannot(dysms):
    provider = aliyun(dysms)
    throttled = provider.send("13800000001", PRESENCE_CODE, {"code": "1"}, "zh_CN")
    wrong_number = provider.send("13800000002", PRESENCE_CODE, {"code": "1"}, "zh_CN")
    down = provider.send("13800000003", PRESENCE_CODE, {"code": "1"}, "zh_CN")
    bad_key = aliyun(dysms, secret="not-the-secret").send("13800000000", PRESENCE_CODE, {"code": "1"}, "zh_CN")
    assert (throttled.accepted, throttled.retry) == (False, True) and "BUSINESS_LIMIT_CONTROL" in throttled.detail
    assert (wrong_number.accepted, wrong_number.retry) == (False, False)
    assert (down.accepted, down.retry) == (False, True)
    assert (bad_key.accepted, bad_key.retry) == (False, False) and "SignatureDoesNotMatch" in bad_key.detail
    unreachable = aliyun("http://127.0.0.1:9/").send("13800000000", PRESENCE_CODE, {"code": "1"}, "zh_CN")
    assert (unreachable.accepted, unreachable.retry) == (False, True)


class Scripted(SmsProvider):
    """Answers from a list, then accepts; counts the calls."""
    name = "scripted"

    def __init__(self, *answers):
        self.answers, self.calls = list(answers), 0

    def send(self, phone, template, params, language):
        self.calls += 1
        answer = self.answers.pop(0) if self.answers else SendResult(True, f"id-{self.calls}")
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.fixture
def app(tmp_path, monkeypatch):
    return catalogued_app(tmp_path, monkeypatch)


def test_one_key_queues_one_text_and_the_table_keeps_no_phone_or_code_in_clear(app):
    gateway = SmsGateway(Scripted(), app.state.vault)
    with app.state.sessions() as session:
        first = gateway.queue(session, "presence:abc", "13807561234", PRESENCE_CODE, {"code": "482913"})
        again = gateway.queue(session, "presence:abc", "13807561234", PRESENCE_CODE, {"code": "482913"})
        assert first.id == again.id and session.query(SmsMessage).count() == 1
        row = session.get(SmsMessage, first.id)
        assert row.phone_masked == "138****1234"
        assert "13807561234" not in row.phone_enc + row.params_enc and "482913" not in row.params_enc


def test_a_fault_that_may_pass_is_retried_later_and_a_bug_costs_one_attempt(app):
    provider = Scripted(SendResult(False, retry=True, detail="throttled"), RuntimeError("provider bug"))
    gateway = SmsGateway(provider, app.state.vault)
    with app.state.sessions() as session:
        message = gateway.deliver(session, gateway.queue(session, "k1", "13807561234", PRESENCE_CODE, {"code": "1"}))
        assert (message.status, message.attempts) == ("queued", 1)
        first_wait = message.next_attempt_at - utcnow()
        assert dt.timedelta(seconds=20) < first_wait <= dt.timedelta(seconds=30)
        assert gateway.deliver_due(session) == {"sms_sent": 0, "sms_failed": 0}  # not due yet
        message.next_attempt_at = utcnow()
        session.commit()
        gateway.deliver(session, message)  # the provider raises: one attempt, a longer wait
        assert (message.status, message.attempts) == ("queued", 2)
        assert message.next_attempt_at - utcnow() > first_wait * 3
        message.next_attempt_at = utcnow()
        session.commit()
        assert gateway.deliver_due(session) == {"sms_sent": 1, "sms_failed": 0}
        assert (message.status, message.provider_id) == ("sent", "id-3")


def test_a_wrong_number_is_given_up_at_once_and_retries_end(app):
    gateway = SmsGateway(Scripted(SendResult(False, detail="isv.MOBILE_NUMBER_ILLEGAL")), app.state.vault)
    always_busy = SmsGateway(Scripted(*[SendResult(False, retry=True)] * MAX_ATTEMPTS), app.state.vault)
    with app.state.sessions() as session:
        wrong = gateway.deliver(session, gateway.queue(session, "k2", "13800000002", PRESENCE_CODE, {"code": "1"}))
        assert (wrong.status, wrong.attempts, wrong.last_error) == ("failed", 1, "isv.MOBILE_NUMBER_ILLEGAL")
        busy = always_busy.queue(session, "k3", "13807561234", PRESENCE_CODE, {"code": "1"})
        for _ in range(MAX_ATTEMPTS):
            busy.next_attempt_at = utcnow()
            always_busy.deliver(session, busy)
        assert (busy.status, busy.attempts) == ("failed", MAX_ATTEMPTS)


def test_a_code_is_not_sent_once_it_has_expired(app):
    provider = Scripted()
    gateway = SmsGateway(provider, app.state.vault)
    with app.state.sessions() as session:
        late = gateway.queue(session, "k4", "13807561234", PRESENCE_CODE, {"code": "1"},
                             expires_at=utcnow() - dt.timedelta(seconds=1))
        assert gateway.deliver(session, late).status == "expired" and provider.calls == 0


def test_no_identifier_or_stray_parameter_goes_into_a_text():
    with pytest.raises(ValueError):
        PRESENCE_CODE.check({"code": "469023195801041234"})
    with pytest.raises(ValueError):
        PRESENCE_CODE.check({"code": "1", "name": "王建国"})


CST = dt.timezone(dt.timedelta(hours=8))


def utc_of(local: str) -> dt.datetime:
    return dt.datetime.fromisoformat(local).replace(tzinfo=CST).astimezone(dt.timezone.utc).replace(tzinfo=None)


def test_the_quiet_hours_end_at_eight_in_the_morning_county_time():
    quiet = QuietHours()  # 21:00-08:00
    assert quiet.release(utc_of("2026-12-07 20:59")) == utc_of("2026-12-07 20:59")
    assert quiet.release(utc_of("2026-12-07 21:00")) == utc_of("2026-12-08 08:00")
    assert quiet.release(utc_of("2026-12-08 02:30")) == utc_of("2026-12-08 08:00")
    assert quiet.release(utc_of("2026-12-08 08:00")) == utc_of("2026-12-08 08:00")
    assert QuietHours.parse("") is None and QuietHours.parse("12:00-13:30") == QuietHours(dt.time(12), dt.time(13, 30))
    lunch = QuietHours.parse("12:00-13:30")
    assert lunch is not None and lunch.release(utc_of("2026-12-08 12:10")) == utc_of("2026-12-08 13:30")


def test_a_notice_waits_out_the_quiet_hours_and_a_code_does_not(app):
    now = dt.datetime.now(CST)
    around_now = QuietHours((now - dt.timedelta(hours=1)).time(), (now + dt.timedelta(hours=1)).time())
    provider = Scripted()
    gateway = SmsGateway(provider, app.state.vault, around_now)
    with app.state.sessions() as session:
        notice = gateway.stage(session, "case:1:accept:1", "13807561234", CASE_APPROVED,
                               {"item": "食品经营许可证核发", "number": "469023-20261208-00001"})
        session.commit()
        assert notice.next_attempt_at > utcnow() + dt.timedelta(minutes=59)
        assert gateway.deliver_due(session) == {"sms_sent": 0, "sms_failed": 0} and provider.calls == 0
        assert gateway.deliver(session, notice).status == "queued" and provider.calls == 0  # asked directly too
        code = gateway.queue(session, "presence:q", "13807561234", PRESENCE_CODE, {"code": "1"})
        assert gateway.deliver(session, code).status == "sent" and provider.calls == 1


def test_two_senders_at_once_send_a_message_once(app):
    """Two back-office processes' senders reach the same queued message: one claims it."""
    provider = Scripted()
    gateway = SmsGateway(provider, app.state.vault, None)
    with app.state.sessions() as first, app.state.sessions() as second:
        message = gateway.queue(first, "k-both", "13807561234", PRESENCE_CODE, {"code": "1"})
        other_view = second.get(SmsMessage, message.id)
        second.commit()  # as a request ends its read (SQLite lets one writer in at a time)
        assert other_view is not None and other_view.status == "queued"
        assert gateway.deliver(first, message).status == "sent"
        assert gateway.deliver(second, other_view).status == "sent"  # refreshed: already sent
        assert provider.calls == 1


def test_a_send_cut_off_before_its_outcome_is_never_tried_again(app):
    provider = Scripted()
    gateway = SmsGateway(provider, app.state.vault, None)
    with app.state.sessions() as session:
        message = gateway.queue(session, "k-cut", "13807561234", PRESENCE_CODE, {"code": "1"})
        message.status, message.next_attempt_at = "sending", utcnow() - dt.timedelta(minutes=11)
        session.commit()
        assert gateway.deliver_due(session) == {"sms_sent": 0, "sms_failed": 0}
        session.refresh(message)
        assert message.status == "failed" and "not sent again" in message.last_error and provider.calls == 0


def test_aliyun_receipts_say_delivered_failed_or_not_yet(dysms):
    provider, sent_at = aliyun(dysms), dt.datetime(2026, 12, 8, 2, 15)  # 10:15 in China
    delivered = provider.receipt("13800000000", "900619746936498440^0", sent_at)
    assert delivered == Receipt("delivered", dt.datetime(2026, 12, 8, 2, 15, 2), "DELIVERED")
    query = DysmsEmulator.received[-1]
    assert (query["Action"], query["BizId"], query["SendDate"]) == ("QuerySendDetails", "900619746936498440^0",
                                                                    "20261208")
    assert provider.receipt("13800000004", "1^0", sent_at).state == "undelivered"
    assert provider.receipt("13800000005", "2^0", sent_at).state == "waiting"
    assert provider.receipt("13800000009", "3^0", sent_at) is None  # the provider has no record (yet)
    assert aliyun("http://127.0.0.1:9/").receipt("13800000000", "1^0", sent_at) is None


def test_receipts_are_collected_for_sent_messages_once_known(app, dysms):
    gateway = SmsGateway(aliyun(dysms), app.state.vault, None)
    with app.state.sessions() as session:
        phones = ("13800000000", "13800000004", "13800000005")
        sent = [gateway.deliver(session, gateway.queue(session, f"r{i}", phone, PRESENCE_CODE, {"code": "1"}))
                for i, phone in enumerate(phones)]
        assert [m.status for m in sent[:1]] == ["sent"]
        for message in sent[1:]:  # the emulator sends only the first number; the others as if sent
            message.status, message.provider_id, message.sent_at = "sent", "9^0", utcnow()
        session.commit()
        assert gateway.collect_receipts(session) == 2
        assert [(m.receipt, m.delivered_at is not None) for m in sent] == [
            ("delivered", True), ("undelivered", False), ("", False)]
        assert "MK:0001" in sent[1].last_error
        assert gateway.collect_receipts(session) == 0  # the waiting one stays waiting; known ones not asked again
