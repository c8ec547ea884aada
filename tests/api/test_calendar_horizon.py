"""The calendar running out, as supervisors and the county administrator see it: the sweep
warns from 60 days before the year ends while next year is not imported, and clears the
warning once it is; the metric says how far ahead every day is known; and the command
line imports, lists, sets and deletes days with a clear answer for a bad file."""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select

from backoffice import calendar
from backoffice.holiday_arrangement import parse_arrangement
from backoffice.metrics import StateCollector
from backoffice.models import Alert
from backoffice.supervision import sweep
from domain.county import CST
from tests.api.arrangements import NOTICE_2026, lawful_arrangement
from tests.api.command_line import backoffice_cli
from tests.api.database import catalogued_app
from tests.api.test_deadlines import context_on

D = dt.date


def open_alerts(session) -> dict[str, str]:
    return {a.subject: a.message for a in session.scalars(
        select(Alert).where(Alert.kind == "calendar_year_missing", Alert.cleared_at.is_(None)))}


def test_supervisors_are_warned_from_sixty_days_before_the_year_ends(tmp_path, monkeypatch):
    app = catalogued_app(tmp_path, monkeypatch)
    with app.state.sessions() as session:
        assert sweep(session, context_on(app, session, D(2026, 10, 31)))["ran"]
        assert open_alerts(session) == {}  # 61 days before the end of 2026
        sweep(session, context_on(app, session, D(2026, 11, 1)))
        assert "2027年工作日历尚未导入" in open_alerts(session)["2027"]
        sweep(session, context_on(app, session, D(2026, 11, 2)))
        assert len(open_alerts(session)) == 1  # raised once, not at every sweep

        calendar.import_arrangement(session, parse_arrangement(lawful_arrangement(2027)), "staff:admin")
        session.commit()
        sweep(session, context_on(app, session, D(2026, 11, 3)))
        assert open_alerts(session) == {}

        # A year past its horizon is warned about at once: no case gets a promised date.
        sweep(session, context_on(app, session, D(2028, 1, 3)))
        assert list(open_alerts(session)) == ["2028"]


def test_the_horizon_metric_and_warning_year(tmp_path, monkeypatch):
    app = catalogued_app(tmp_path, monkeypatch)
    with app.state.sessions() as session:
        work = calendar.load_calendar(session)
        assert work.horizon(D(2026, 12, 5)) == D(2026, 12, 31)
        assert calendar.horizon_days(work, D(2026, 12, 5)) == 26
        assert calendar.missing_year(work, D(2026, 12, 5)) == 2027
        assert calendar.missing_year(work, D(2026, 6, 1)) is None
        assert calendar.horizon_days(work, D(2027, 1, 4)) == -1
        calendar.import_arrangement(session, parse_arrangement(lawful_arrangement(2027)), "staff:admin")
        session.commit()
        work = calendar.load_calendar(session)
        assert work.horizon(D(2026, 12, 5)) == D(2027, 12, 31) and calendar.missing_year(work, D(2026, 12, 5)) is None
    scraped = {m.name: m.samples[0].value for m in StateCollector(app.state.sessions, app.state.settings).collect()
               if m.name.startswith("backoffice_calendar")}
    today = dt.datetime.now(CST).date()
    horizon = max(D(2027, 12, 31), D(today.year, 12, 31)) if today.year <= 2027 else None
    expected = (horizon - today).days if horizon and today.year <= 2027 else -1
    assert scraped["backoffice_calendar_horizon_days"] == expected
    assert scraped["backoffice_calendar_next_year_known"] == (1 if today.year < 2027 else 0)


cli = backoffice_cli


def test_the_calendar_at_the_command_line(tmp_path):
    assert cli(tmp_path, "migrate").returncode == 0
    bad = tmp_path / "2031.json"
    broken = lawful_arrangement(2031)
    broken["holidays"][0]["off"] = ["2031-01-01", "2031-13-01"]
    bad.write_text(json.dumps(broken, ensure_ascii=False), encoding="utf-8")
    refused = cli(tmp_path, "calendar", "import", str(bad))
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "not imported, 1 problem(s)" in refused.stderr and "'2031-13-01' is not a date" in refused.stderr
    missing = cli(tmp_path, "calendar", "import", str(tmp_path / "none.json"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr and "Traceback" not in missing.stderr

    good = tmp_path / "2031-good.json"
    good.write_text(json.dumps(lawful_arrangement(2031), ensure_ascii=False), encoding="utf-8")
    assert "a valid arrangement for 2031" in cli(tmp_path, "calendar", "import", "--check", str(good)).stdout
    assert "2031" not in cli(tmp_path, "calendar", "list").stdout  # --check changed nothing
    done = cli(tmp_path, "calendar", "import", str(good))
    assert done.returncode == 0 and "2031 declared" in done.stdout, done.stderr
    assert cli(tmp_path, "calendar", "import", str(NOTICE_2026)).returncode == 0

    assert cli(tmp_path, "calendar", "set", "2031-07-21", "rest", "--reason", "台风停工").returncode == 0
    listed = json.loads(cli(tmp_path, "calendar", "list", "--year", "2031", "--json").stdout)
    days = {d["day"]: d for d in listed["overrides"]}
    assert days["2031-07-21"]["source"] == "manual" and days["2031-01-01"]["reason"] == "元旦"
    assert [y["year"] for y in listed["years"]] == [2026, 2031]
    assert "国办发明电〔2025〕7号" in cli(tmp_path, "calendar", "list").stdout

    assert cli(tmp_path, "calendar", "delete", "2031-07-21").returncode == 0
    assert cli(tmp_path, "calendar", "delete", "2031-07-21").returncode == 1
    status = cli(tmp_path, "calendar", "status")
    assert "every day known until" in status.stdout and status.returncode in (0, 1)


def test_a_case_received_past_the_horizon_gets_no_wrong_date_and_its_receipt_prints(tmp_path, monkeypatch):
    """On the first working day of a year nobody imported: the case is received, the
    receipt says the time limit in working days and that the dates will be confirmed."""
    from backoffice.auth import Caller
    from backoffice.cases import apply_action, submit
    from backoffice.english_names import EnglishNames
    from backoffice.views import receipt
    from devices.printer import ReceiptPrinter, ReceiptPrinterProfile
    from devices.printer.emulator import PrinterEmulator
    from domain.lifecycle import Action
    from kiosk.i18n import Translator
    from services.api import _receipt
    from services.receipts import application_receipt
    from tests.api.submissions import application
    from tests.api.test_deadlines import guide_of, received_on

    app = catalogued_app(tmp_path, monkeypatch)
    with app.state.sessions() as session:
        ctx = context_on(app, session, D(2031, 1, 6))
        case = submit(session, ctx, application(guide_of(session, "469023-XK-SCJG-0031"), defer=True),
                      Caller("terminal", "CM-KIOSK-0001"))
        received_on(case, D(2031, 1, 6))
        apply_action(session, ctx, case, Action.ACCEPT, {}, Caller("staff", "clerk01", role="clerk"))
        assert case.promised_date is None and case.deferred_due is None
        wire = json.loads(json.dumps(receipt(case, "CM-KIOSK-0001", EnglishNames.for_case(session, case))))
        session.commit()

        # Once the year is imported, the case gets the dates it was told would be confirmed.
        done = calendar.import_arrangement(session, parse_arrangement(lawful_arrangement(2031)), "staff:admin")
        session.commit()
        assert done["cases_dated"] == 1
        work = calendar.load_calendar(session)
        session.refresh(case)
        assert case.promised_date == work.add_working_days(D(2031, 1, 6), case.promised_days)
        assert case.deferred_due == work.add_working_days(D(2031, 1, 6), 10) and not case.promised_date_pending
    slip_receipt = _receipt(wire)
    assert slip_receipt.promised_date is None and slip_receipt.deferred and slip_receipt.promised_days > 0
    now = dt.datetime(2031, 1, 6, 21, 5, tzinfo=CST)
    with PrinterEmulator() as emu:
        for language, expected in (("zh_CN", ("承诺时限：", "承诺办结日期：待确认", "补交期限待确认")),
                                   ("en", ("Promised time limit:", "Promised by: to be confirmed",
                                           "Supply by: to be confirmed"))):
            before = len(emu.receipts)
            doc = application_receipt(slip_receipt, now, Translator(language).gettext, language)
            assert ReceiptPrinter(emu.uri, ReceiptPrinterProfile(status_timeout_s=0.5)).print_slip(doc).ok
            paper = emu.wait_for_receipts(before + 1)[before]
            paper.save_png(tmp_path / f"receipt-past-horizon-{language}.png", emu.width)
            text = paper.text
            for words in expected:
                assert words in text, (words, text)

