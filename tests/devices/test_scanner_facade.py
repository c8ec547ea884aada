"""The scanner facade over the simulated backend: debounce, session reset, a failing
backend or listener does not stop scanning, and the profile picks the backend."""
import queue

import pytest

from devices.health import DeviceState
from devices.scanner import Debouncer, Scanner, build_scanner
from devices.scanner.sim import SimulatedScannerBackend


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_debounce_lets_the_same_payload_through_only_after_the_interval():
    clock = Clock()
    d = Debouncer(2.0, clock)
    assert d.accept(b"A")
    clock.now += 1.0
    assert not d.accept(b"A")  # still held in front of the camera
    assert d.accept(b"B")
    clock.now += 1.5
    assert not d.accept(b"A")  # seen 1.5 s ago: the interval counts from the last sighting
    clock.now += 2.0
    assert d.accept(b"A")
    d.forget()
    assert d.accept(b"A")


def test_sim_codes_reach_listeners_debounced_and_reset_per_session():
    backend = SimulatedScannerBackend()
    scanner = Scanner(backend, debounce_s=60)
    events: queue.Queue = queue.Queue()
    scanner.subscribe(events.put)
    scanner.open()
    try:
        assert scanner.status().state is DeviceState.ONLINE
        backend.scan("CMAPT1:XYZ")
        backend.scan("CMAPT1:XYZ")
        assert events.get(timeout=2).code.data == b"CMAPT1:XYZ"
        with pytest.raises(queue.Empty):
            events.get(timeout=0.5)
        scanner.reset_session()
        backend.scan("CMAPT1:XYZ")
        assert events.get(timeout=2).code.text == "CMAPT1:XYZ"
    finally:
        scanner.close()


def test_a_failing_backend_and_a_failing_listener_do_not_stop_scanning():
    class Flaky(SimulatedScannerBackend):
        failures = 2

        def poll(self, timeout):
            if self.failures:
                self.failures -= 1
                raise RuntimeError("driver glitch")
            return super().poll(timeout)

    backend = Flaky()
    scanner = Scanner(backend, debounce_s=0)
    scanner.POLL_INTERVAL = 0.05
    events: queue.Queue = queue.Queue()
    scanner.subscribe(lambda e: 1 / 0)
    scanner.subscribe(events.put)
    scanner.open()
    try:
        backend.scan(b"\x00\xff binary")
        assert events.get(timeout=5).code.data == b"\x00\xff binary"
    finally:
        scanner.close()


def test_profile_picks_the_backend_and_refuses_unknown_drivers():
    assert build_scanner({"driver": "sim"}).backend.name == "sim"
    assert build_scanner({"driver": "serial", "serial_port": "/dev/ttyS99"}).backend.name == "serial"
    assert build_scanner({"driver": "hid", "hid_path": "/dev/input/event99"}).backend.name == "hid"
    with pytest.raises(ValueError):
        build_scanner({"driver": "laser"})
