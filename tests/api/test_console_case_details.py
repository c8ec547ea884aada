"""The case page's details that need more than a glance: the applicant shown in full only on
request, with a reason, audited; the e-licences a case's materials point to, looked up in the
county's register (a social security card the back office itself issued, and one it does not
know); the materials the department obtains by data sharing. Over real HTTP on SQLite and
PostgreSQL, with a licence issued through the real lifecycle."""
from __future__ import annotations

import pytest

from domain.ids import make_licence_id
from tests.api.database import query
from tests.api.submissions import WANG, application
from tests.api.test_console import audit_entries, browser, csrf_of  # noqa: F401  (the fixture)

CARD = "469023-GG-RS-0042"  # 社会保障卡申领: its result is a social security card, an e-licence
PENSION = "469023-GF-RS-0007"  # 养老保险待遇申领: asks for that card as an e-licence (M03)


@pytest.fixture(scope="module")
def card_case(terminal, staff) -> tuple[str, str]:
    """A social security card issued to 王建国 by the county's own register, through the lifecycle."""
    guide = staff("clerk01").get(f"/v1/catalogue/items/{CARD}").json()
    made = terminal.post("/v1/cases", application(guide, WANG))
    assert made.status_code == 201, made.text
    number = made.json()["case"]["number"]
    for who, action in (("clerk01", "accept"), ("clerk01", "route"), ("approver-rs", "approve"),
                        ("approver-rs", "complete")):
        done = staff(who).act(number, action)
        assert done.status_code == 200, (action, done.text)
    licences = staff("clerk01").get(f"/v1/cases/{number}").json()["licences"]
    assert licences, "completing the case issued its licence"
    return number, licences[0]["identifier"]


@pytest.fixture(scope="module")
def card_licence(card_case) -> str:
    return card_case[1]


@pytest.fixture(scope="module")
def site_case(terminal, staff, card_licence) -> str:
    guide = staff("clerk01").get(f"/v1/catalogue/items/{PENSION}").json()
    body = application(guide, WANG)
    licensed = next(m for m in body["materials"] if m["code"] == "M03")
    licensed["licence_id"] = card_licence
    made = terminal.post("/v1/cases", body)
    assert made.status_code == 201, made.text
    return made.json()["case"]["number"]


@pytest.fixture(scope="module")
def unknown_licence_case(terminal, staff) -> tuple[str, str]:
    """The same item with a well-formed identifier the register never issued."""
    guide = staff("clerk01").get(f"/v1/catalogue/items/{PENSION}").json()
    body = application(guide, WANG)
    made = terminal.post("/v1/cases", body)
    assert made.status_code == 201, made.text
    return made.json()["case"]["number"], next(m["licence_id"] for m in body["materials"] if m["code"] == "M03")


def test_a_registered_e_licence_is_shown_with_its_holder_and_state(browser, site_case):
    page = browser("clerk01").get(f"/console/cases/{site_case}").text
    assert "社会保障卡 · 王* · 澄迈县人力资源和社会保障局 · 有效" in page
    assert "非申请人本人证照" not in page and "不可使用" not in page
    assert f'/console/cases/{site_case}/e-licences/' in page


def test_an_unknown_e_licence_under_the_county_s_own_code_is_flagged(browser, unknown_licence_case):
    number, identifier = unknown_licence_case  # well formed, naming the county as issuer, never issued
    page = browser("clerk01").get(f"/console/cases/{number}").text
    assert "签发机构为本县，但本县证照库中无此证照" in page
    answer = browser("clerk01").get(f"/console/cases/{number}/e-licences/{identifier}.pdf")
    assert answer.status_code == 404


def test_viewing_a_case_s_e_licence_is_audited(browser, site_case, card_licence, staff):
    clerk = browser("clerk01")
    pdf = clerk.get(f"/console/cases/{site_case}/e-licences/{card_licence}.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    views = audit_entries(staff, "licence.view")
    assert any(e["subject"] == card_licence and e["detail"].get("case") == site_case for e in views)


def test_only_an_e_licence_the_case_points_to_opens(browser, unknown_licence_case, card_licence):
    number, _ = unknown_licence_case  # a case that does not name the card
    refused = browser("clerk01").get(f"/console/cases/{number}/e-licences/{card_licence}.pdf")
    assert refused.status_code == 404


def test_materials_the_department_obtains_by_data_sharing_are_listed(browser, site_case):
    page = browser("clerk01").get(f"/console/cases/{site_case}").text
    assert "共享获取的材料" in page and "户籍信息" in page


def test_the_applicant_is_masked_until_shown_with_a_reason(browser, site_case, staff, server):
    clerk = browser("clerk01")
    page = clerk.get(f"/console/cases/{site_case}").text
    assert WANG["name"] not in page and WANG["document_number"] not in page
    assert "王* 4690**********1234" in page and 'id="reveal"' in page
    shown = clerk.post(f"/console/cases/{site_case}/applicant", {"csrf": csrf_of(page), "reason": "identity"},
                       headers={"HX-Request": "true"})
    assert shown.status_code == 200
    assert WANG["name"] in shown.text and WANG["document_number"] in shown.text and "13907561234" in shown.text
    assert "<html" not in shown.text  # only the applicant's part, swapped in by htmx
    reveals = [e for e in audit_entries(staff, "applicant.reveal") if e["subject"] == site_case]
    assert reveals and reveals[-1]["actor"] == "staff:clerk01" and reveals[-1]["detail"]["reason"] == "identity"
    # Shown that once: the page opened again is masked.
    assert WANG["name"] not in clerk.get(f"/console/cases/{site_case}").text
    # Without scripts the form answers the whole page, the applicant shown in it.
    whole = clerk.post(f"/console/cases/{site_case}/applicant", {"csrf": csrf_of(page), "reason": "contact"})
    assert whole.status_code == 200 and "<html" in whole.text and WANG["name"] in whole.text
    # The full number never reaches the log files or the audit chain in clear.
    stored = query(server, "SELECT detail FROM audit_log WHERE action = 'applicant.reveal'")
    assert WANG["document_number"] not in repr(stored)


def test_showing_the_applicant_needs_a_reason_a_token_and_a_role(browser, site_case, staff):
    clerk = browser("clerk01")
    token = csrf_of(clerk.get(f"/console/cases/{site_case}").text)
    before = len(audit_entries(staff, "applicant.reveal"))
    no_reason = clerk.post(f"/console/cases/{site_case}/applicant", {"csrf": token, "reason": ""})
    assert no_reason.status_code == 422 and WANG["name"] not in no_reason.text
    stale = clerk.post(f"/console/cases/{site_case}/applicant", {"csrf": "stale", "reason": "identity"})
    assert stale.status_code == 403 and WANG["name"] not in stale.text
    supervisor = browser("supervisor01")
    page = supervisor.get(f"/console/cases/{site_case}")
    if page.status_code == 200:  # a supervisor may look at the case, masked, without the form
        assert 'id="reveal"' not in page.text
        refused = supervisor.post(f"/console/cases/{site_case}/applicant",
                                  {"csrf": csrf_of(supervisor.get("/console/welcome").text), "reason": "review"})
        assert refused.status_code == 403 and WANG["name"] not in refused.text
    assert len(audit_entries(staff, "applicant.reveal")) == before


def test_answers_read_as_the_applicant_chose_them_not_as_codes(browser, card_case):
    number, _ = card_case  # a bank chosen from a list, kept as its key "icbc"
    clerk = browser("clerk01")
    page = clerk.get(f"/console/cases/{number}")
    assert page.status_code == 200, page.text
    answers = page.text[page.text.index('id="answers"'):page.text.index('id="materials"')]
    assert "中国工商银行" in answers and "icbc" not in answers
    clerk.get("/console/language/en")
    english = clerk.get(f"/console/cases/{number}").text
    assert "ICBC" in english[english.index('id="answers"'):english.index('id="materials"')]


def test_an_e_licence_of_another_issuer_is_sent_to_the_province_s_platform(browser, terminal, staff):
    guide = staff("clerk01").get(f"/v1/catalogue/items/{PENSION}").json()
    body = application(guide, WANG)
    card = next(m for m in body["materials"] if m["code"] == "M03")
    card["licence_id"] = make_licence_id("11100000MB01800081001", "11460000MB1900001C", "20250000001", 1)
    made = terminal.post("/v1/cases", body)
    assert made.status_code == 201, made.text
    page = browser("clerk01").get(f"/console/cases/{made.json()['case']['number']}").text
    assert "不在本县证照库中：请在省电子证照平台核验（签发机构代码 11460000MB1900001C）" in page


def test_a_denied_result_is_handed_over_as_a_printed_result_notice(browser, terminal, staff, tmp_path):
    """统一出件 without an e-licence: the window prints the result notice, with the reasons
    and the remedies a denial must name; the print is audited."""
    from pypdf import PdfReader

    guide = staff("clerk01").get(f"/v1/catalogue/items/{CARD}").json()
    made = terminal.post("/v1/cases", application(guide, WANG))
    assert made.status_code == 201, made.text
    number = made.json()["case"]["number"]
    for who, action, params in (("clerk01", "accept", {}), ("clerk01", "route", {}),
                                ("approver-rs", "deny", {"note": "已在他处申领社会保障卡"}),
                                ("approver-rs", "complete", {})):
        assert staff(who).act(number, action, **params).status_code == 200, action
    clerk = browser("clerk01")
    page = clerk.get(f"/console/cases/{number}").text
    assert 'id="result-notice"' in page and 'id="licences"' not in page
    pdf = clerk.get(f"/console/cases/{number}/result-notice.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    (tmp_path / "notice.pdf").write_bytes(pdf.content)
    text = PdfReader(tmp_path / "notice.pdf").pages[0].extract_text()
    for shown in ("办理结果通知书", number, WANG["name"], "不予准许", "已在他处申领社会保障卡", "行政复议"):
        assert shown in text, shown
    assert any(e["subject"] == number for e in audit_entries(staff, "result_notice.print"))
    assert browser("supervisor01").get(f"/console/cases/{number}/result-notice.pdf").status_code == 403
