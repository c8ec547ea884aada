"""SMS providers behind one interface. `RecordingProvider` writes each text to a file, the
demo's simulated phone and the tests' inbox; `AliyunSms` sends through Alibaba Cloud's
SMS service (dysmsapi, version 2017-05-25) over its documented RPC API, signed with the
account's AccessKey; a provider is chosen by BACKOFFICE_SMS_PROVIDER (settings.py)."""
from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import requests

from ..aliyun_rpc import signed_form
from .templates import Template


@dataclass(frozen=True)
class SendResult:
    accepted: bool  # the provider took the message (a send, not yet a delivery)
    provider_id: str = ""  # the provider's id of the message, for its delivery receipt
    retry: bool = False  # a fault that may pass (throttled, unreachable, the provider's 5xx)
    detail: str = ""


@dataclass(frozen=True)
class Receipt:
    """What the carrier said of a sent message (回执): a send is not a delivery."""
    state: str  # "delivered" | "undelivered" | "waiting"
    at: dt.datetime | None = None  # when the carrier reported it (naive UTC)
    detail: str = ""  # the carrier's code, e.g. DELIVERED or MK:0001


class SmsProvider(ABC):
    name = ""

    @abstractmethod
    def send(self, phone: str, template: Template, params: Mapping[str, str], language: str) -> SendResult:
        """Hands one message to the provider; never raises for the provider's faults."""

    def receipt(self, phone: str, provider_id: str, sent_at: dt.datetime) -> Receipt | None:
        """The carrier's receipt for a message sent, if the provider keeps them; None when it
        cannot say (no receipts, or unreachable now: asked again later)."""
        return None


class RecordingProvider(SmsProvider):
    """Appends each message as a line of JSON (phone, template, parameters, the text as the
    phone shows it) to `path`. For the demo and tests only: it keeps codes in clear."""

    name = "recording"

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()

    def send(self, phone: str, template: Template, params: Mapping[str, str], language: str) -> SendResult:
        message_id = secrets.token_hex(8)
        line = json.dumps({"id": message_id, "phone": phone, "template": template.name, "params": dict(params),
                           "text": template.render(params, language),
                           "at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}, ensure_ascii=False)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as inbox:
                inbox.write(line + "\n")
        return SendResult(True, message_id)

    def receipt(self, phone: str, provider_id: str, sent_at: dt.datetime) -> Receipt | None:
        """The demo's phone has every text it was given: delivered when written."""
        return Receipt("delivered", sent_at, "DELIVERED")


# Answers of dysmsapi that a later try may pass: flow control and an account to top up.
ALIYUN_RETRY_CODES = frozenset({"isv.BUSINESS_LIMIT_CONTROL", "isv.DAY_LIMIT_CONTROL", "isv.AMOUNT_NOT_ENOUGH",
                                "Throttling", "Throttling.User", "ServiceUnavailable", "InternalError"})


class AliyunSms(SmsProvider):
    name = "aliyun"

    def __init__(self, access_key_id: str, access_key_secret: str, sign_name: str,
                 template_codes: Mapping[str, str], endpoint: str = "https://dysmsapi.aliyuncs.com/",
                 timeout_s: float = 5.0, region: str = "cn-hangzhou"):
        self.access_key_id, self._secret = access_key_id, access_key_secret
        self.sign_name, self.template_codes = sign_name, dict(template_codes)
        self.endpoint, self.timeout_s, self.region = endpoint, timeout_s, region
        self._http = requests.Session()

    def template_code(self, template: Template, language: str = "zh_CN") -> str | None:
        """The code the carrier registered for the template; for English, the one registered
        as NAME.en (BACKOFFICE_SMS_TEMPLATES), else the Chinese one."""
        english = self.template_codes.get(f"{template.name}.en") if language.startswith("en") else None
        return english or self.template_codes.get(template.name)

    def request_params(self, phone: str, template: Template, params: Mapping[str, str],
                       language: str = "zh_CN") -> dict[str, str]:
        return signed_form("SendSms", "2017-05-25", {
            "PhoneNumbers": phone, "SignName": self.sign_name, "TemplateCode": self.template_code(template, language),
            "TemplateParam": json.dumps(dict(params), ensure_ascii=False, separators=(",", ":")),
        }, self.access_key_id, self._secret, self.region)

    def send(self, phone: str, template: Template, params: Mapping[str, str], language: str) -> SendResult:
        if self.template_code(template, language) is None:
            return SendResult(False, detail=f"no registered template for {template.name}")
        try:
            answer = self._http.post(self.endpoint, data=self.request_params(phone, template, params, language),
                                     timeout=self.timeout_s)
        except requests.RequestException as exc:
            return SendResult(False, retry=True, detail=type(exc).__name__)
        try:
            body = answer.json()
        except ValueError:
            body = {}
        code = str(body.get("Code", ""))
        if answer.status_code == 200 and code == "OK":
            return SendResult(True, str(body.get("BizId", "")))
        retry = answer.status_code >= 500 or answer.status_code == 429 or code in ALIYUN_RETRY_CODES
        return SendResult(False, retry=retry, detail=f"{answer.status_code} {code}".strip()[:200])


    def receipt(self, phone: str, provider_id: str, sent_at: dt.datetime) -> Receipt | None:
        """QuerySendDetails for the message's BizId on the day it was sent (China time);
        SendStatus 1 waiting, 2 failed, 3 delivered."""
        day = (sent_at.replace(tzinfo=dt.timezone.utc) + dt.timedelta(hours=8)).strftime("%Y%m%d")
        form = signed_form("QuerySendDetails", "2017-05-25", {
            "PhoneNumber": phone, "BizId": provider_id, "SendDate": day, "PageSize": "1", "CurrentPage": "1",
        }, self.access_key_id, self._secret, self.region)
        try:
            answer = self._http.post(self.endpoint, data=form, timeout=self.timeout_s)
            body = answer.json()
        except (requests.RequestException, ValueError):
            return None
        if answer.status_code != 200 or body.get("Code") != "OK":
            return None
        details = (body.get("SmsSendDetailDTOs") or {}).get("SmsSendDetailDTO") or []
        if not details:
            return None
        detail = details[0]
        state = {3: "delivered", 2: "undelivered"}.get(int(detail.get("SendStatus", 1)), "waiting")
        return Receipt(state, _china_time(detail.get("ReceiveDate")) if state != "waiting" else None,
                       str(detail.get("ErrCode", ""))[:32])


def _china_time(text: str | None) -> dt.datetime | None:
    """"2017-05-25 00:00:00" in China time, as naive UTC."""
    try:
        local = dt.datetime.strptime(str(text), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    return local - dt.timedelta(hours=8)


class NoProvider(SmsProvider):
    """Where no provider is configured: nothing is sent, and the caller is told."""

    name = "none"

    def send(self, phone: str, template: Template, params: Mapping[str, str], language: str) -> SendResult:
        return SendResult(False, detail="no SMS provider is configured (BACKOFFICE_SMS_PROVIDER)")


def provider_from_settings(settings) -> SmsProvider:
    choice = settings.sms_provider
    if choice.startswith("recording:"):
        return RecordingProvider(Path(choice.split(":", 1)[1]))
    if choice == "aliyun":
        return AliyunSms(settings.sms_aliyun_key_id, settings.sms_aliyun_key_secret, settings.sms_sign_name,
                         dict(settings.sms_templates), endpoint=settings.sms_aliyun_endpoint)
    if choice == "none":
        return NoProvider()
    raise ValueError(f"unknown SMS provider {choice!r}: aliyun, recording:PATH or none")
