"""`kiosk-diag idcard` against the emulators: JSON output masked by default, --unmasked
for a technician, and exit codes for no card, reader missing and read failed."""
import json

from devices.idcard.emulators.epassport import EPassportChip, PassportHolder
from devices.idcard.emulators.vpcd import VpcdCard
from kiosk.diag.__main__ import main
from kiosk.diag.idcard import EXIT_NO_CARD, EXIT_NO_READER, EXIT_OK, EXIT_READ_FAILED
from tests.devices.idcard_fixtures import RESIDENT, ga467_emulator, pcscd  # noqa: F401


def run(capsys, *argv):
    code = main(["idcard", *argv])
    return code, capsys.readouterr().out


def test_status_of_a_ga467_reader(capsys, ga467_emulator):
    code, out = run(capsys, "status", "--driver", "ga467", "--port", ga467_emulator.path)
    assert code == EXIT_OK
    assert json.loads(out)["state"] == "online" and json.loads(out)["self_test"] is True


def test_read_is_masked_by_default_and_full_with_unmasked(capsys, ga467_emulator):
    ga467_emulator.insert(RESIDENT)
    code, out = run(capsys, "read", "--driver", "ga467", "--port", ga467_emulator.path, "--timeout", "20")
    assert code == EXIT_OK
    data = json.loads(out)
    assert data["document_number"] == "4690**********1234" and data["name"] == "王*"
    assert "469023195801041234" not in out and "王建国" not in out and "文化北路" not in out
    assert data["birth_date"] == "1958-**-**" and data["valid_until"] == "长期"
    assert data["photo"] == {"format": "wlt", "bytes": 1024}
    code, out = run(capsys, "read", "--driver", "ga467", "--port", ga467_emulator.path, "--unmasked")
    data = json.loads(out)
    assert code == EXIT_OK and data["document_number"] == "469023195801041234" and data["name"] == "王建国"


def test_exit_codes_no_card_reader_missing_read_failed(capsys, ga467_emulator, tmp_path):
    code, out = run(capsys, "read", "--driver", "ga467", "--port", ga467_emulator.path, "--timeout", "0.5")
    assert code == EXIT_NO_CARD and json.loads(out)["error"] == "no card"
    code, _ = run(capsys, "read", "--driver", "ga467", "--port", str(tmp_path / "ttyUSB9"))
    assert code == EXIT_NO_READER
    code, _ = run(capsys, "status", "--driver", "ga467", "--port", str(tmp_path / "ttyUSB9"))
    assert code == EXIT_NO_READER
    ga467_emulator.pull_card_on_read = True
    ga467_emulator.insert(RESIDENT)
    code, out = run(capsys, "read", "--driver", "ga467", "--port", ga467_emulator.path, "--timeout", "20")
    assert code == EXIT_READ_FAILED and "again" in json.loads(out)["reason"]


def test_passport_read_with_mrz_through_pcscd(capsys, pcscd):
    holder = PassportHolder()
    card = VpcdCard(EPassportChip(holder), port=pcscd.vpcd_port)
    card.insert()
    try:
        assert card.connected.wait(20)
        code, out = run(capsys, "read", "--driver", "pcsc", "--reader", "Virtual PCD",
                        "--mrz", "L898902C<,690806,940623", "--timeout", "20")
        assert code == EXIT_OK, out
        data = json.loads(out)
        assert data["kind"] == "passport" and data["nationality"] == "UTO" and "ERIKSSON" not in out
        assert data["photo"]["format"] == "jpeg"
        code, out = run(capsys, "read", "--driver", "pcsc", "--mrz", "L898902C<,690806,940624", "--timeout", "20")
        assert code == EXIT_READ_FAILED and "check the passport details" in json.loads(out)["reason"]
    finally:
        card.remove()
    code, _ = run(capsys, "status", "--driver", "pcsc", "--reader", "no such reader")
    assert code == EXIT_NO_READER
