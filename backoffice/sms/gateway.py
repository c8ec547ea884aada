"""The durable send table: a message is queued once under its key (the same key queues
nothing more, so a retried request or a second server process never texts twice), then
handed to the provider, retried with growing waits while the fault may pass, and given
up on when it cannot (a wrong number) or its moment is gone (an expired code). The phone
and the parameters are encrypted at rest; the table keeps the masked phone to show."""
from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Mapping

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain.ids import mask_phone

from ..models import SmsMessage, utcnow
from .providers import SmsProvider
from .templates import TEMPLATES, Template

log = logging.getLogger(__name__)
FIRST_RETRY_S = 30  # then 2 min, 8 min, 32 min, about 2 h
MAX_ATTEMPTS = 6


class SmsGateway:
    def __init__(self, provider: SmsProvider, vault):
        self.provider, self.vault = provider, vault

    def queue(self, session: Session, key: str, phone: str, template: Template, params: Mapping[str, str],
              language: str = "zh_CN", expires_at: dt.datetime | None = None) -> SmsMessage:
        """The message under `key`, queued now unless it already was. Commits."""
        template.check(params)
        found = session.scalar(select(SmsMessage).where(SmsMessage.key == key))
        if found is not None:
            return found
        message = SmsMessage(key=key, template=template.name, language=language,
                             phone_enc=self.vault.encrypt(phone, "sms-phone"), phone_masked=mask_phone(phone),
                             params_enc=self.vault.encrypt(json.dumps(dict(params)), "sms-params"),
                             next_attempt_at=utcnow(), expires_at=expires_at)
        session.add(message)
        try:
            session.commit()
        except IntegrityError:  # another process queued the same key meanwhile
            session.rollback()
            found = session.scalar(select(SmsMessage).where(SmsMessage.key == key))
            assert found is not None
            return found
        return message

    def deliver(self, session: Session, message: SmsMessage) -> SmsMessage:
        """One try now: sent, retried later, or given up. Commits."""
        now = utcnow()
        if message.status != "queued":
            return message
        if message.expires_at is not None and now >= message.expires_at:
            message.status = "expired"
            session.commit()
            return message
        template = TEMPLATES[message.template]
        phone = self.vault.decrypt(message.phone_enc, "sms-phone")
        params = json.loads(self.vault.decrypt(message.params_enc, "sms-params"))
        try:
            result = self.provider.send(phone, template, params, message.language)
        except Exception as exc:  # a provider's bug must not lose the message or stall the table
            log.exception("sms provider failed", extra={"provider": self.provider.name})
            result_ok, retry, detail, provider_id = False, True, type(exc).__name__, ""
        else:
            result_ok, retry, detail, provider_id = result.accepted, result.retry, result.detail, result.provider_id
        message.attempts += 1
        message.provider = self.provider.name
        if result_ok:
            message.status, message.sent_at, message.provider_id, message.last_error = "sent", now, provider_id, ""
        elif retry and message.attempts < MAX_ATTEMPTS:
            message.next_attempt_at = now + dt.timedelta(seconds=FIRST_RETRY_S * 4 ** (message.attempts - 1))
            message.last_error = detail[:200]
        else:
            message.status, message.last_error = "failed", detail[:200]
            log.warning("sms not sent", extra={"template": message.template, "detail": detail[:200]})
        session.commit()
        return message

    def deliver_due(self, session: Session, limit: int = 200) -> dict[str, int]:
        """Every queued message whose time has come (the sweep calls this)."""
        due = session.scalars(select(SmsMessage).where(SmsMessage.status == "queued",
                                                       SmsMessage.next_attempt_at <= utcnow())
                              .order_by(SmsMessage.id).limit(limit)).all()
        counts = {"sms_sent": 0, "sms_failed": 0}
        for message in due:
            status = self.deliver(session, message).status
            if status == "sent":
                counts["sms_sent"] += 1
            elif status in ("failed", "expired"):
                counts["sms_failed"] += 1
        return counts
