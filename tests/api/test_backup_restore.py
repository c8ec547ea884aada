"""`kiosk-backoffice backup` and `restore` as a county's operator runs them: a backup taken
while the server works, a day's changes after it, the server stopped and the backup put
back: the cases are those of the backup, the audit chain is intact, staff tokens are
ended, the keys come back only with their passphrase, and a damaged backup is refused."""
from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
import requests

from demo.embedded_backoffice import EmbeddedBackoffice
from tests.api.command_line import backoffice_cli
from tests.api.submissions import application

PASSPHRASE = {"BACKOFFICE_BACKUP_PASSPHRASE": "correct horse battery staple"}
FOOD = "469023-XK-SCJG-0031"


def clerk(server) -> dict[str, str]:
    token = requests.post(f"{server.url}/v1/auth/token", json={"username": "clerk01", "password": "chengmai-demo"},
                          timeout=30).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def case_numbers(server, headers) -> set[str]:
    answer = requests.post(f"{server.url}/v1/cases/search", json={"applicant": "469023195801041234"},
                           headers=headers, timeout=30)
    assert answer.status_code == 200, answer.text
    return {c["number"] for c in answer.json()["cases"]}


def submit(server, headers) -> str:
    guide = requests.get(f"{server.url}/v1/catalogue/items/{FOOD}", timeout=30).json()
    made = requests.post(f"{server.url}/v1/cases", json=application(guide), timeout=30,
                         headers={**headers, "Idempotency-Key": uuid.uuid4().hex})
    assert made.status_code == 201, made.text
    return made.json()["case"]["number"]


@pytest.fixture
def server(tmp_path):
    bo = EmbeddedBackoffice(database=tmp_path / "var" / "backoffice.db", log_file=tmp_path / "backoffice.log")
    yield bo
    bo.stop()


def test_a_backup_brings_back_its_cases_with_the_chain_intact_and_no_staff_token(server, tmp_path):
    var = tmp_path / "var"
    with server:
        headers = clerk(server)
        submit(server, headers)
        before = case_numbers(server, headers)
        taken = backoffice_cli(var, "backup", str(tmp_path / "backups"), "--keys", env_extra=PASSPHRASE)
        assert taken.returncode == 0, taken.stderr
        backup = Path(taken.stdout.strip().splitlines()[-1])
        after_backup = submit(server, headers)  # the day goes on after the backup
        assert after_backup in case_numbers(server, headers)
    assert json.loads((backup / "manifest.json").read_text())["keys"] == "keys.sealed"
    assert (backup / "keys.sealed").stat().st_mode & 0o077 == 0

    keys_file = tmp_path / "restored-keys.env"
    restored = backoffice_cli(var, "restore", str(backup), "--keys-to", str(keys_file), env_extra=PASSPHRASE)
    assert restored.returncode == 0, restored.stderr
    assert json.loads(restored.stdout.strip().splitlines()[-1])["staff_tokens_ended"] >= 1
    install = json.loads((var / "backoffice.secrets.json").read_text())
    assert f"BACKOFFICE_DATA_KEY={install['data_key']}" in keys_file.read_text()
    assert keys_file.stat().st_mode & 0o077 == 0

    with server:
        assert requests.post(f"{server.url}/v1/cases/search", json={"applicant": "469023195801041234"},
                             headers=headers, timeout=30).status_code == 401  # a token from before: ended
        fresh = clerk(server)
        assert case_numbers(server, fresh) == before  # personal data still opens: the keys are right
        verified = backoffice_cli(var, "audit", "verify")
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert json.loads(verified.stdout)["intact"] is True


def test_a_damaged_backup_or_a_wrong_passphrase_is_refused_and_changes_nothing(server, tmp_path):
    var = tmp_path / "var"
    with server:
        taken = backoffice_cli(var, "backup", str(tmp_path / "backups"), "--keys", env_extra=PASSPHRASE)
        assert taken.returncode == 0, taken.stderr
    backup = Path(taken.stdout.strip().splitlines()[-1])
    wrong = backoffice_cli(var, "restore", str(backup), "--keys-to", str(tmp_path / "k.env"),
                           env_extra={"BACKOFFICE_BACKUP_PASSPHRASE": "not the passphrase at all"})
    assert wrong.returncode == 1 and "do not open with this passphrase" in wrong.stderr
    database = backup / "database.sqlite"
    database.write_bytes(database.read_bytes()[:-1] + b"\x00")
    damaged = backoffice_cli(var, "restore", str(backup))
    assert damaged.returncode == 1 and "does not match its manifest" in damaged.stderr
    assert "Traceback" not in damaged.stderr + wrong.stderr
