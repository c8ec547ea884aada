"""A kiosk whose clock is ten minutes off still gets its signed requests accepted by the real
back office: the client learns the server's time and signs with it."""
from __future__ import annotations

import logging
import time

import pytest
import requests

from services.api import BackofficeClient, TerminalSignature
from services.transport import ServerClock

TERMINAL = "CM-KIOSK-0001"
WANG = "469023195801041234"
TEN_MINUTES = 600


def _client(backoffice, skew_s: float, statuses: list[int]) -> BackofficeClient:
    """A client whose local clock is skew_s off; statuses collects every first answer
    (the hook runs before the transport's, so it sees a stale refusal before its retry)."""
    session = requests.Session()
    session.hooks["response"].append(lambda response, **_: statuses.append(response.status_code))
    return BackofficeClient(backoffice.url, timeout=10, session=session, terminal_id=TERMINAL,
                            secret=backoffice.terminal_secret_file.read_text(),
                            clock=ServerClock(local=lambda: time.time() + skew_s))


def test_the_back_office_refuses_a_request_signed_ten_minutes_late(backoffice):
    """The control: without the client's correction the skew is fatal."""
    session = requests.Session()
    session.auth = TerminalSignature(TERMINAL, backoffice.terminal_secret_file.read_text(),
                                     clock=lambda: time.time() - TEN_MINUTES)
    answer = session.post(f"{backoffice.url}/v1/cases/search", json={"applicant": WANG}, timeout=10)
    assert answer.status_code == 401
    assert "stale timestamp" in answer.text


@pytest.mark.parametrize("skew_s", [-TEN_MINUTES, TEN_MINUTES])
def test_a_kiosk_clock_ten_minutes_off_is_corrected_after_one_refusal(backoffice, skew_s, caplog):
    statuses: list[int] = []
    client = _client(backoffice, skew_s, statuses)
    with caplog.at_level(logging.WARNING, logger="services.transport"):
        assert client.whoami()  # refused as stale, re-signed with the server's time, accepted
        assert client.whoami()  # the offset is kept: accepted at once
    client.close()
    assert statuses == [401, 200]
    assert abs(client.clock.offset_s + skew_s) < 3  # learnt from whole-second Date headers
    warnings = [r for r in caplog.records if r.name == "services.transport"]
    assert len(warnings) == 1 and warnings[0].offset_s == pytest.approx(-skew_s, abs=3)


def test_the_heartbeats_server_time_sets_the_offset_before_any_refusal(backoffice):
    statuses: list[int] = []
    client = _client(backoffice, -TEN_MINUTES, statuses)
    client.note_server_time(time.time())  # what the heartbeat worker passes on
    assert client.whoami()
    client.close()
    assert statuses == [200]


def test_an_unsigned_client_learns_the_offset_from_the_date_header(backoffice):
    client = BackofficeClient(backoffice.url, timeout=10, clock=ServerClock(local=lambda: time.time() + 90))
    client.health()
    client.close()
    assert abs(client.clock.offset_s + 90) < 3


def test_the_readiness_report_shows_the_clock_offset(backoffice):
    from kiosk.diag.report import _clock_line
    from kiosk.ops.readiness import Verdict, check_backoffice

    check = check_backoffice(backoffice.url, 10)
    assert check.verdict is Verdict.READY
    assert check.clock_offset_s is not None and abs(check.clock_offset_s) < 3  # the same machine's clock
    assert _clock_line(check)[0].startswith("Clock: the kiosk is ")


def test_the_readiness_report_refuses_plain_http_beyond_loopback():
    from kiosk.ops.readiness import Verdict, check_backoffice

    check = check_backoffice("http://192.0.2.1:8700", 1)
    assert check.verdict is Verdict.NOT_READY and not check.reachable
    assert "allow_plain_http" in check.reason
