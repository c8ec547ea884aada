"""systemd's service notifications, written by hand (no dependency): READY=1 once the
kiosk shows its first screen, WATCHDOG=1 from a Kivy Clock callback, STOPPING=1 on the
way out.

The keep-alive is sent from the UI thread on purpose: a hung UI thread stops feeding, and
systemd (`WatchdogSec=` in deploy/systemd/chengmai-kiosk.service) kills and restarts the
kiosk. Without NOTIFY_SOCKET (a developer's `make run`, the tests) every call is a no-op.
"""
from __future__ import annotations

import logging
import os
import socket
from typing import Callable, Mapping

log = logging.getLogger(__name__)


class Notifier:
    """Sends sd_notify-style datagrams to `$NOTIFY_SOCKET` (a path, or '@name' for the
    abstract namespace)."""

    def __init__(self, environ: Mapping[str, str] | None = None):
        env = os.environ if environ is None else environ
        self.address = _socket_address(env.get("NOTIFY_SOCKET", ""))
        self.watchdog_interval_s = _watchdog_interval(env)
        self._failed = False

    @property
    def enabled(self) -> bool:
        return self.address is not None

    def notify(self, *fields: str) -> bool:
        """One datagram of newline-separated fields. Never blocks and never raises: the UI
        thread sends these, and a supervisor that stopped reading must not hang it."""
        if self.address is None:
            return False
        message = "\n".join(fields).encode("utf-8")
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                sock.sendto(message, socket.MSG_DONTWAIT, self.address)
        except OSError as exc:
            if not self._failed:  # once: a gone supervisor would otherwise fill the log
                log.warning("service notification failed", extra={"error": str(exc)})
            self._failed = True
            return False
        self._failed = False
        return True

    def ready(self, status: str = "") -> bool:
        return self.notify("READY=1", *([f"STATUS={status}"] if status else []))

    def keep_alive(self) -> bool:
        return self.notify("WATCHDOG=1")

    def stopping(self) -> bool:
        return self.notify("STOPPING=1")


class UiWatchdog:
    """Feeds systemd's watchdog from a Kivy Clock callback, at half the interval systemd
    asked for (WATCHDOG_USEC), as sd_watchdog_enabled(3) advises."""

    def __init__(self, notifier: Notifier, schedule_interval: Callable, unschedule: Callable):
        self.notifier = notifier
        self._schedule_interval = schedule_interval
        self._unschedule = unschedule
        self._event = None

    @property
    def feeding(self) -> bool:
        return self._event is not None

    def start(self) -> bool:
        interval = self.notifier.watchdog_interval_s
        if not self.notifier.enabled or interval is None or self._event is not None:
            return False
        self.notifier.keep_alive()
        self._event = self._schedule_interval(self._feed, interval / 2)
        return True

    def stop(self) -> None:
        if self._event is not None:
            self._unschedule(self._event)
            self._event = None

    def _feed(self, _dt=None) -> None:
        self.notifier.keep_alive()


def _socket_address(value: str) -> str | None:
    if not value:
        return None
    if value.startswith("@"):
        return "\0" + value[1:]  # Linux abstract namespace
    return value if value.startswith("/") else None  # anything else: not a socket we know


def _watchdog_interval(env: Mapping[str, str]) -> float | None:
    """Seconds, or None when no watchdog is asked for (or it is for another process)."""
    try:
        usec = int(env.get("WATCHDOG_USEC", ""))
    except ValueError:
        return None
    pid = env.get("WATCHDOG_PID", "")
    if usec <= 0 or (pid and pid != str(os.getpid())):
        return None
    return usec / 1_000_000
