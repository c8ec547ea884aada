"""`kiosk-backoffice` from a shell: migrate, seed, create-staff, register-terminal, sweep."""
import json

import requests

from backoffice import migrations_runner
from demo.embedded_backoffice import EmbeddedBackoffice
from tests.api.command_line import backoffice_cli


def run(tmp_path, *args, env_extra=None):
    done = backoffice_cli(tmp_path, *args, env_extra=env_extra)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_commands_end_to_end(tmp_path):
    assert f"schema at {migrations_runner.head_revision()}" in run(tmp_path, "migrate")
    seeded = json.loads(run(tmp_path, "seed").split("seed: ", 1)[1])
    assert seeded["catalogue"]["items"] >= 40 and seeded["cases"] >= 11
    assert "nothing to do" in run(tmp_path, "seed")  # idempotent
    assert "created approver li.approver" in run(tmp_path, "create-staff", "li.approver", "--role", "approver",
                                                  "--department", "MZ",
                                                  env_extra={"BACKOFFICE_NEW_PASSWORD": "a-long-password"})
    terminal = json.loads(run(tmp_path, "register-terminal", "CM-KIOSK-0100", "--name", "永发镇"))
    assert terminal["id"] == "CM-KIOSK-0100" and len(terminal["secret"]) >= 32
    swept = json.loads(run(tmp_path, "sweep"))
    assert swept["ran"] and swept["alerts"] >= 1  # the new terminal has never sent a heartbeat

    server = EmbeddedBackoffice(database=tmp_path / "backoffice.db", seed_demo=False)
    with server:
        answer = requests.post(f"{server.url}/v1/auth/token",
                               json={"username": "li.approver", "password": "a-long-password"}, timeout=10)
        assert answer.status_code == 200 and answer.json()["department_code"] == "MZ"


def test_serve_refuses_several_workers_on_sqlite(tmp_path):
    """SQLite serves from one process: several would fight over its write lock, so the
    command says so before touching the database."""
    done = backoffice_cli(tmp_path, "serve", "--workers", "2", "--migrate")
    assert done.returncode == 2
    assert "SQLite serves from one process; --workers needs PostgreSQL" in done.stderr
    assert not (tmp_path / "backoffice.db").exists()
    assert backoffice_cli(tmp_path, "serve", "--workers", "0").returncode == 2  # not a count
