"""Maintenance PIN (hash, lockout, audit), the card allowlist, and `kiosk-diag maintenance`.

Every time comes from a fake clock: nothing here depends on when it runs."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest

from devices.idcard.pcsc import uid_from_response
from kiosk.maintenance.access import LockoutPolicy, MaintenanceAccess, PinManagedInConfig, PinRefused, Result
from kiosk.maintenance.card import allowlist_from_config, card_allowed, hash_card_uid
from kiosk.maintenance.hashing import hash_secret, verify_secret
from kiosk.paths import REPO_ROOT

PIN = "482916"
WRONG = "482917"
LOCK_S = LockoutPolicy().base_lock_s


class FakeClock:
    def __init__(self, now: float = 1_800_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def access(tmp_path, clock) -> MaintenanceAccess:
    access = MaintenanceAccess(tmp_path, clock=clock)
    access.set_pin(PIN, by="test")
    return access


def fail(access: MaintenanceAccess, times: int) -> None:
    for _ in range(times):
        assert access.try_pin(WRONG).result is Result.WRONG_PIN


def audit_lines(access: MaintenanceAccess) -> list[dict]:
    return [json.loads(line) for line in access.audit.path.read_text(encoding="utf-8").splitlines()]


# The PIN.

def test_the_right_pin_opens(access):
    outcome = access.try_pin(PIN)
    assert outcome.granted and outcome.result is Result.GRANTED
    assert outcome.failures == 0 and outcome.locked_until is None


def test_a_wrong_pin_is_counted_and_a_success_clears_the_count(access):
    outcome = access.try_pin(WRONG)
    assert not outcome.granted
    assert (outcome.failures, outcome.attempts_left) == (1, 4)
    assert access.status().failures == 1
    assert access.try_pin(PIN).granted
    assert access.status().failures == 0


def test_five_failures_lock_and_even_the_right_pin_is_refused(access, clock):
    fail(access, 4)
    assert not access.status().locked
    fifth = access.try_pin(WRONG)
    assert fifth.locked_until == clock.now + LOCK_S and fifth.attempts_left == 0
    refused = access.try_pin(PIN)
    assert refused.result is Result.LOCKED and not refused.granted
    assert refused.failures == 5  # attempts while locked are not guesses


def test_the_lock_expires_with_the_clock_and_doubles_on_the_next_failure(access, clock):
    fail(access, 5)
    clock.advance(LOCK_S - 1)
    assert access.try_pin(PIN).result is Result.LOCKED
    clock.advance(1)
    sixth = access.try_pin(WRONG)
    assert sixth.locked_until == clock.now + 2 * LOCK_S
    clock.advance(2 * LOCK_S)
    assert access.try_pin(PIN).granted


def test_the_lock_survives_a_restart(access, tmp_path, clock):
    fail(access, 5)
    restarted = MaintenanceAccess(tmp_path, clock=clock)
    assert restarted.status().locked
    assert restarted.try_pin(PIN).result is Result.LOCKED


def test_a_clock_set_back_does_not_stretch_the_lock(access, clock):
    fail(access, 5)
    clock.advance(-86_400)
    assert access.status().locked_until == clock.now + LOCK_S
    clock.advance(LOCK_S)
    assert access.try_pin(PIN).granted


def test_a_damaged_lockout_file_locks_instead_of_resetting(access):
    access.lock_file.write_text("{not json")
    assert access.try_pin(PIN).result is Result.LOCKED


def test_the_hash_file_holds_a_salted_scrypt_hash_and_never_the_pin(access, tmp_path, clock):
    text = access.pin_file.read_text()
    assert PIN not in text
    assert text.startswith("$scrypt$n=16384,r=8,p=1$")
    assert stat.S_IMODE(access.pin_file.stat().st_mode) == 0o600
    again = MaintenanceAccess(tmp_path, clock=clock)
    again.set_pin(PIN, by="test")
    assert again.pin_file.read_text() != text  # a fresh salt each time


def test_the_audit_has_one_line_per_attempt_and_never_the_pin(access, clock):
    fail(access, 5)
    access.try_pin(PIN)  # refused: locked
    clock.advance(LOCK_S)
    access.try_pin(PIN)
    attempts = [line for line in audit_lines(access) if line["event"] == "pin"]
    assert [a["outcome"] for a in attempts] == ["wrong_pin"] * 5 + ["locked", "granted"]
    assert [a["failures"] for a in attempts] == [1, 2, 3, 4, 5, 5, 0]
    assert attempts[4]["locked_until"] is not None and attempts[0]["locked_until"] is None
    assert all(set(a) == {"t", "event", "outcome", "failures", "locked_until"} for a in attempts)
    text = access.audit.path.read_text(encoding="utf-8")
    assert PIN not in text and WRONG not in text
    assert stat.S_IMODE(access.audit.path.stat().st_mode) == 0o600


@pytest.mark.parametrize("pin", ["", "48291", "12345", "abcdef", "4829 16", "１２３４５６",
                                 "1234567890123", "777777", "123456", "987654"])
def test_short_or_guessable_pins_are_refused_at_set_pin(tmp_path, clock, pin):
    access = MaintenanceAccess(tmp_path, clock=clock)
    with pytest.raises(PinRefused):
        access.set_pin(pin, by="test")
    assert not access.pin_file.exists()


def test_without_a_pin_nobody_enters_and_nothing_is_counted(tmp_path, clock):
    access = MaintenanceAccess(tmp_path, clock=clock)
    outcome = access.try_pin(PIN)
    assert outcome.result is Result.NO_PIN and outcome.failures == 0
    assert access.status().pin_source is None


def test_a_pin_hash_from_kiosk_toml_is_used_and_set_pin_refuses(tmp_path, clock):
    access = MaintenanceAccess(tmp_path, configured_hash=hash_secret(PIN.encode()), clock=clock)
    assert access.try_pin(PIN).granted
    assert access.status().pin_source == "config"
    with pytest.raises(PinManagedInConfig):
        access.set_pin("583920", by="test")


def test_a_malformed_or_tampered_hash_closes_pin_entry(tmp_path, clock):
    access = MaintenanceAccess(tmp_path, configured_hash="$scrypt$n=1073741824,r=8,p=1$AAAA$AAAA", clock=clock)
    assert access.try_pin(PIN).result is Result.NO_PIN
    with pytest.raises(ValueError):
        verify_secret(PIN.encode(), "plain-text")


# The maintenance card.

UID = bytes.fromhex("04A23B1C5D6E80")


def test_the_uid_comes_from_get_datas_answer_only_on_success():
    assert uid_from_response(UID + b"\x90\x00") == UID
    assert uid_from_response(b"\x6a\x81") is None  # contact card: no UID
    assert uid_from_response(b"\x01\x02\x90\x00") is None  # not a 14443 UID length


def test_only_allowlisted_cards_are_accepted():
    allowlist = ["not-a-hash", hash_card_uid(bytes.fromhex("11223344")), hash_card_uid(UID)]
    assert card_allowed(UID, allowlist)
    assert not card_allowed(bytes.fromhex("04A23B1C5D6E81"), allowlist)
    assert not card_allowed(b"", allowlist)
    assert not card_allowed(UID, [])


def test_random_uids_cannot_be_enrolled():
    with pytest.raises(ValueError):
        hash_card_uid(bytes.fromhex("08123456"))


def test_an_allowlist_from_the_environment_is_split_on_spaces_not_commas():
    first, second = hash_card_uid(UID), hash_card_uid(bytes.fromhex("11223344"))
    assert allowlist_from_config({"card_hashes": f"{first} {second}"}) == [first, second]
    assert allowlist_from_config({}) == []


def test_a_card_opens_while_the_pin_is_locked_and_is_audited_without_its_uid(tmp_path, clock):
    access = MaintenanceAccess(tmp_path, card_allowlist=[hash_card_uid(UID)], clock=clock)
    access.set_pin(PIN, by="test")
    fail(access, 5)
    assert access.try_card(UID).granted
    assert access.try_card(bytes.fromhex("11223344")).result is Result.UNKNOWN_CARD
    cards = [line for line in audit_lines(access) if line["event"] == "card"]
    assert [c["outcome"] for c in cards] == ["granted", "unknown_card"]
    text = access.audit.path.read_text().lower()
    assert UID.hex() not in text and "11223344" not in text


# kiosk-diag maintenance, as a technician runs it.

def diag(tmp_path, *args, stdin: str = "", **env) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK__")}
    environ.update({"KIOSK__KIOSK__VAR_DIR": str(tmp_path)}, **env)
    return subprocess.run([sys.executable, "-m", "kiosk.diag", "maintenance", *args], input=stdin,
                          capture_output=True, text=True, cwd=REPO_ROOT, env=environ, timeout=60)


def test_cli_set_pin_from_stdin_then_status(tmp_path, clock):
    done = diag(tmp_path, "set-pin", "--pin-stdin", "--by", "ci", stdin=PIN + "\n")
    assert done.returncode == 0, done.stderr
    assert PIN not in done.stdout + done.stderr
    access = MaintenanceAccess(tmp_path, clock=clock)
    assert access.try_pin(WRONG).result is Result.WRONG_PIN
    assert access.try_pin(PIN).granted
    assert any(line["event"] == "pin_set" and line["by"] == "ci" for line in audit_lines(access))

    access.try_pin(WRONG)
    status = diag(tmp_path, "status")
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout) == {"pin_set": True, "pin_source": "file", "locked": False,
                                         "locked_until": None, "failures": 1}


def test_cli_refuses_a_short_pin_and_a_pin_managed_in_kiosk_toml(tmp_path):
    short = diag(tmp_path, "set-pin", "--pin-stdin", stdin="48291\n")
    assert short.returncode == 3 and "6 to 12 digits" in short.stderr
    assert not (tmp_path / "maintenance" / "pin.hash").exists()
    managed = diag(tmp_path, "set-pin", "--pin-stdin", stdin=PIN + "\n",
                   KIOSK__MAINTENANCE__PIN_HASH=hash_secret(b"583920"))
    assert managed.returncode == 4 and "kiosk.toml" in managed.stderr
