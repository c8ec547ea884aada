"""`kiosk-diag report` and kiosk.ops.readiness against the demo hardware profile's own devices
(simulated reader, scanner and document camera, the ESC/POS emulator on loopback as the
receipt printer, the espeak-ng speech worker) and a real back office on loopback."""
import json
import re
import zipfile
from dataclasses import replace

import pytest

from demo.embedded_backoffice import free_port
from kiosk.config import load_config
from kiosk.diag.__main__ import main
from kiosk.diag.report import EXIT_DEGRADED, EXIT_NOT_READY, EXIT_READY, exit_code, render_text
from kiosk.hardware import build_devices
from kiosk.ops.readiness import DEVICES, Verdict, build_report

CASE_NUMBER = re.compile(r"469023-\d{4}")  # seeded 469023-0001, issued 469023-2026-000200
ID_NUMBER = re.compile(r"\d{17}[\dXx]")
NO_CARD_PLAYER = ["aplay", "-q", "-D", "hw:CARD=KioskNoSuchCard"]  # as a kiosk without a sound card


@pytest.fixture
def var_dir(monkeypatch, tmp_path):
    """`kiosk-diag report` builds the devices itself: give them a var folder of their own."""
    monkeypatch.setenv("KIOSK__KIOSK__VAR_DIR", str(tmp_path))
    return tmp_path


def demo_config(var_dir, backoffice):
    """The demo profile, registered with the back office (its terminal secret)."""
    return load_config(overrides={"kiosk.hardware_profile": "demo", "kiosk.var_dir": str(var_dir),
                                  "backoffice.url": backoffice.url,
                                  "backoffice.terminal_secret_file": str(backoffice.terminal_secret_file)},
                       environ={})


def use_backoffice(monkeypatch, backoffice) -> None:
    """`kiosk-diag report` reads its configuration itself: point it at the back office."""
    monkeypatch.setenv("KIOSK__BACKOFFICE__URL", backoffice.url)
    monkeypatch.setenv("KIOSK__BACKOFFICE__TERMINAL_SECRET_FILE", str(backoffice.terminal_secret_file))


@pytest.fixture
def demo_devices(tmp_path, backoffice):
    """The devices `make run` builds, opened, for faults set on the emulators directly."""
    config = demo_config(tmp_path, backoffice)
    devices = build_devices(config)
    devices.open()
    yield config, devices
    devices.close()


def device(report, name):
    return next(check for check in report.devices if check.device == name)


def assert_no_personal_data(text, demo_people):
    for person in demo_people.values():
        for field in ("name", "document_number", "address", "birth_date"):
            assert person[field] not in text, field
    assert not ID_NUMBER.search(text) and not CASE_NUMBER.search(text)


def test_every_device_ready_is_exit_0_and_every_device_is_listed(var_dir, backoffice, monkeypatch, capsys):
    use_backoffice(monkeypatch, backoffice)
    code = main(["report", "--profile", "demo"])
    out = capsys.readouterr().out
    assert code == EXIT_READY, out
    lines = out.splitlines()
    assert lines[0] == "Kiosk readiness: READY"
    for label in [role.label for role in DEVICES.values()] + ["Back office", "Machine"]:
        assert [line for line in lines if re.match(rf"READY\s+{re.escape(label)}\s\s", line)], label
    assert not any(line.startswith(("DEGRADED", "NOT READY")) for line in lines)


def test_receipt_printer_out_of_paper_is_not_ready_and_paper_low_degraded(demo_devices):
    config, devices = demo_devices
    emulator = devices.printer_emulator
    emulator.paper_out = True
    report = build_report(devices, config)
    printer = device(report, "receipt_printer")
    assert printer.verdict is Verdict.NOT_READY and printer.media == "out"
    assert "paper out" in printer.reason and "load a new paper roll" in printer.action
    assert report.verdict is Verdict.NOT_READY and exit_code(report) == EXIT_NOT_READY
    assert [c.device for c in report.devices if c.verdict is not Verdict.READY] == ["receipt_printer"]
    assert re.search(r"^NOT READY\s+Receipt printer\s.*paper out.*load a new paper roll",
                     render_text(report), re.MULTILINE)

    emulator.load_paper()
    emulator.near_end = True
    report = build_report(devices, config)
    printer = device(report, "receipt_printer")
    assert printer.verdict is Verdict.DEGRADED and "paper low" in printer.reason and printer.action
    assert report.verdict is Verdict.DEGRADED and exit_code(report) == EXIT_DEGRADED


def test_speech_without_audio_output_is_degraded(tmp_path, backoffice):
    config = demo_config(tmp_path, backoffice)
    sections = config.profile.sections
    sections = dict(sections, speech=dict(sections["speech"], player=NO_CARD_PLAYER))
    config = replace(config, profile=replace(config.profile, sections=sections))
    devices = build_devices(config)
    devices.open()
    try:
        assert devices.speech.wait_for(devices.speech.speak("请将身份证放在读卡区")).outcome == "play_error"
        report = build_report(devices, config)
    finally:
        devices.close()
    speech = device(report, "speech")
    assert speech.verdict is Verdict.DEGRADED and speech.state == "no_device"
    assert "audio output" in speech.reason and "speakers" in speech.action
    assert report.verdict is Verdict.DEGRADED and exit_code(report) == EXIT_DEGRADED


def test_back_office_unreachable_is_not_ready_with_the_reason(var_dir, monkeypatch, capsys):
    closed = f"http://127.0.0.1:{free_port()}"  # bound once and released: nothing listens
    monkeypatch.setenv("KIOSK__BACKOFFICE__URL", closed)
    code = main(["report", "--profile", "demo", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == EXIT_NOT_READY and report["verdict"] == "not_ready"
    backoffice = report["backoffice"]
    assert backoffice["url"] == closed and not backoffice["reachable"] and backoffice["latency_ms"] is None
    assert backoffice["verdict"] == "not_ready" and backoffice["reason"].startswith("no answer")
    assert "network" in backoffice["action"]
    assert {d["device"]: d["verdict"] for d in report["devices"]} == dict.fromkeys(DEVICES, "ready")


def test_json_with_self_tests_parses_and_holds_no_personal_data(var_dir, backoffice, demo_people,
                                                                monkeypatch, capsys):
    use_backoffice(monkeypatch, backoffice)
    code = main(["report", "--profile", "demo", "--json", "--self-test"])
    out = capsys.readouterr().out
    report = json.loads(out)
    assert code == EXIT_READY, out
    assert [d["device"] for d in report["devices"]] == list(DEVICES)
    assert all(d["self_test"]["passed"] for d in report["devices"]), out
    assert report["backoffice"]["reachable"] and report["backoffice"]["latency_ms"] is not None
    assert report["terminal_id"] == "CM-KIOSK-0001" and report["profile_model"].startswith("Demo kiosk")
    assert report["app_version"] and report["system"]["disk_free_bytes"] > 0
    assert_no_personal_data(out, demo_people)


def test_a_card_in_the_reader_leaves_no_trace_in_the_report(demo_devices, demo_people):
    config, devices = demo_devices
    devices.idcard_sim.insert("wang")
    report = build_report(devices, config, self_test=True)
    assert device(report, "idcard").verdict is Verdict.READY
    assert_no_personal_data(json.dumps(report.to_dict(), ensure_ascii=False) + render_text(report), demo_people)


def test_the_diagnostics_bundle_holds_the_report_and_the_log_without_personal_data(
        var_dir, backoffice, monkeypatch, capsys, tmp_path, demo_people):
    use_backoffice(monkeypatch, backoffice)
    log = var_dir / "log"
    log.mkdir()
    # a line that should never have been written: the bundle masks it again
    (log / "kiosk.jsonl").write_text('{"msg": "session ended"}\n' * 600
                                     + '{"msg": "card read", "raw": "469023195801041234 13907561234"}\n',
                                     encoding="utf-8")
    bundle_path = tmp_path / "out" / "bundle.zip"
    code = main(["report", "--profile", "demo", "--bundle", str(bundle_path)])
    capsys.readouterr()
    assert code == EXIT_READY
    with zipfile.ZipFile(bundle_path) as bundle:
        names = set(bundle.namelist())
        assert {"readiness.json", "readiness.txt", "log-tail.jsonl", "profile.json", "versions.json"} == names
        report = json.loads(bundle.read("readiness.json"))
        assert report["verdict"] == "ready" and {d["device"] for d in report["devices"]} >= {"receipt_printer"}
        tail = bundle.read("log-tail.jsonl").decode()
        assert len(tail.splitlines()) == 500  # the newest lines only
        everything = "\n".join(bundle.read(n).decode() for n in names)
    assert "469023195801041234" not in everything and "13907561234" not in everything
    assert "4690**********1234" in tail and "139****1234" in tail  # masked, the line kept
    assert_no_personal_data(everything, demo_people)


def test_a_wrong_secret_or_a_disabled_terminal_is_not_ready_before_the_technician_leaves(
        var_dir, backoffice, monkeypatch, capsys):
    """/health answers whatever the secret: the signed check says whether the back office
    takes this terminal (it said READY for a kiosk with a wrong secret)."""
    monkeypatch.setenv("KIOSK__BACKOFFICE__URL", backoffice.url)
    wrong = var_dir / "wrong.secret"
    wrong.write_text("not-the-secret")
    monkeypatch.setenv("KIOSK__BACKOFFICE__TERMINAL_SECRET_FILE", str(wrong))
    assert main(["report", "--profile", "demo", "--json"]) == EXIT_NOT_READY
    refused = json.loads(capsys.readouterr().out)["backoffice"]
    assert refused["verdict"] == "not_ready" and "refuses terminal CM-KIOSK-0001's signature" in refused["reason"]
    assert "register-terminal" in refused["action"]

    monkeypatch.setenv("KIOSK__BACKOFFICE__TERMINAL_SECRET_FILE", str(var_dir / "none.secret"))
    assert main(["report", "--profile", "demo", "--json"]) == EXIT_NOT_READY
    assert "no secret for terminal" in json.loads(capsys.readouterr().out)["backoffice"]["reason"]
