"""systemd notifications (kiosk/appliance/watchdog.py) against a real AF_UNIX datagram socket the
test binds, as systemd's NOTIFY_SOCKET: a path, and an abstract-namespace name ('@...')."""
from __future__ import annotations

import os
import socket
import uuid

import pytest

from kiosk.appliance.watchdog import Notifier, UiWatchdog


@pytest.fixture
def path_socket(tmp_path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    address = str(tmp_path / "notify")
    sock.bind(address)
    sock.settimeout(5)
    yield address, sock
    sock.close()


@pytest.fixture
def abstract_socket():
    name = f"chengmai-kiosk-test-{uuid.uuid4().hex}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind("\0" + name)
    sock.settimeout(5)
    yield "@" + name, sock
    sock.close()


def received(sock) -> list[str]:
    return sock.recv(4096).decode().split("\n")


def test_ready_keep_alive_and_stopping_reach_a_path_socket(path_socket):
    address, sock = path_socket
    notifier = Notifier({"NOTIFY_SOCKET": address})
    assert notifier.enabled
    assert notifier.ready("serving")
    assert received(sock) == ["READY=1", "STATUS=serving"]
    assert notifier.keep_alive()
    assert received(sock) == ["WATCHDOG=1"]
    assert notifier.stopping()
    assert received(sock) == ["STOPPING=1"]


def test_abstract_namespace_socket(abstract_socket):
    address, sock = abstract_socket
    notifier = Notifier({"NOTIFY_SOCKET": address})
    assert notifier.ready()
    assert received(sock) == ["READY=1"]


def test_without_notify_socket_nothing_is_sent():
    notifier = Notifier({})
    assert not notifier.enabled
    assert not notifier.ready()
    assert not notifier.keep_alive()
    assert notifier.watchdog_interval_s is None


def test_a_vanished_supervisor_is_reported_not_raised(tmp_path):
    notifier = Notifier({"NOTIFY_SOCKET": str(tmp_path / "gone")})
    assert notifier.enabled
    assert notifier.keep_alive() is False


def test_watchdog_interval_is_for_this_process_only():
    assert Notifier({"WATCHDOG_USEC": "30000000"}).watchdog_interval_s == 30.0
    assert Notifier({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": str(os.getpid())}).watchdog_interval_s == 30.0
    assert Notifier({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}).watchdog_interval_s is None
    assert Notifier({"WATCHDOG_USEC": "0"}).watchdog_interval_s is None
    assert Notifier({"WATCHDOG_USEC": "soon"}).watchdog_interval_s is None


class ManualClock:
    """Stands in for Kivy's Clock's scheduling calls: the test fires the callback itself,
    as the UI thread's frame loop would (tests/ui/test_lockdown.py uses the real Clock)."""

    def __init__(self):
        self.scheduled: list[tuple[object, float]] = []

    def schedule_interval(self, callback, interval):
        self.scheduled.append((callback, interval))
        return callback

    def unschedule(self, event):
        self.scheduled = [(cb, i) for cb, i in self.scheduled if cb is not event]


def test_ui_watchdog_feeds_at_half_the_interval(path_socket):
    address, sock = path_socket
    clock = ManualClock()
    watchdog = UiWatchdog(Notifier({"NOTIFY_SOCKET": address, "WATCHDOG_USEC": "30000000"}),
                          clock.schedule_interval, clock.unschedule)
    assert watchdog.start()
    assert received(sock) == ["WATCHDOG=1"]  # at once: the start-up may have used much of it
    [(feed, interval)] = clock.scheduled
    assert interval == 15.0
    feed(interval)
    assert received(sock) == ["WATCHDOG=1"]
    watchdog.stop()
    assert clock.scheduled == [] and not watchdog.feeding


def test_ui_watchdog_without_a_watchdog_does_not_schedule(path_socket):
    address, _sock = path_socket
    clock = ManualClock()
    watchdog = UiWatchdog(Notifier({"NOTIFY_SOCKET": address}), clock.schedule_interval, clock.unschedule)
    assert not watchdog.start()
    assert clock.scheduled == []
