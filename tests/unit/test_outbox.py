"""The outbox file on its own: encrypted at rest, durable, ordered, one row per key."""
from __future__ import annotations

import sqlite3
import stat

import pytest

from services.outbox import KEY_BYTES, Outbox, OutboxKeyError, load_or_create_key

ID_NUMBER = "469023195801041234"
PAYLOAD = {"applicant": {"document_number": ID_NUMBER, "name": "王建国"}, "contact_phone": "13907561234",
           "materials": [{"code": "m1", "content_b64": "SlBFR2RhdGE="}]}


@pytest.fixture
def outbox(tmp_path):
    box = Outbox(tmp_path / "outbox" / "outbox.sqlite", load_or_create_key(tmp_path / "etc" / "outbox.key"),
                 terminal_id="CM-KIOSK-0001")
    yield box
    box.close()


def raw_bytes(box: Outbox) -> bytes:
    """Everything on the disk: the database and its write-ahead log."""
    return b"".join(p.read_bytes() for p in box.path.parent.iterdir() if p.is_file())


def test_key_file_is_private_and_reused(tmp_path):
    path = tmp_path / "etc" / "outbox.key"
    first = load_or_create_key(path)
    assert len(first) == KEY_BYTES
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_key(path) == first


def test_payload_is_not_in_clear_on_disk(outbox):
    item = outbox.put("application", PAYLOAD, "key-1", applicant=ID_NUMBER)
    on_disk = raw_bytes(outbox)
    for secret in (ID_NUMBER, "王建国", "13907561234", "SlBFR2RhdGE="):
        assert secret.encode() not in on_disk
    assert "王建国".encode("utf-8") not in on_disk and "13907561234".encode("utf-16-le") not in on_disk
    assert outbox.payload(item) == PAYLOAD


def test_another_key_cannot_open_it(outbox, tmp_path):
    item = outbox.put("application", PAYLOAD, "key-1")
    stranger = Outbox(outbox.path, bytes(KEY_BYTES))
    with pytest.raises(OutboxKeyError):
        stranger.payload(stranger.get(item.id))
    stranger.close()


def test_payload_cannot_be_moved_to_another_row(outbox):
    """The kind and idempotency key are bound to the ciphertext."""
    first = outbox.put("application", PAYLOAD, "key-1")
    second = outbox.put("rating", {"level": 5}, "key-2")
    db = sqlite3.connect(outbox.path)
    db.execute("UPDATE items SET payload = (SELECT payload FROM items WHERE id = ?) WHERE id = ?",
               (first.id, second.id))
    db.commit()
    db.close()
    with pytest.raises(OutboxKeyError):
        outbox.payload(outbox.get(second.id))


def test_same_key_twice_is_one_item(outbox):
    a = outbox.put("application", PAYLOAD, "key-1")
    b = outbox.put("application", PAYLOAD, "key-1")
    assert a.id == b.id and a.reference == b.reference
    assert outbox.stats()["pending"] == 1


def test_references_count_up_per_day(outbox):
    refs = [outbox.put("rating", {"n": n}, f"k{n}").reference for n in range(3)]
    assert refs[0].startswith("L0001-") and refs[0].endswith("-001")
    assert [r[-3:] for r in refs] == ["001", "002", "003"]


def test_delivered_erases_the_payload_and_keeps_the_case_number(outbox):
    item = outbox.put("application", PAYLOAD, "key-1", applicant=ID_NUMBER)
    outbox.delivered(item.id, {"case_number": "CM2026112700001"})
    db = sqlite3.connect(outbox.path)
    assert db.execute("SELECT payload FROM items WHERE id = ?", (item.id,)).fetchone()[0] is None
    db.close()
    mine = outbox.for_applicant(ID_NUMBER.lower())
    assert [i.case_number for i in mine] == ["CM2026112700001"]
    assert outbox.for_applicant("11010519491231002X") == []
    assert outbox.stats() == {"pending": 0, "parked": 0, "oldest_pending_s": None, "last_error": ""}


def test_pending_in_order_and_backoff_respected(tmp_path):
    now = [1000.0]
    box = Outbox(tmp_path / "o.sqlite", bytes(range(32)), clock=lambda: now[0])
    a, b, c = (box.put("rating", {"n": n}, f"k{n}") for n in range(3))
    box.retry_later(b.id, "unreachable", 30)
    assert [i.id for i in box.pending(due_by=now[0])] == [a.id, c.id]
    assert [i.id for i in box.pending()] == [a.id, b.id, c.id]
    now[0] += 31
    assert [i.id for i in box.pending(due_by=now[0])] == [a.id, b.id, c.id]
    assert box.get(b.id).attempts == 1 and box.get(b.id).last_error == "unreachable"
    box.park(a.id, "422 Unprocessable")
    assert box.stats()["parked"] == 1 and box.stats()["last_error"] == "unreachable"
    assert box.requeue_parked() == 1
    assert box.get(a.id).state == "pending" and box.get(a.id).attempts == 0
    box.close()


def test_survives_reopening(tmp_path):
    key = bytes(range(32))
    box = Outbox(tmp_path / "o.sqlite", key)
    item = box.put("application", PAYLOAD, "key-1")
    box.close()
    again = Outbox(tmp_path / "o.sqlite", key)
    assert again.payload(again.get(item.id)) == PAYLOAD
    assert again.db_settings() == ("wal", 2)
    again.close()


def test_counts_are_read_without_the_key_and_judged(tmp_path):
    from kiosk.ops.readiness import Verdict, check_outbox
    from services.outbox import read_stats

    path = tmp_path / "o.sqlite"
    assert read_stats(path) is None and check_outbox(None) is None
    now = [1000.0]
    box = Outbox(path, bytes(range(32)), clock=lambda: now[0])
    first = box.put("application", PAYLOAD, "k1")
    stats = read_stats(path, now=1000.0 + 30)
    assert stats["pending"] == 1 and stats["oldest_pending_s"] == 30.0
    assert check_outbox(stats).verdict is Verdict.READY
    assert check_outbox(read_stats(path, now=1000.0 + 7200)).verdict is Verdict.DEGRADED
    box.park(first.id, "422 Unprocessable Entity")
    held = check_outbox(read_stats(path, now=1000.0 + 30))
    assert held.verdict is Verdict.DEGRADED and held.parked == 1 and "422" in held.reason
    box.close()


def test_the_sender_prunes_delivered_rows_after_their_month(tmp_path):
    """Delivered rows (no payload, the applicant's keyed hash and the case number) answer
    "where is my application?" for a month, then go; pending and parked rows stay."""
    from services.outbox_sender import OutboxSender

    now = [1_800_000_000.0]
    box = Outbox(tmp_path / "outbox.sqlite", load_or_create_key(tmp_path / "outbox.key"), clock=lambda: now[0])
    sender = OutboxSender(box, {}, keep_delivered_s=30 * 86400, prune_every_s=3600)
    old = box.put("application", PAYLOAD, "key-old", applicant=ID_NUMBER)
    box.delivered(old.id, {"case_number": "469023-0001"})
    waiting = box.put("application", PAYLOAD, "key-waiting", applicant=ID_NUMBER)
    parked = box.put("rating", {"level": 1}, "key-parked")
    box.park(parked.id, "refused")
    now[0] += 29 * 86400
    assert sender.prune_when_due(0.0) == 0 and box.get(old.id) is not None  # within the month
    now[0] += 2 * 86400
    assert sender.prune_when_due(1800.0) == 0  # pruned half an hour ago: not yet again
    assert sender.prune_when_due(3600.0) == 1
    assert box.get(old.id) is None and box.get(waiting.id) is not None and box.get(parked.id) is not None
    box.close()


def test_a_parked_item_is_tried_again_by_itself_after_hours_not_at_once(tmp_path):
    """Before, a parked item waited for staff however long: a fixed back office never saw
    it. Now the sender puts it back in line once it has been parked `revive_parked_s`."""
    from services.outbox_sender import OutboxSender

    now = [1000.0]
    box = Outbox(tmp_path / "o.sqlite", bytes(range(32)), clock=lambda: now[0])
    held = box.put("application", PAYLOAD, "k1")
    box.park(held.id, "500 Internal Server Error")
    sender = OutboxSender(box, {}, revive_parked_s=6 * 3600)
    now[0] += 3600
    assert sender.revive_parked() == 0 and box.get(held.id).state == "parked"
    now[0] += 5 * 3600
    assert sender.revive_parked() == 1
    again = box.get(held.id)
    assert again.state == "pending" and again.attempts == 0 and again.next_attempt_at == now[0]
    box.close()


def test_a_clock_set_back_does_not_hold_an_item_for_the_hours_it_jumped(tmp_path):
    """A retry written at 10:00 for 10:02 waited until 10:02 came round again when the
    clock was then set back two hours; a deadline further off than the longest backoff is
    now taken as due."""
    from services.outbox_sender import Backoff, OutboxSender

    now = [10 * 3600.0]
    box = Outbox(tmp_path / "o.sqlite", bytes(range(32)), clock=lambda: now[0])
    item = box.put("application", PAYLOAD, "k1")
    box.retry_later(item.id, "500 Internal Server Error", 120)
    sent = []
    sender = OutboxSender(box, {"application": lambda payload, key: (sent.append(key) or ("ok", {}))},
                          backoff=Backoff(cap_s=300), clock=lambda: now[0])
    now[0] += 60
    assert sender.flush() == 0 and sent == []  # a minute later: still waiting its two
    now[0] -= 2 * 3600
    assert sender.flush() == 1 and sent == ["k1"]
    box.close()
