"""`kiosk-diag printer ...` against the TCP 9100 emulator: JSON out, meaningful exit codes."""
import json
import os
import subprocess
import sys

import pytest
import zxingcpp

from devices.printer.emulator import PrinterEmulator
from kiosk.diag.__main__ import main
from kiosk.runtime.escpos_cache import keep_escpos_capabilities

RECEIPT = {
    "kind": "application_receipt",
    "case_number": "469023-2026-000200",
    "received_at": "2026-11-27T21:04:00+08:00",
    "terminal_id": "CM-KIOSK-0007",
    "item_name": "个体工商户设立登记",
    "item_code": "469023-XK-SC-0001",
    "applicant_masked": "李*",
    "materials": [{"name": "个体工商户登记申请书", "form": "original", "copies": 1}],
    "deferred": [{"name": "消防安全检查合格证明", "due": "2026-12-11"}],
    "commitment_signed": True,
    "promised_days": 3,
    "promised_date": "2026-12-02",
    "tracking_token": "CM1.test.469023-2026-000200",
}


@pytest.fixture
def emu():
    with PrinterEmulator() as emulator:
        yield emulator


def run(capsys, *argv):
    code = main(list(argv))
    return code, json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_status_of_a_ready_printer(emu, capsys):
    code, out = run(capsys, "printer", "status", "--uri", emu.uri)
    assert code == 0 and out["state"] == "online" and out["media"] == "ok"


def test_status_exit_codes_for_paper_out_and_silence(emu, capsys):
    emu.paper_out = True
    code, out = run(capsys, "printer", "status", "--uri", emu.uri)
    assert code == 3 and out["media"] == "out"
    emu.paper_out, emu.silent = False, True
    code, out = run(capsys, "printer", "status", "--uri", emu.uri)
    assert code == 4 and out["state"] == "offline"


def test_test_page(emu, capsys):
    code, out = run(capsys, "printer", "test-page", "--uri", emu.uri)
    assert code == 0 and out["ok"]
    receipt = emu.wait_for_receipt()
    assert receipt.lines[0].startswith("打印机测试页")
    assert "标点「」、。；：！？ ABCabc 0123456789" in receipt.lines


def test_print_receipt_from_json(emu, capsys, tmp_path):
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(RECEIPT, ensure_ascii=False), encoding="utf-8")
    code, out = run(capsys, "printer", "print-receipt", str(path), "--uri", emu.uri)
    assert code == 0, out
    receipt = emu.wait_for_receipt()
    assert "办件编号：469023-2026-000200" in receipt.lines
    assert [c.text for c in zxingcpp.read_barcodes(receipt.image(emu.width))] == [RECEIPT["tracking_token"]]


def test_bad_json_and_bad_uri_are_exit_2(emu, capsys, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"kind": "application_receipt", "case_number": "x"}))
    code, out = run(capsys, "printer", "print-receipt", str(path), "--uri", emu.uri)
    assert code == 2 and not out["ok"]
    code, out = run(capsys, "printer", "status", "--uri", "lpt://nowhere")
    assert code == 2
    assert not emu.receipts


def test_new_roll_starts_the_paper_count_again(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK__KIOSK__VAR_DIR", str(tmp_path))
    (tmp_path / "printer-paper.json").write_text('{"used_mm": 61000.0, "slips": 240}', encoding="utf-8")
    code, out = run(capsys, "printer", "new-roll")
    assert code == 0 and out["paper"] == "paper about 80.0 m left of 80 m"
    assert json.loads((tmp_path / "printer-paper.json").read_text()) == {"used_mm": 0.0, "slips": 0}


def test_the_printer_database_is_read_from_the_kiosk_cache_not_parsed_into_tmp(emu, tmp_path):
    """python-escpos parses its printer database at import and, unless told where, pickles it
    into a new /tmp folder each time (a fifth of a second, and 70 kB left there each run)."""
    var, tmp = tmp_path / "var", tmp_path / "tmp"
    tmp.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "ESCPOS_CAPABILITIES_PICKLE_DIR"}
    env.update(KIOSK__KIOSK__VAR_DIR=str(var), TMPDIR=str(tmp))
    for _ in range(2):  # the second run reads what the first wrote
        done = subprocess.run([sys.executable, "-m", "kiosk.diag", "printer", "status", "--uri", emu.uri],
                              env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-3000:]
        assert json.loads(done.stdout.strip().splitlines()[-1])["state"] == "online"
    assert list((var / "cache" / "escpos").glob("*.capabilities.pickle"))
    # python-escpos still makes its default's empty folder before reading the setting.
    assert [p for p in tmp.rglob("*") if p.is_file()] == []


def test_a_cache_folder_that_cannot_be_made_leaves_python_escpos_its_default(tmp_path, monkeypatch):
    monkeypatch.delenv("ESCPOS_CAPABILITIES_PICKLE_DIR", raising=False)
    monkeypatch.delitem(sys.modules, "escpos.capabilities", raising=False)
    (tmp_path / "cache").write_text("a file where the folder would be")
    keep_escpos_capabilities(tmp_path)
    assert "ESCPOS_CAPABILITIES_PICKLE_DIR" not in os.environ
