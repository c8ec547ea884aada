"""Staff get into maintenance mode on a kiosk whose disk is full (the moment they are most
needed): the PIN still opens it, wrong PINs still lock (in memory, as the disk refuses the
counter), and an audit entry that cannot be written goes to the log instead. The disk is
a real filesystem filled up: a small tmpfs."""
from __future__ import annotations

import errno
import os
import subprocess

import pytest

from kiosk.maintenance.access import LockoutPolicy, MaintenanceAccess, Result

PIN = "482916"


@pytest.fixture
def full_disk(tmp_path):
    mount = tmp_path / "var"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"mounting a small tmpfs needs root: {made.stderr.decode(errors='replace').strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(folder) -> None:
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError as exc:
        assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)


class Clock:
    now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_the_pin_opens_maintenance_on_a_full_disk(full_disk, caplog):
    """Before, the counter's write raised and the PIN was never checked."""
    access = MaintenanceAccess(full_disk, clock=Clock(), policy=LockoutPolicy(free_failures=3))
    access.set_pin(PIN, by="test")
    fill(full_disk)
    assert access.try_pin("000001").result is Result.WRONG_PIN
    assert access.try_pin(PIN).granted
    assert "lockout state not saved" in caplog.text
    assert not list(full_disk.glob("maintenance/.*.tmp"))  # no half-written counter left


def test_wrong_pins_still_lock_when_the_disk_refuses_the_counter(full_disk):
    access = MaintenanceAccess(full_disk, clock=Clock(), policy=LockoutPolicy(free_failures=3))
    access.set_pin(PIN, by="test")
    fill(full_disk)
    outcomes = [access.try_pin("000001").result for _ in range(3)]
    assert outcomes[-1] is Result.WRONG_PIN and access.status().locked
    assert access.try_pin(PIN).result is Result.LOCKED  # no free guesses for a full disk
