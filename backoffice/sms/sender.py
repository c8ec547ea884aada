"""The server's thread that sends the texts whose time has come (notices staged with a case's
change, retries, notices held over the quiet hours) within `poll_s`; the supervision sweep
sends what is left. Several processes may run one each: the gateway's claim sends a message
once."""
from __future__ import annotations

import logging
import threading
from typing import Callable

from sqlalchemy.orm import Session

from .gateway import SmsGateway

log = logging.getLogger(__name__)


class SmsSender:
    def __init__(self, sessions: Callable[[], Session], gateway: SmsGateway, poll_s: float):
        self.sessions, self.gateway, self.poll_s = sessions, gateway, poll_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sms-sender", daemon=True)

    def start(self) -> "SmsSender":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(self.poll_s):
            try:
                with self.sessions() as session:
                    self.gateway.deliver_due(session)
            except Exception:  # the database away for a moment: try again next time
                log.exception("sms delivery pass failed")
