"""The nightly backups' retention (`kiosk-backoffice backup DIR --keep N`, run by
chengmai-backoffice-backup.timer): the newest N backups stay, older ones go, and nothing
in the folder that is not a backup is touched; without a passphrase a timer's run fails
at once, saying so, instead of waiting for someone to type one."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from backoffice.backup_retention import backups, prune
from tests.api.command_line import backoffice_cli


def fake_backup(folder: Path, stamp: str) -> Path:
    made = folder / f"backoffice-{stamp}"
    made.mkdir(parents=True)
    (made / "manifest.json").write_text(json.dumps({"taken_at": stamp}))
    return made


def test_prune_keeps_the_newest_n_and_nothing_else_is_touched(tmp_path):
    made = [fake_backup(tmp_path, f"2026120{day}T023000Z") for day in range(1, 6)]
    (tmp_path / "backoffice-half-written").mkdir()  # no manifest: not a backup (yet)
    (tmp_path / "notes.txt").write_text("the county's own file\n")
    gone = prune(tmp_path, 3)
    assert gone == made[:2]
    assert backups(tmp_path) == made[2:]
    assert (tmp_path / "backoffice-half-written").is_dir() and (tmp_path / "notes.txt").is_file()
    assert prune(tmp_path, 3) == []
    with pytest.raises(ValueError):
        prune(tmp_path, 0)


def test_backup_keep_prunes_after_taking_the_new_one(tmp_path):
    var = tmp_path / "var"
    assert backoffice_cli(var, "migrate").returncode == 0
    folder = tmp_path / "backups"
    old = [fake_backup(folder, stamp) for stamp in ("20200101T023000Z", "20200102T023000Z")]
    taken = backoffice_cli(var, "backup", str(folder), "--keep", "2")
    assert taken.returncode == 0, taken.stderr
    new = Path(taken.stdout.strip().splitlines()[-1])
    assert backups(folder) == [old[1], new]
    assert f"deleted {old[0]}" in taken.stderr
    refused = backoffice_cli(var, "backup", str(folder), "--keep", "0")
    assert refused.returncode == 2 and "1 or more" in refused.stderr


def test_a_timer_run_without_the_passphrase_fails_at_once(tmp_path):
    var = tmp_path / "var"
    assert backoffice_cli(var, "migrate").returncode == 0
    env = {**os.environ, "BACKOFFICE_VAR_DIR": str(var), "BACKOFFICE_BACKUP_PASSPHRASE": "",
           "BACKOFFICE_DATABASE_URL": f"sqlite:///{var / 'backoffice.db'}"}
    try:  # as under systemd: no terminal to ask on
        run = subprocess.run([sys.executable, "-m", "backoffice", "backup", str(tmp_path / "backups"), "--keys"],
                             env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("waited for a passphrase nobody can type")
    assert run.returncode == 1 and "BACKOFFICE_BACKUP_PASSPHRASE" in run.stderr
    assert "Traceback" not in run.stderr
    assert backups(tmp_path / "backups") == []
