"""Several back-office processes on one PostgreSQL are one back office: two real servers on
one database, the first a single process, the second `serve --workers 2`, both started
together with `--migrate`. Whatever must hold across processes is proven by sending one
part of a story to one server and the next part to the other: a signed request replayed
at the other server, an Idempotency-Key retried there, submissions to both at once, the
supervision sweep's lease, a presence code sent by one and typed back at the other, the
limits on codes and sign-ins counted across both."""
from __future__ import annotations

import datetime as dt
import json
import socket
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import create_engine, text

from demo.embedded_backoffice import EmbeddedBackoffice
from domain.signing import HEADER_PRESENCE_GRANT
from kiosk.demo import latest_code
from services.api import TerminalSignature
from tests.api.conftest import DEMO_PASSWORD, TERMINAL, Api
from tests.api.database import execute_sql, query
from tests.api.metrics_scrape import heartbeats_counted
from tests.api.submissions import WANG, application
from tests.api.together import started_together
from tests.waiting import wait_until

LI = "469023198501010026"  # a demo citizen with a mobile number on file, used only by the limits' test
CHEN = "460027197208150057"  # another, used only by the test of limits asked for all at once
CODES_PER_CITIZEN_HOUR = 4
ITEM = "469023-XK-SCJG-0031"
HEARTBEAT = json.dumps({"app_version": "0.1.0", "uptime_s": 60, "devices": {}}).encode()


@pytest.fixture(scope="module")
def servers(postgres_server, tmp_path_factory):
    var = tmp_path_factory.mktemp("multiprocess")  # one var dir: the same keys, secrets and phone
    url = postgres_server.create_database("multiprocess")
    environ = {"BACKOFFICE_PRESENCE_CODES_PER_CITIZEN_HOUR": str(CODES_PER_CITIZEN_HOUR)}
    one = EmbeddedBackoffice(database=var / "unused.db", database_url=url, log_file=var / "one.log", environ=environ)
    two = EmbeddedBackoffice(database=var / "unused.db", database_url=url, log_file=var / "two.log", environ=environ,
                             seed_demo=False, workers=2)
    with started_together(one, two):
        yield one, two


def terminal_api(server) -> Api:
    http = requests.Session()
    http.auth = TerminalSignature(TERMINAL, server.terminal_secret_file.read_text())
    return Api(server.url, http)


@pytest.fixture(scope="module")
def terminals(servers) -> tuple[Api, Api]:
    return terminal_api(servers[0]), terminal_api(servers[1])


def code_for(via: Api, id_number: str, ref: str) -> requests.Response:
    return via.post("/v1/presence/codes", {"session": ref, "id_number": id_number}, key=None)


def grant_across(servers, terminals, id_number: str) -> str:
    """A code asked for at the first server and typed back at the second."""
    ref = uuid.uuid4().hex
    sent = code_for(terminals[0], id_number, ref)
    assert sent.status_code == 201, sent.text
    got = terminals[1].post("/v1/presence/grants", {"session": ref, "challenge": sent.json()["challenge"],
                                                    "code": latest_code(servers[0].phone_inbox)}, key=None)
    assert got.status_code == 201, got.text
    return got.json()["grant"]


@pytest.fixture(scope="module")
def submission(servers, terminals):
    """(body, headers) of 王建国's application under his grant."""
    guide = requests.get(f"{servers[0].url}/v1/catalogue/items/{ITEM}", timeout=10).json()
    return application(guide, WANG), {HEADER_PRESENCE_GRANT: grant_across(servers, terminals, WANG["document_number"])}


def together(*calls):
    """Runs the calls at the same moment, one thread each; their results in order."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def cases_count(server) -> int:
    return query(server, "SELECT count(*) FROM cases")[0][0]


def test_serve_workers_runs_that_many_processes_on_the_database(servers):
    one, two = servers
    workers = two.worker_pids()
    assert len(workers) == 2 and two.pid not in workers
    with ThreadPoolExecutor(16) as pool:  # new connections each, taken by whichever worker accepts first
        assert set(pool.map(lambda _: requests.get(two.url + "/health", timeout=10).status_code, range(64))) == {200}
    host = socket.gethostname()
    expected = {f"backoffice {host}:{pid}"[:63] for pid in [one.pid, *workers]}
    # The server answered once one worker was up; each connects (its text sender's pass) once started.
    wait_until(lambda: expected <= {name for (name,) in query(one, "SELECT application_name FROM pg_stat_activity")},
               "every server process connected to PostgreSQL")


def test_a_signed_request_replayed_at_the_other_process_is_refused(servers, terminals):
    http = requests.Session()
    for first, other in (servers, servers[::-1]):
        signed = requests.Request("POST", first.url + "/v1/terminals/heartbeat", data=HEARTBEAT,
                                  headers={"Content-Type": "application/json"},
                                  auth=TerminalSignature(TERMINAL, first.terminal_secret_file.read_text())).prepare()
        assert http.send(signed, timeout=10).status_code == 200
        replay = signed.copy()
        replay.url = other.url + "/v1/terminals/heartbeat"
        refused = http.send(replay, timeout=10)
        assert refused.status_code == 401 and "replayed" in refused.json()["detail"]


def test_a_signed_request_sent_to_both_at_once_is_served_once(servers):
    secret = servers[0].terminal_secret_file.read_text()
    for _ in range(5):
        signed = requests.Request("POST", servers[0].url + "/v1/terminals/heartbeat", data=HEARTBEAT,
                                  headers={"Content-Type": "application/json"},
                                  auth=TerminalSignature(TERMINAL, secret)).prepare()
        copy = signed.copy()
        copy.url = servers[1].url + "/v1/terminals/heartbeat"
        statuses = together(*(lambda r=r: requests.Session().send(r, timeout=10).status_code for r in (signed, copy)))
        assert sorted(statuses) == [200, 401]


def test_an_idempotency_key_retried_at_the_other_process_answers_the_first_case(servers, terminals, submission):
    body, headers = submission
    key = uuid.uuid4().hex
    before = cases_count(servers[0])
    first = terminals[0].post("/v1/cases", body, key=key, headers=headers)
    assert first.status_code == 201, first.text
    retried = terminals[1].post("/v1/cases", body, key=key, headers=headers)
    assert retried.status_code == 201 and retried.headers.get("Idempotent-Replayed") == "true"
    assert retried.json()["case"]["number"] == first.json()["case"]["number"]
    assert cases_count(servers[0]) == before + 1


def test_an_idempotency_key_sent_to_both_at_once_makes_one_case(servers, terminals, submission):
    body, headers = submission
    before = cases_count(servers[0])
    rounds = 6
    for _ in range(rounds):
        key = uuid.uuid4().hex
        answers = together(*(lambda api=api: api.post("/v1/cases", body, key=key, headers=headers)
                             for api in terminals))
        assert [a.status_code for a in answers] == [201, 201], [a.text for a in answers]
        assert answers[0].json()["case"]["number"] == answers[1].json()["case"]["number"]
    assert cases_count(servers[0]) == before + rounds


def test_case_numbers_never_collide_under_submissions_to_both(servers, submission):
    body, headers = submission
    apis = [terminal_api(server) for server in servers for _ in range(6)]  # a connection per thread
    per_api = 4

    def submit_from(api: Api) -> list[tuple[int, str]]:
        out = []
        for _ in range(per_api):
            answer = api.post("/v1/cases", body, headers=headers)
            out.append((answer.status_code, answer.json().get("case", {}).get("number", answer.text)))
        return out

    answers = [a for batch in together(*(lambda api=api: submit_from(api) for api in apis)) for a in batch]
    assert {status for status, _ in answers} == {201}, answers
    numbers = [number for _, number in answers]
    assert len(set(numbers)) == len(apis) * per_api
    assert query(servers[0], "SELECT number FROM cases GROUP BY number HAVING count(*) > 1") == []


def test_the_audit_chain_stays_one_under_submissions_and_sign_ins_at_both(servers, submission):
    """A submission locks the audit chain's head in the statement that numbers its case and
    appends its entry in the one that writes the case; a sign-in locks and appends on its
    own. Both, at both servers at once: every entry follows exactly one other, each case
    has its one entry, and the chain verifies."""
    body, headers = submission
    apis = [terminal_api(server) for server in servers for _ in range(3)]

    def submit_from(api: Api) -> list[str]:
        return [api.post("/v1/cases", body, headers=headers).json()["case"]["number"] for _ in range(4)]

    def sign_in_at(server) -> int:
        return sum(bool(staff_token(server, name)) for name in ("admin", "supervisor01") * 3)

    done = together(*(lambda api=api: submit_from(api) for api in apis),
                    *(lambda server=server: sign_in_at(server) for server in servers))
    numbers = [number for batch in done[:len(apis)] for number in batch]
    assert len(set(numbers)) == len(apis) * 4 and done[len(apis):] == [6, 6]
    assert query(servers[0], "SELECT prev_hash FROM audit_log GROUP BY prev_hash HAVING count(*) > 1") == []
    entries = query(servers[0], "SELECT subject FROM audit_log WHERE action = 'case.submit'")
    assert sorted(subject for (subject,) in entries if subject in set(numbers)) == sorted(numbers)
    verdict = requests.get(f"{servers[1].url}/v1/audit/verify", headers=staff_token(servers[1], "admin"), timeout=60)
    assert verdict.json()["intact"] is True, verdict.text


def test_queue_tickets_never_collide_under_check_ins_at_both(servers, terminals):
    """Twenty-four citizens booked for the same window check in at once, half at each
    server: twenty-four different tickets, A001 to A024 with none skipped."""
    slot = (dt.datetime.now(dt.timezone(dt.timedelta(hours=8))) + dt.timedelta(minutes=10)).replace(microsecond=0)
    tokens = []
    for n in range(24):
        booked = terminals[0].post("/v1/appointments", {
            "item_code": "469023-XK-SCJG-0002", "slot_start": slot.isoformat(),
            "applicant": {"document_number": f"46902319900101{n:04d}", "name": f"排队{n}"}})
        assert booked.status_code == 201, booked.text
        tokens.append(booked.json()["token"])
    apis = [terminal_api(server) for server in servers for _ in range(6)]  # a connection per thread

    def check_in(api: Api, mine: list[str]) -> list[tuple[int, str]]:
        out = []
        for token in mine:
            answer = api.post("/v1/appointments/check-in", {"token": token}, key=None)
            out.append((answer.status_code, answer.json().get("ticket_number", answer.text)))
        return out

    shares = [tokens[i::len(apis)] for i in range(len(apis))]
    answers = [a for batch in together(*(lambda api=api, mine=mine: check_in(api, mine)
                                         for api, mine in zip(apis, shares))) for a in batch]
    assert {status for status, _ in answers} == {200}, answers
    tickets = sorted(ticket for _, ticket in answers)
    letter = tickets[0][0]
    assert tickets == [f"{letter}{n:03d}" for n in range(1, 25)], tickets


def test_a_heartbeat_never_waits_behind_a_submissions_transaction(servers, terminals, submission):
    """A submission holds the audit chain's head and the day's case counter until it
    commits. Held here by another transaction: a submission waits for them, and meanwhile
    heartbeats at both servers are answered."""
    body, headers = submission
    engine = create_engine(servers[0].database_url)
    try:
        with engine.connect() as holder:
            holder.execute(text("SELECT last_hash FROM audit_head WHERE id = 1 FOR UPDATE"))
            holder.execute(text("UPDATE case_counters SET value = value"))
            with ThreadPoolExecutor(1) as pool:
                waiting = pool.submit(terminal_api(servers[0]).post, "/v1/cases", body, headers=headers)
                for _ in range(3):
                    for api in terminals:
                        beat = api.post("/v1/terminals/heartbeat", json.loads(HEARTBEAT), key=None)
                        assert beat.status_code == 200, beat.text
                assert not waiting.done()  # still behind the held rows
                holder.rollback()
                assert waiting.result(timeout=30).status_code == 201
    finally:
        engine.dispose()


def test_metrics_count_the_requests_of_every_worker_at_each_scrape(servers, terminals):
    """A scrape is answered by whichever worker the connection lands on; each answer counts
    every worker's requests, not that worker's share."""
    workers = servers[1]
    before = heartbeats_counted(workers)
    apis = [terminal_api(workers) for _ in range(4)]  # several connections: both workers serve
    together(*(lambda api=api: [api.post("/v1/terminals/heartbeat", json.loads(HEARTBEAT), key=None).status_code
                                for _ in range(10)] for api in apis))
    # A new connection each, so the scrapes land on both workers.
    assert {heartbeats_counted(workers) - before for _ in range(8)} == {40.0}
    # The state read from the database is there too, once.
    scraped = requests.get(f"{workers.url}/metrics", timeout=10).text
    assert scraped.count("# TYPE backoffice_terminals gauge") == 1


def staff_token(server, username: str) -> dict[str, str]:
    answer = requests.post(f"{server.url}/v1/auth/token", json={"username": username, "password": DEMO_PASSWORD},
                           timeout=10)
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def test_a_calendar_change_at_one_process_is_in_the_next_answer_at_every_other(servers):
    """Each process keeps the calendar and reads only its version number per request
    (reference_cache.py): a day closed at one server is known at once to the other's
    workers, and so is the day given back."""
    one, two = servers
    admin = staff_token(one, "admin")
    span = {"start": "2026-03-02", "end": "2026-03-13"}  # two working weeks of a year the calendar knows

    def counted() -> set[int]:  # a new connection each, so both workers answer
        return {requests.get(f"{two.url}/v1/calendar/working-days", params=span, timeout=10).json()["count"]
                for _ in range(6)}

    assert counted() == {10}
    closed = requests.put(f"{one.url}/v1/calendar/overrides/2026-03-04", json={"working": False, "reason": "台风停工"},
                          headers=admin, timeout=10)
    assert closed.status_code == 200, closed.text
    assert counted() == {9}
    given_back = requests.delete(f"{one.url}/v1/calendar/overrides/2026-03-04", headers=admin, timeout=10)
    assert given_back.status_code == 200, given_back.text
    assert counted() == {10}


def test_the_sweep_runs_once_under_its_lease(servers):
    one, two = servers
    supervisor = staff_token(one, "supervisor01")  # signed in at one, honoured by both

    def sweep(server) -> dict:
        answer = requests.post(server.url + "/v1/supervision/sweep", headers=supervisor, timeout=60)
        assert answer.status_code == 200, answer.text
        return answer.json()

    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    # Another host's sweep holds the lease: neither server sweeps.
    execute_sql(one, "INSERT INTO job_locks (name, holder, expires_at) VALUES ('sweep', 'elsewhere:1', :until)",
                until=now + dt.timedelta(minutes=5))
    assert sweep(one) == sweep(two) == {"ran": False, "reason": "another sweep is running"}
    # That host died mid-sweep: once its lease has run out, the next sweep takes it over.
    execute_sql(one, "UPDATE job_locks SET expires_at = :past WHERE name = 'sweep'", past=now - dt.timedelta(seconds=1))
    assert sweep(two)["ran"] is True
    audited = "SELECT count(*) FROM audit_log WHERE action = 'supervision.sweep'"
    before = query(one, audited)[0][0]
    answers = [a for _ in range(4) for a in together(lambda: sweep(one), lambda: sweep(two))]
    ran = [a for a in answers if a["ran"]]
    assert ran and all(a == {"ran": False, "reason": "another sweep is running"} for a in answers if not a["ran"])
    assert query(one, audited)[0][0] == before + len(ran)  # each sweep that ran, ran to its end once
    assert query(one, "SELECT holder FROM job_locks WHERE name = 'sweep'") == []  # and let go of the lease


def test_a_grant_issued_by_one_process_is_honoured_and_ended_across_processes(servers, terminals):
    grant = {HEADER_PRESENCE_GRANT: grant_across(servers, terminals, WANG["document_number"])}
    search = {"applicant": WANG["document_number"]}
    for api in terminals:
        assert api.post("/v1/cases/search", search, key=None, headers=grant).status_code == 200
    ended = terminals[1].post("/v1/presence/grants/end", {"reason": "finish"}, key=None, headers=grant)
    assert ended.status_code == 200, ended.text
    for api in terminals:
        refused = api.post("/v1/cases/search", search, key=None, headers=grant)
        assert refused.status_code == 403 and refused.json()["code"] == "presence_needed"


def test_code_limits_hold_across_processes(servers, terminals):
    one, two = terminals
    ref = uuid.uuid4().hex
    sent = code_for(one, LI, ref)
    assert sent.status_code == 201, sent.text
    # One code a minute per session and citizen, whichever process is asked.
    again = code_for(two, LI, ref)
    assert again.status_code == 429 and again.json()["code"] == "resend_later"
    # Three wrong codes in all end the challenge, typed at either process.
    right = latest_code(servers[0].phone_inbox)
    wrong = f"{(int(right) + 1) % 10 ** 6:06d}"
    challenge = {"session": ref, "challenge": sent.json()["challenge"]}
    for api, left in ((one, 2), (two, 1)):
        answer = api.post("/v1/presence/grants", {**challenge, "code": wrong}, key=None)
        assert answer.status_code == 422 and answer.json()["tries_left"] == left, answer.text
    assert one.post("/v1/presence/grants", {**challenge, "code": wrong}, key=None).json()["code"] == "tries_exhausted"
    spent = two.post("/v1/presence/grants", {**challenge, "code": right}, key=None)
    assert spent.status_code == 410 and spent.json()["code"] == "tries_exhausted"
    # The citizen's codes in an hour are counted over both.
    for api in (two, one, two):
        assert code_for(api, LI, uuid.uuid4().hex).status_code == 201
    for api in terminals:
        limited = code_for(api, LI, uuid.uuid4().hex)
        assert limited.status_code == 429 and limited.json()["code"] == "citizen_limit", limited.text


def test_a_citizens_codes_asked_for_all_at_once_at_both_processes_stay_within_the_limit(terminals):
    """Twelve kiosk sessions ask for a code for one citizen at the same moment, half at each
    server: the hour's limit counts them one after another, so exactly the limit is sent."""
    asks = [terminals[i % 2] for i in range(12)]
    with ThreadPoolExecutor(len(asks)) as pool:
        answers = list(pool.map(lambda api: code_for(api, CHEN, uuid.uuid4().hex), asks))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] * CODES_PER_CITIZEN_HOUR + [429] * (len(asks) - CODES_PER_CITIZEN_HOUR), statuses
    assert {a.json()["code"] for a in answers if a.status_code == 429} == {"citizen_limit"}


def test_sign_in_throttling_counts_failures_at_every_process(servers):
    username = f"nobody-{uuid.uuid4().hex[:8]}"

    def sign_in(server) -> int:
        return requests.post(f"{server.url}/v1/auth/token", json={"username": username, "password": "wrong-password"},
                             timeout=10).status_code

    assert [sign_in(server) for server in (*servers, *servers, servers[0])] == [401] * 5
    assert [sign_in(server) for server in servers] == [429, 429]
