"""A damaged outbox (a disk fault, a file cut short) stops nothing: it is set aside beside
itself, never deleted, a fresh one takes the next application, and `kiosk-diag report`
says so. Before, the kiosk could not start at all on such a file."""
from __future__ import annotations

import sqlite3

import pytest

from kiosk.ops.readiness import Verdict, check_outbox
from services.outbox import Outbox, load_or_create_key, read_stats

PAYLOAD = {"applicant": {"document_number": "469023195801041234"}, "answers": {"n": "1"}}


@pytest.fixture
def key(tmp_path):
    return load_or_create_key(tmp_path / "etc" / "outbox.key")


def test_a_file_that_is_not_a_database_cannot_be_opened_as_it_is(tmp_path, key):
    path = tmp_path / "outbox.sqlite"
    path.write_bytes(b"\x00garbage after a disk fault" * 300)
    with pytest.raises(sqlite3.DatabaseError):
        Outbox(path, key)  # the old way: the kiosk stopped at start


@pytest.mark.parametrize("damage", ["garbage", "cut short"])
def test_a_damaged_outbox_is_set_aside_and_a_fresh_one_takes_the_next_application(tmp_path, key, damage):
    path = tmp_path / "outbox.sqlite"
    if damage == "garbage":
        path.write_bytes(b"\x00garbage after a disk fault" * 300)
    else:
        box = Outbox(path, key)
        for n in range(40):
            box.put("application", {**PAYLOAD, "pad": "x" * 4000}, f"key-{n}")
        box.close()
        whole = path.read_bytes()
        path.write_bytes(whole[:len(whole) // 2])  # the file cut short
        for left in (tmp_path / "outbox.sqlite-wal", tmp_path / "outbox.sqlite-shm"):
            left.unlink(missing_ok=True)
    damaged = path.read_bytes()

    box = Outbox.open(path, key, terminal_id="CM-KIOSK-0001")
    item = box.put("application", PAYLOAD, "after")
    assert box.sound() and box.get(item.id).state == "pending"
    box.close()
    (kept,) = [p for p in tmp_path.iterdir() if ".corrupt-" in p.name and not p.name.endswith(("-wal", "-shm"))]
    assert kept.read_bytes() == damaged  # kept as it was, for the county's IT

    stats = read_stats(path)
    assert stats["set_aside"] == [kept.name] and stats["pending"] == 1
    check = check_outbox(stats)
    assert check.verdict is Verdict.DEGRADED and kept.name in check.reason


def test_a_sound_outbox_opens_as_it_is(tmp_path, key):
    path = tmp_path / "outbox.sqlite"
    box = Outbox.open(path, key)
    box.put("application", PAYLOAD, "k1")
    box.close()
    again = Outbox.open(path, key)
    assert again.stats()["pending"] == 1 and read_stats(path)["set_aside"] == []
    again.close()
