"""Alerts reach the staff on duty, not only the fleet view: a back office with its alert
channel set to a 企业微信 group robot (an emulator of its webhook on loopback, answering
as the service does) sends each new alert once, @-mentioning the named staff, retries
what the robot refused, and never sends one twice."""
from __future__ import annotations

import json
import time
import uuid

import pytest
import requests

from demo.embedded_backoffice import EmbeddedBackoffice
from services.api import BackofficeClient
from tests.api.loopback_services import JsonService, serving

DUTY_MOBILES = ("13907560001", "13907560002")


class RobotEmulator(JsonService):
    """qyapi.weixin.qq.com/cgi-bin/webhook/send: `refuse` answers that many with the
    robot's rate-limit error first."""
    received: list[dict] = []
    refuse = 0

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if type(self).refuse > 0:
            type(self).refuse -= 1
            answer = {"errcode": 45009, "errmsg": "api freq out of limit"}
        elif "key=duty-robot" not in self.path or body.get("msgtype") != "text":
            answer = {"errcode": 93000, "errmsg": "invalid webhook url"}
        else:
            type(self).received.append(body)
            answer = {"errcode": 0, "errmsg": "ok"}
        self.answer(200, answer)


@pytest.fixture(scope="module")
def robot():
    with serving(RobotEmulator) as url:
        yield url + "cgi-bin/webhook/send?key=duty-robot"


@pytest.fixture(scope="module")
def backoffice(robot, tmp_path_factory):
    var = tmp_path_factory.mktemp("bo-alerts")
    settings = {"BACKOFFICE_ALERT_CHANNEL": f"wecom:{robot}", "BACKOFFICE_ALERT_MENTION": ",".join(DUTY_MOBILES),
                "BACKOFFICE_ALERT_POLL_S": "0.2"}
    with EmbeddedBackoffice(database=var / "backoffice.db", log_file=var / "backoffice.log",
                            environ=settings) as server:
        yield server


def wait_for(condition, what: str, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def new_terminal(backoffice) -> tuple[str, BackofficeClient]:
    token = requests.post(f"{backoffice.url}/v1/auth/token", json={"username": "admin", "password": "chengmai-demo"},
                          timeout=30).json()["access_token"]
    terminal_id = f"CM-A-{uuid.uuid4().hex[:6]}"
    made = requests.post(f"{backoffice.url}/v1/terminals", json={"id": terminal_id},
                         headers={"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex}, timeout=30)
    return terminal_id, BackofficeClient(backoffice.url, terminal_id=terminal_id, secret=made.json()["secret"])


def paper_out(client: BackofficeClient) -> None:
    client.heartbeat({"app_version": "t", "devices": {"receipt_printer": {"state": "online", "media": "out"}}})


def messages_about(terminal_id: str) -> list[dict]:
    return [m for m in RobotEmulator.received if terminal_id in m["text"]["content"]]


def test_a_new_alert_reaches_the_staff_on_duty_once(backoffice):
    terminal_id, client = new_terminal(backoffice)
    paper_out(client)
    wait_for(lambda: messages_about(terminal_id), "the robot's message")
    (message,) = messages_about(terminal_id)
    assert "打印机缺纸" in message["text"]["content"] and message["text"]["mentioned_mobile_list"] == list(DUTY_MOBILES)
    paper_out(client)  # the same alert, still open: nothing new to tell
    later_id, later = new_terminal(backoffice)
    paper_out(later)  # once this one's message is in, the notifier has passed over the first again
    wait_for(lambda: messages_about(later_id), "a later alert's message")
    assert len(messages_about(terminal_id)) == 1


def test_a_refused_send_is_tried_again_and_arrives_once(backoffice):
    RobotEmulator.refuse = 2
    terminal_id, client = new_terminal(backoffice)
    paper_out(client)
    wait_for(lambda: messages_about(terminal_id), "the message after the robot's refusals")
    assert RobotEmulator.refuse == 0 and len(messages_about(terminal_id)) == 1
