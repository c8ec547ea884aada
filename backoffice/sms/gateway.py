"""The durable send table: a message is queued once under its key (the same key queues
nothing more, so a retried request or a second server process never texts twice), then
handed to the provider by whichever process claims it first, retried with growing waits
while the fault may pass, and given up on when it cannot (a wrong number) or its moment is
gone (an expired code). Notices wait out the quiet hours (21:00-08:00 in the county,
BACKOFFICE_SMS_QUIET_HOURS); one-time codes do not. A send interrupted before its outcome was written is never tried
again: a lost notice is better than a doubled one. The phone and the parameters are
encrypted at rest; the table keeps the masked phone to show."""
from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from typing import Callable, Mapping

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain.county import CST
from domain.ids import mask_phone

from ..db import read_phase
from ..models import SmsMessage, utcnow
from .providers import SmsProvider
from .templates import NOTICE, TEMPLATES, Template

log = logging.getLogger(__name__)
FIRST_RETRY_S = 30  # then 2 min, 8 min, 32 min, about 2 h
MAX_ATTEMPTS = 6
SENDING_STALE = dt.timedelta(minutes=10)  # a claim this old was cut off mid-send
RECEIPT_WINDOW = dt.timedelta(days=3)  # receipts asked for this long after a send (the provider keeps 30 days)


@dataclass(frozen=True)
class QuietHours:
    """When no notice is sent, in the county's time; `start` after `end` spans midnight."""
    start: dt.time = dt.time(21, 0)
    end: dt.time = dt.time(8, 0)

    @classmethod
    def parse(cls, text: str) -> "QuietHours | None":
        """"21:00-08:00" (BACKOFFICE_SMS_QUIET_HOURS); "" for none."""
        if not text.strip():
            return None
        start, end = (dt.time.fromisoformat(part.strip()) for part in text.split("-", 1))
        return cls(start, end)

    def holds(self, local: dt.time) -> bool:
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def release(self, moment: dt.datetime) -> dt.datetime:
        """`moment` (naive UTC), or the end of the quiet hours it falls in."""
        local = moment.replace(tzinfo=dt.timezone.utc).astimezone(CST)
        if not self.holds(local.time()):
            return moment
        day = local.date() if local.time() < self.end else local.date() + dt.timedelta(days=1)
        return dt.datetime.combine(day, self.end, tzinfo=CST).astimezone(dt.timezone.utc).replace(tzinfo=None)


class SmsGateway:
    def __init__(self, provider: SmsProvider, vault, quiet: QuietHours | None = QuietHours(),
                 on_sent: Callable[[Session, SmsMessage], None] | None = None):
        self.provider, self.vault, self.quiet = provider, vault, quiet
        self.on_sent = on_sent  # what else a sent message writes, in its transaction (notices.on_sent)

    def _not_before(self, template: Template, moment: dt.datetime) -> dt.datetime:
        return self.quiet.release(moment) if self.quiet is not None and template.kind == NOTICE else moment

    def queue(self, session: Session, key: str, phone: str, template: Template, params: Mapping[str, str],
              language: str = "zh_CN", expires_at: dt.datetime | None = None) -> SmsMessage:
        """The message under `key`, queued now unless it already was. Commits."""
        found = session.scalar(select(SmsMessage).where(SmsMessage.key == key))
        if found is not None:
            return found
        message = self.stage(session, key, phone, template, params, language, expires_at=expires_at)
        try:
            session.commit()
        except IntegrityError:  # another process queued the same key meanwhile
            session.rollback()
            found = session.scalar(select(SmsMessage).where(SmsMessage.key == key))
            assert found is not None
            return found
        return message

    def stage(self, session: Session, key: str, phone: str, template: Template, params: Mapping[str, str],
              language: str = "zh_CN", *, expires_at: dt.datetime | None = None, case_id: int | None = None,
              event: str = "") -> SmsMessage:
        """A new message added to the session's transaction, sent once it commits (a case's
        notice goes with the case's change, or not at all). Its key must be new: a second
        one fails the commit."""
        template.check(params)
        now = utcnow()
        message = SmsMessage(key=key, template=template.name, language=language, case_id=case_id, event=event,
                             phone_enc=self.vault.encrypt(phone, "sms-phone"), phone_masked=mask_phone(phone),
                             params_enc=self.vault.encrypt(json.dumps(dict(params)), "sms-params"),
                             next_attempt_at=self._not_before(template, now),
                             expires_at=expires_at)
        session.add(message)
        return message

    def deliver(self, session: Session, message: SmsMessage) -> SmsMessage:
        """One try now, by this process alone: sent, retried later, or given up. Commits."""
        now = utcnow()
        if message.status != "queued":
            return message
        if message.expires_at is not None and now >= message.expires_at:
            message.status = "expired"
            session.commit()
            return message
        template = TEMPLATES[message.template]
        if message.case_id is not None and session.scalar(select(SmsMessage.id).where(
                SmsMessage.case_id == message.case_id, SmsMessage.id < message.id,
                SmsMessage.status.in_(("queued", "sending"))).limit(1)) is not None:
            return message  # a case's texts arrive in the order its steps happened
        if self._not_before(template, now) > now:  # queued before the quiet hours began
            message.next_attempt_at = self._not_before(template, now)
            session.commit()
            return message
        claimed = session.execute(update(SmsMessage).where(SmsMessage.id == message.id, SmsMessage.status == "queued")
                                  .values(status="sending", next_attempt_at=now)).rowcount
        session.commit()
        session.refresh(message)
        if claimed != 1:  # another process has it
            return message
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
        message.status = "queued"
        if result_ok:
            message.status, message.sent_at, message.provider_id, message.last_error = "sent", now, provider_id, ""
            if self.on_sent is not None:
                self.on_sent(session, message)
        elif retry and message.attempts < MAX_ATTEMPTS:
            message.next_attempt_at = now + dt.timedelta(seconds=FIRST_RETRY_S * 4 ** (message.attempts - 1))
            message.last_error = detail[:200]
        else:
            message.status, message.last_error = "failed", detail[:200]
            log.warning("sms not sent", extra={"template": message.template, "detail": detail[:200]})
        session.commit()
        return message

    def collect_receipts(self, session: Session, limit: int = 200) -> int:
        """Asks the provider for the receipts of messages sent in the last RECEIPT_WINDOW whose
        delivery is not yet known (the sweep); returns how many became known."""
        with read_phase(session):
            waiting = session.scalars(select(SmsMessage).where(
                SmsMessage.status == "sent", SmsMessage.receipt == "", SmsMessage.provider_id != "",
                SmsMessage.sent_at > utcnow() - RECEIPT_WINDOW).order_by(SmsMessage.id).limit(limit)).all()
        known = 0
        for message in waiting:
            assert message.sent_at is not None
            phone = self.vault.decrypt(message.phone_enc, "sms-phone")
            receipt = self.provider.receipt(phone, message.provider_id, message.sent_at)
            if receipt is None or receipt.state == "waiting":
                continue
            message.receipt, message.delivered_at = receipt.state, receipt.at if receipt.state == "delivered" else None
            if receipt.state == "undelivered":
                message.last_error = f"carrier: {receipt.detail}"[:200]
            known += 1
        if known:
            session.commit()
        return known

    def deliver_due(self, session: Session, limit: int = 200) -> dict[str, int]:
        """Every queued message whose time has come (the sweep and the sender thread)."""
        cut_off = (SmsMessage.status == "sending") & (SmsMessage.next_attempt_at < utcnow() - SENDING_STALE)
        with read_phase(session):  # a pass with nothing to do writes nothing (it runs every few seconds)
            stale = session.scalar(select(SmsMessage.id).where(cut_off).limit(1))
            due = session.scalars(select(SmsMessage).where(SmsMessage.status == "queued",
                                                           SmsMessage.next_attempt_at <= utcnow())
                                  .order_by(SmsMessage.id).limit(limit)).all()
        if stale is not None:
            session.execute(update(SmsMessage).where(cut_off)
                            .values(status="failed", last_error="cut off while sending: not sent again"))
            session.commit()
        counts = {"sms_sent": 0, "sms_failed": 0}
        for message in due:
            status = self.deliver(session, message).status
            if status == "sent":
                counts["sms_sent"] += 1
            elif status in ("failed", "expired"):
                counts["sms_failed"] += 1
        return counts
