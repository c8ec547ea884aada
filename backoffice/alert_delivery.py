"""Alerts delivered to named staff, not only shown to whoever opens the fleet view: through
a 企业微信 group robot (the message @-mentions the staff on duty by their mobile numbers) or
a generic webhook, chosen by BACKOFFICE_ALERT_CHANNEL.

Each alert is sent once: a process claims it with one UPDATE (so several server processes
never send it twice), a failed send gives the claim back and counts a try, and after
MAX_ATTEMPTS the alert stays in the fleet view only. A thread of each server process
(poller.py) sends within `alert_poll_s` of the alert; the sweep sends what is left."""
from __future__ import annotations

import json
import logging
from abc import ABC, abstractmethod

import requests
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .models import Alert, utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BATCH = 15  # a robot takes 20 messages a minute
KIND_NAMES = {"terminal_silent": "终端失联", "paper_out": "打印机缺纸", "disk_low": "终端磁盘不足",
              "device_not_ready": "终端设备故障", "case_overdue": "办件超期",
              "terminal_citizen_limit": "终端异常申请验证码", "calendar_year_missing": "工作日历即将用尽"}
PREFIX = "【澄迈县政务服务自助终端】"


class AlertChannel(ABC):
    name = ""

    @abstractmethod
    def send(self, alert: Alert) -> bool:
        """True when the channel took the message."""


def text_of(alert: Alert) -> str:
    """What staff read: the kind, its subject (a terminal id or a case number) and the
    message; alerts carry nothing personal."""
    kind = KIND_NAMES.get(alert.kind, alert.kind)
    return f"{PREFIX}{kind}：{alert.subject}。{alert.message}"[:600]


class WeComRobot(AlertChannel):
    """企业微信群机器人: a text message to the group, @-mentioning the staff on duty."""

    name = "wecom"

    def __init__(self, webhook_url: str, mention_mobiles: tuple[str, ...] = (), timeout_s: float = 5.0):
        self.webhook_url, self.mention_mobiles, self.timeout_s = webhook_url, list(mention_mobiles), timeout_s

    def send(self, alert: Alert) -> bool:
        body = {"msgtype": "text", "text": {"content": text_of(alert), "mentioned_mobile_list": self.mention_mobiles}}
        try:
            answer = requests.post(self.webhook_url, json=body, timeout=self.timeout_s)
            return answer.status_code == 200 and answer.json().get("errcode") == 0
        except (requests.RequestException, ValueError, AttributeError):
            return False


class Webhook(AlertChannel):
    """A JSON POST to the county's own alerting (or a chat bridge): 2xx is taken."""

    name = "webhook"

    def __init__(self, url: str, timeout_s: float = 5.0):
        self.url, self.timeout_s = url, timeout_s

    def send(self, alert: Alert) -> bool:
        body = {"kind": alert.kind, "subject": alert.subject, "message": alert.message, "text": text_of(alert),
                "raised_at": alert.raised_at.isoformat() + "Z"}
        try:
            return 200 <= requests.post(self.url, data=json.dumps(body, ensure_ascii=False).encode(),
                                        headers={"Content-Type": "application/json"},
                                        timeout=self.timeout_s).status_code < 300
        except requests.RequestException:
            return False


def channel_from_settings(settings) -> AlertChannel | None:
    choice = settings.alert_channel
    if choice.startswith("wecom:"):
        return WeComRobot(choice.split(":", 1)[1], settings.alert_mention_mobiles)
    if choice.startswith("webhook:"):
        return Webhook(choice.split(":", 1)[1])
    if choice in ("", "none"):
        return None
    raise ValueError(f"unknown alert channel {choice!r}: wecom:URL, webhook:URL or none")


def deliver_pending(session: Session, channel: AlertChannel | None) -> int:
    """Sends the alerts not yet told to staff; returns how many were sent."""
    if channel is None:
        return 0
    waiting = session.scalars(select(Alert.id).where(Alert.notified_at.is_(None), Alert.cleared_at.is_(None),
                                                     Alert.notify_attempts < MAX_ATTEMPTS)
                              .order_by(Alert.id).limit(BATCH)).all()
    session.commit()
    sent = 0
    for alert_id in waiting:
        claimed = session.execute(update(Alert).where(Alert.id == alert_id, Alert.notified_at.is_(None))
                                  .values(notified_at=utcnow())).rowcount
        session.commit()
        if claimed != 1:
            continue  # another process has it
        alert = session.get(Alert, alert_id)
        if alert is None:
            continue
        if channel.send(alert):
            sent += 1
            log.info("alert delivered", extra={"kind": alert.kind, "subject": alert.subject, "channel": channel.name})
        else:
            alert.notified_at, alert.notify_attempts = None, alert.notify_attempts + 1
            log.warning("alert not delivered", extra={"kind": alert.kind, "attempts": alert.notify_attempts,
                                                      "channel": channel.name})
        session.commit()
    return sent

