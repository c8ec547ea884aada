"""How long each device has been unable to serve, as the kiosk's heartbeat reports it:
counted from the first report of the fault, back to 0 once it serves again."""
from __future__ import annotations

from kiosk.ops.fleet import NotReadySince


class Clock:
    now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_fault_is_timed_from_its_first_report_and_forgotten_once_mended():
    clock = Clock()
    tracker = NotReadySince(clock)
    assert tracker.mark({"idcard": {"state": "online", "media": None}})["idcard"]["not_ready_s"] == 0
    assert tracker.mark({"idcard": {"state": "hardware_error", "media": None}})["idcard"]["not_ready_s"] == 0
    clock.now += 420
    health = tracker.mark({"idcard": {"state": "offline", "media": None},
                           "receipt_printer": {"state": "online", "media": "jammed"},
                           "scanner": {"state": "busy", "media": None}})
    assert health["idcard"]["not_ready_s"] == 420
    assert health["receipt_printer"]["not_ready_s"] == 0  # jammed just now
    assert health["scanner"]["not_ready_s"] == 0  # busy is serving someone
    clock.now += 30
    assert tracker.mark({"idcard": {"state": "online", "media": None}})["idcard"]["not_ready_s"] == 0
    clock.now += 30
    assert tracker.mark({"idcard": {"state": "offline", "media": None}})["idcard"]["not_ready_s"] == 0  # anew
