"""Starts and stops a private `pcscd` with only the vsmartcard-vpcd virtual reader, for
the tests, the benchmark and the demo (no systemd; stopped by its process id).

pcscd always serves /run/pcscd/pcscd.comm (the daemon ignores PCSCLITE_CSOCK_NAME), so
only one can run: a pcscd already running is reported, not killed.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from .vpcd import DEFAULT_PORT

SOCKET = Path("/run/pcscd/pcscd.comm")
PIDFILE = Path("/run/pcscd/pcscd.pid")
VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")


class PcscdUnavailable(RuntimeError):
    pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def running_pcscd() -> int | None:
    """The pid of a pcscd already serving the socket, if any."""
    try:
        pid = int(PIDFILE.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _alive(pid) else None


class Pcscd:
    def __init__(self, vpcd_port: int = DEFAULT_PORT, with_reader: bool = True):
        self.vpcd_port = vpcd_port
        self.with_reader = with_reader
        self.proc: subprocess.Popen | None = None
        self._dir = Path(tempfile.mkdtemp(prefix="kiosk-pcscd-"))
        self.log_path = self._dir / "pcscd.log"

    def start(self, timeout: float = 20.0) -> "Pcscd":
        exe = shutil.which("pcscd") or ("/usr/sbin/pcscd" if Path("/usr/sbin/pcscd").exists() else None)
        if exe is None or not VPCD_DRIVER.exists():
            raise PcscdUnavailable("pcscd and vsmartcard-vpcd are not installed (scripts/debian-packages.txt)")
        other = running_pcscd()
        if other is not None:
            raise PcscdUnavailable(f"another pcscd (pid {other}) is running")
        for stale in (SOCKET, PIDFILE):  # left by a pcscd that was killed
            stale.unlink(missing_ok=True)
        conf = self._dir / "reader.conf.d"
        conf.mkdir(exist_ok=True)
        for old in conf.iterdir():
            old.unlink()
        if self.with_reader:
            # /dev/null: vpcd listens (on every interface: the driver has no bind option).
            (conf / "vpcd").write_text(
                'FRIENDLYNAME "Virtual PCD"\n'
                f"DEVICENAME   /dev/null:0x{self.vpcd_port:04X}\n"
                f"LIBPATH      {VPCD_DRIVER}\n"
                f"CHANNELID    0x{self.vpcd_port:04X}\n"
            )
        SOCKET.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([exe, "--foreground", "--config", str(conf)],
                                     stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise PcscdUnavailable(f"pcscd exited with {self.proc.returncode}: {self.log_tail()}")
            if SOCKET.exists() and (not self.with_reader or self._vpcd_listening()):
                return self
            time.sleep(0.05)
        self.stop()
        raise PcscdUnavailable("pcscd did not come up: " + self.log_tail())

    def _vpcd_listening(self) -> bool:
        import socket

        # vpcd accepts one card connection; probing it would look like a card, so read
        # the kernel's listening sockets instead.
        needle = f":{self.vpcd_port:04X} 00000000:0000 0A"
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            try:
                if needle in Path(table).read_text():
                    return True
            except OSError:
                continue
        del socket
        return False

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def __enter__(self) -> "Pcscd":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
