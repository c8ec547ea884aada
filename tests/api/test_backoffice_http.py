"""The back office over real HTTP on loopback, through the kiosk's own client."""
import http.server
import threading

import pytest
import requests

from demo.embedded_backoffice import free_port
from domain.cases import CaseStatus
from domain.signing import HEADER_PRESENCE_GRANT
from services.api import (
    BackofficeBadResponse,
    BackofficeClient,
    BackofficeRefused,
    BackofficeUnavailable,
    TerminalSignature,
)
from tests.presence import ZHAO, confirm

WANG = "469023195801041234"


@pytest.fixture
def client(backoffice):
    c = BackofficeClient(backoffice.url, timeout=5, terminal_id="CM-KIOSK-0001",
                         secret=backoffice.terminal_secret_file.read_text())
    yield c
    c.close()


@pytest.fixture
def wang(backoffice, client) -> str:
    """王建国's presence grant: his cases open to the kiosk only with it."""
    return confirm(client, backoffice.phone_inbox, WANG)


def test_health(client):
    assert client.health() == {"status": "ok", "database": "sqlite"}


def test_unsigned_requests_are_refused(backoffice):
    raw = requests.post(f"{backoffice.url}/v1/cases/search", json={"applicant": WANG}, timeout=5)
    assert raw.status_code == 401
    with pytest.raises(BackofficeRefused) as info:
        BackofficeClient(backoffice.url).list_cases(WANG)
    assert info.value.status == 401


def test_cases_of_a_demo_person_newest_first(client, wang):
    cases = client.list_cases(WANG, grant=wang)
    assert [c.number for c in cases] == ["469023-0003", "469023-0001", "469023-0011", "469023-0002"]
    assert cases[0].status is CaseStatus.CORRECTION_REQUIRED
    assert cases[0].received_at.utcoffset().total_seconds() == 8 * 3600


def test_a_list_holds_the_newest_cases_and_says_how_many_there_are(backoffice, client, wang):
    """An agent with years of filings gets a screenful and the count, not every case."""
    everything = client.list_cases(WANG, grant=wang)
    assert everything.total == len(everything) == 4 and everything.more == 0
    signed = requests.Session()
    signed.auth = TerminalSignature("CM-KIOSK-0001", backoffice.terminal_secret_file.read_text())
    signed.headers[HEADER_PRESENCE_GRANT] = wang
    answer = signed.post(f"{backoffice.url}/v1/cases/search", json={"applicant": WANG, "limit": 2}, timeout=5)
    assert answer.status_code == 200, answer.text
    assert [c["number"] for c in answer.json()["cases"]] == ["469023-0003", "469023-0001"]
    assert answer.json()["total"] == 4
    for limit in (0, 201):
        refused = signed.post(f"{backoffice.url}/v1/cases/search", json={"applicant": WANG, "limit": limit}, timeout=5)
        assert refused.status_code == 422


def test_spaces_around_the_number_are_ignored(backoffice, client):
    li = confirm(client, backoffice.phone_inbox, "469023198501010026")
    assert len(client.list_cases(" 469023198501010026 ", grant=li)) == len(
        client.list_cases("469023198501010026", grant=li)) > 0


def test_someone_without_cases_gets_an_empty_list(backoffice, client):
    zhao = confirm(client, backoffice.phone_inbox, ZHAO["document_number"], ZHAO["name"], ZHAO["phone"])
    assert client.list_cases(ZHAO["document_number"], grant=zhao) == []


def test_case_detail_has_a_timeline_in_order(client, wang):
    case = client.get_case("469023-0002", grant=wang)
    assert case.item_name == "城乡居民基本养老保险待遇申领"
    assert case.applicant_masked == "王*"
    statuses = [e.status for e in case.timeline]
    assert statuses == [CaseStatus.RECEIVED, CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW,
                        CaseStatus.DECIDED, CaseStatus.COMPLETED]
    assert [e.at for e in case.timeline] == sorted(e.at for e in case.timeline)


def test_cases_carry_english_names_beside_the_chinese(client, wang):
    cases = {c.number: c for c in client.list_cases(WANG, grant=wang)}
    pension = cases["469023-0002"]
    assert pension.item_name == "城乡居民基本养老保险待遇申领"
    assert pension.item_name_en and pension.item_name_en.isascii()
    assert pension.department_en == "Chengmai County Bureau of Human Resources and Social Security"
    assert all(c.item_name_en and c.department_en for c in cases.values())

    case = client.get_case("469023-0003", grant=wang)
    received = case.timeline[0]
    assert received.department == "澄迈县政务服务中心综合受理窗口"
    assert received.department_en == "Chengmai County Government Affairs Service Center, general intake window"
    assert received.note_en == "Received overnight at a 24-hour self-service kiosk"
    assert case.next_step.items_in("en") == (
        "Real estate title certificate: The copy is not legible; please supply a legible copy or the original",)
    assert case.next_step.items_in("zh_CN") == ("不动产权证书：复印件不清晰，请提交清晰复印件或原件",)


def test_case_answers_keep_their_fields_and_add_english_ones(backoffice, client, wang):
    body = client._http.get(f"{backoffice.url}/v1/cases/469023-0002", timeout=5,
                            headers={"X-Presence-Grant": wang}).json()
    assert {"item_name", "department", "timeline", "parts", "licences"} <= set(body)  # as before
    assert body["item_name_en"] and body["department_en"]
    assert {"department", "department_en", "note", "note_en"} <= set(body["timeline"][0])


def test_unknown_case_is_a_problem_json_404(backoffice, client, wang):
    raw = client._http.get(f"{backoffice.url}/v1/cases/nope", timeout=5, headers={"X-Presence-Grant": wang})
    assert raw.status_code == 404
    assert raw.headers["content-type"].startswith("application/problem+json")
    assert raw.json()["title"] == "Not found"
    with pytest.raises(BackofficeRefused) as info:
        client.get_case("nope", grant=wang)
    assert info.value.status == 404


def test_missing_applicant_is_a_problem_without_echoing_input(backoffice, client):
    raw = client._http.post(f"{backoffice.url}/v1/cases/search", json={"applicant": "46"}, timeout=5)
    assert raw.status_code == 422
    assert raw.headers["content-type"].startswith("application/problem+json")
    assert "46" not in str(raw.json()["errors"])


def test_id_numbers_are_not_stored_in_clear(backoffice, client, wang):
    client.list_cases(WANG, grant=wang)
    stored = b"".join(p.read_bytes() for p in backoffice.database.parent.glob("backoffice.db*"))
    assert stored, "database files exist"
    assert WANG.encode() not in stored
    assert "王建国".encode() not in stored


def test_stopped_server_is_unavailable_not_a_crash():
    client = BackofficeClient(f"http://127.0.0.1:{free_port()}", timeout=1)
    with pytest.raises(BackofficeUnavailable):
        client.list_cases(WANG)


@pytest.mark.parametrize("body", [b"<html>proxy error page</html>", b'{"cases": [{"number": 1}]}',
                                  b'{"cases": "none"}', b'[]'])
def test_broken_answers_are_reported_as_bad_responses(body):
    class Broken(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Broken)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        client = BackofficeClient(f"http://127.0.0.1:{server.server_port}", timeout=2)
        with pytest.raises(BackofficeBadResponse):
            client.list_cases(WANG)
    finally:
        server.shutdown()
