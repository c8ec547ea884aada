"""The outbox under the failures a county network and a kiosk really have, against the real
back office over HTTP: the back office killed and restarted during a stream of
submissions, the line cut after the server answered, the kiosk process SIGKILLed while
writing. Afterwards every submission exists in the back office exactly once and nothing is
left in the outbox."""
from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import threading
import time
import uuid

import pytest
import requests

from kiosk.demo import latest_code
from kiosk.paths import REPO_ROOT
from services.api import BackofficeClient
from services.deliveries import APPLICATION, GRANT, RATING, deliverers
from services.outbox import Outbox, load_or_create_key
from services.outbox_sender import DELIVERED, QUEUED, REFUSED, Backoff, OutboxSender
from tests.e2e.outbox_support import FOOD, applicant, application_for
from tests.netfault import CUT_ANSWER, PASS, REFUSE, UNAVAILABLE, FaultyLink
from tests.waiting import wait_until

TERMINAL = "CM-KIOSK-0001"
DEMO_PASSWORD = "chengmai-demo"
FAST = Backoff(base_s=0.05, cap_s=0.5)




@pytest.fixture(scope="module")
def guide(backoffice):
    return BackofficeClient(backoffice.url).guide(FOOD)


@pytest.fixture
def link(backoffice):
    faulty = FaultyLink(backoffice.port)
    yield faulty
    faulty.close()


@pytest.fixture
def kiosk_side(tmp_path, backoffice, link):
    """The kiosk's half: a signed client through the faulty link, the outbox, the sender."""
    secret = backoffice.terminal_secret_file.read_text().strip()
    api = BackofficeClient(link.url, timeout=2, terminal_id=TERMINAL, secret=secret)
    outbox = Outbox(tmp_path / "var" / "outbox.sqlite", load_or_create_key(tmp_path / "etc" / "outbox.key"),
                    terminal_id=TERMINAL)
    sender = OutboxSender(outbox, deliverers(api), FAST, idle_poll_s=0.2)
    yield api, outbox, sender
    sender.stop()
    outbox.close()


def clerk(backoffice) -> dict[str, str]:
    token = requests.post(f"{backoffice.url}/v1/auth/token", json={"username": "clerk01", "password": DEMO_PASSWORD},
                          timeout=10).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def window_case(backoffice, guide, person) -> str:
    """A case received by a clerk at the window, the applicant there in person."""
    answer = requests.post(f"{backoffice.url}/v1/cases", json=application_for(guide, person), timeout=10,
                           headers={**clerk(backoffice), "Idempotency-Key": uuid.uuid4().hex})
    assert answer.status_code == 201, answer.text
    return answer.json()["case"]["number"]


def cases_of(backoffice, person) -> list:
    """As a clerk sees them (a terminal sees a citizen's cases only under their grant)."""
    answer = requests.post(f"{backoffice.url}/v1/cases/search", json={"applicant": person["document_number"]},
                           headers=clerk(backoffice), timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()["cases"]


def put(outbox, guide, n):
    person = applicant(n)
    return outbox.put(APPLICATION, application_for(guide, person), f"chaos-{n}", applicant=person["document_number"])


def test_delivered_while_the_citizen_waits(kiosk_side, guide, backoffice):
    _, outbox, sender = kiosk_side
    delivery = sender.deliver_now(put(outbox, guide, 1))
    assert delivery.status == DELIVERED
    case, receipt = delivery.value
    assert receipt.case_number == case.number
    assert outbox.get(delivery.item.id).case_number == case.number
    assert [c["number"] for c in cases_of(backoffice, applicant(1))] == [case.number]
    assert outbox.stats()["pending"] == 0


def test_lost_answer_is_retried_into_the_same_case(kiosk_side, guide, backoffice, link):
    """The server created the case, the line was cut before the answer: the citizen gets a
    queued receipt; the retry with the same key replays the answer, no second case."""
    _, outbox, sender = kiosk_side
    link.mode = CUT_ANSWER
    delivery = sender.deliver_now(put(outbox, guide, 2))
    assert delivery.status == QUEUED and link.cut_answers >= 1
    assert len(cases_of(backoffice, applicant(2))) == 1  # it did reach the server
    link.mode = PASS
    sender.start()
    assert wait_until(lambda: outbox.stats()["pending"] == 0)
    assert len(cases_of(backoffice, applicant(2))) == 1
    assert outbox.get(delivery.item.id).case_number == cases_of(backoffice, applicant(2))[0]["number"]


def test_network_down_then_back_delivers_everything_in_order(kiosk_side, guide, backoffice, link):
    _, outbox, sender = kiosk_side
    link.mode = REFUSE
    items = [put(outbox, guide, n) for n in range(10, 15)]
    assert sender.deliver_now(items[-1]).status == QUEUED
    assert outbox.stats()["pending"] == 5
    assert all(cases_of(backoffice, applicant(n)) == [] for n in range(10, 15))
    link.mode = PASS
    sender.start()
    sender.nudge()
    assert wait_until(lambda: outbox.stats()["pending"] == 0)
    numbers = [outbox.get(i.id).case_number for i in items]
    assert numbers == sorted(numbers)  # case numbers are issued in the order they were kept
    for n in range(10, 15):
        assert len(cases_of(backoffice, applicant(n))) == 1


def test_poisoned_item_is_parked_and_does_not_block_the_rest(kiosk_side, guide, backoffice):
    _, outbox, sender = kiosk_side
    first = put(outbox, guide, 20)
    broken = application_for(guide, applicant(21))
    broken["item_code"] = "469023-NO-SUCH-9999"
    poisoned = outbox.put(APPLICATION, broken, "chaos-21", applicant=applicant(21)["document_number"])
    last = put(outbox, guide, 22)
    sender.start()
    assert wait_until(lambda: outbox.stats()["pending"] == 0)
    assert outbox.get(poisoned.id).state == "parked"
    assert outbox.get(poisoned.id).last_error.startswith(("404", "422"))
    assert outbox.stats()["parked"] == 1
    assert outbox.get(first.id).case_number and outbox.get(last.id).case_number
    assert cases_of(backoffice, applicant(21)) == []


def test_a_proxy_answering_503_holds_the_line_and_parks_nothing(kiosk_side, guide, backoffice, link):
    """While the county's proxy answers 503 (the back office restarting, overloaded), every
    item would fail alike: they wait in order however long it lasts, and none is parked."""
    _, outbox, sender = kiosk_side
    link.mode = UNAVAILABLE
    items = [put(outbox, guide, n) for n in (40, 41, 42)]
    for _ in range(FAST.max_attempts + 3):
        sender.flush()
        wait_until(lambda: outbox.get(items[0].id).next_attempt_at <= time.time(), timeout=2)
    assert outbox.stats()["parked"] == 0 and outbox.stats()["pending"] == 3
    assert outbox.get(items[0].id).attempts > FAST.max_attempts  # tried all along, never given up
    assert outbox.get(items[1].id).attempts == 0  # the line was down: the ones behind waited their turn
    link.mode = PASS
    sender.start()
    assert wait_until(lambda: outbox.stats()["pending"] == 0)
    assert all(len(cases_of(backoffice, applicant(n))) == 1 for n in (40, 41, 42))


def test_a_bug_while_delivering_one_item_counts_against_it_not_the_queue(kiosk_side, guide):
    """An unexpected exception in one delivery used to escape the pass and leave that item
    first in line for ever: it now counts as that item's failed attempt, parks after the
    limit, and the items behind it are delivered."""
    _, outbox, sender = kiosk_side

    def broken(_payload, _key):
        raise KeyError("a deliverer's bug")

    sender.deliverers = {**sender.deliverers, "broken": broken}
    bad = outbox.put("broken", {"x": 1}, "chaos-broken")
    good = put(outbox, guide, 43)
    for _ in range(FAST.max_attempts + 2):
        sender.flush()
        wait_until(lambda: (outbox.get(bad.id).state != "pending"
                            or outbox.get(bad.id).next_attempt_at <= time.time()), timeout=2)
    assert outbox.get(bad.id).state == "parked" and "KeyError" in outbox.get(bad.id).last_error
    assert outbox.get(good.id).case_number


def test_refusal_goes_back_to_the_citizen_who_is_still_there(kiosk_side, guide):
    _, outbox, sender = kiosk_side
    broken = application_for(guide, applicant(30))
    broken["answers"] = {}
    item = outbox.put(APPLICATION, broken, "chaos-30", applicant=applicant(30)["document_number"])
    delivery = sender.deliver_now(item)
    assert delivery.status == REFUSED and delivery.error.status in (400, 422)
    assert outbox.stats() == {"pending": 0, "parked": 0, "oldest_pending_s": None,
                              "last_error": ""}  # nothing left to send: the citizen corrects it


def test_rating_already_given_counts_as_delivered(kiosk_side, guide, backoffice):
    api, outbox, sender = kiosk_side
    number = window_case(backoffice, guide, applicant(40))  # the phone given there is on file
    ref = uuid.uuid4().hex  # the citizen confirms it is them, as at the glass
    sent = api.request_code(ref, applicant(40)["document_number"], applicant(40)["name"], "zh_CN")
    grant = api.redeem_code(ref, sent["challenge"], latest_code(backoffice.phone_inbox))["grant"]
    api.end_grant(grant, "finish")  # the session is over before the outbox delivers
    rating = {"number": number, "level": 5, "reasons": [], "comment": "", GRANT: grant}
    first = sender.deliver_now(outbox.put(RATING, rating, "rate-40a"))
    again = sender.deliver_now(outbox.put(RATING, rating, "rate-40b"))  # another key: a second rating
    assert first.status == DELIVERED and first.value[0] == "stored"
    assert again.status == DELIVERED and again.value[0] in ("already", "stored")
    assert outbox.stats()["pending"] == 0 and outbox.stats()["parked"] == 0


def test_back_office_killed_and_restarted_during_a_stream(kiosk_side, guide, backoffice):
    _, outbox, sender = kiosk_side
    sender.start()
    numbers = range(100, 130)
    killed = threading.Event()

    def stream():
        for n in numbers:
            sender.deliver_now(put(outbox, guide, n), wait_s=3)
            if n == 110:
                backoffice._process.send_signal(signal.SIGKILL)  # no goodbye, mid-stream
                backoffice._process.wait()
                killed.set()

    producer = threading.Thread(target=stream)
    producer.start()
    assert killed.wait(120)
    time.sleep(0.5)  # a few submissions meet a dead server
    backoffice.start()
    producer.join(180)
    sender.nudge()
    assert wait_until(lambda: outbox.stats()["pending"] == 0, timeout=120)
    assert outbox.stats()["parked"] == 0
    for n in numbers:
        assert len(cases_of(backoffice, applicant(n))) == 1, n


def test_kiosk_killed_mid_write_loses_and_duplicates_nothing(tmp_path, backoffice, guide):
    guide_file = tmp_path / "guide.json"
    guide_file.write_text(json.dumps(guide, ensure_ascii=False))
    outbox_path, key_file = tmp_path / "var" / "outbox.sqlite", tmp_path / "etc" / "outbox.key"
    start, kept = 200, []
    for round_ in range(3):
        child = subprocess.Popen(
            [sys.executable, "-m", "tests.e2e.outbox_writer", str(outbox_path), str(key_file), backoffice.url,
             str(backoffice.terminal_secret_file), str(guide_file), str(start), "50"],
            cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
        for _ in range(random.randint(2, 5)):
            line = child.stdout.readline()
            assert line, "the writer stopped before it was killed"
            kept.append(int(line.split()[0]))
        child.send_signal(signal.SIGKILL)  # in the middle of the next put or its delivery
        child.wait()
        child.stdout.close()
        start = kept[-1] + 10  # the next round's applicants are new
    outbox = Outbox(outbox_path, load_or_create_key(key_file), terminal_id=TERMINAL)
    secret = backoffice.terminal_secret_file.read_text().strip()
    sender = OutboxSender(outbox, deliverers(BackofficeClient(backoffice.url, timeout=5, terminal_id=TERMINAL,
                                                              secret=secret)), FAST)
    assert wait_until(lambda: sender.flush() >= 0 and outbox.stats()["pending"] == 0)
    stored = {i for i in range(200, start + 50) if len(cases_of(backoffice, applicant(i))) == 1}
    assert set(kept) <= stored  # everything a citizen was told was kept reached the county
    for n in range(200, start + 50):
        assert len(cases_of(backoffice, applicant(n))) <= 1, n
    kept_rows = outbox.pending() + outbox.parked()
    assert kept_rows == []
    assert len({i.case_number for i in outbox_rows(outbox)}) == len(stored)  # one row, one case
    outbox.close()


def outbox_rows(outbox):
    import sqlite3
    db = sqlite3.connect(outbox.path)
    ids = [r[0] for r in db.execute("SELECT id FROM items")]
    db.close()
    return [outbox.get(i) for i in ids]
