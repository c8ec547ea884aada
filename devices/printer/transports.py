"""Connections to a receipt printer, each a python-escpos backend (Network, Serial, Usb,
File), chosen by a URI:

    tcp://192.168.1.50:9100
    serial:///dev/ttyUSB0?baudrate=19200
    usb://04b8:0202?in_ep=0x82&out_ep=0x01
    file:///var/lib/kiosk/printer        (a spool folder: one file a job)
    file:///dev/usb/lp0                  (a device node)

A transport writes bytes and asks DLE EOT questions. Every failure surfaces as
`TransportError` so the facade can turn it into a status a person can be told about.
python-escpos's printer objects are made when a transport first opens: importing them
takes a tenth of a second or more, which building the kiosk's devices should not cost.
"""
from __future__ import annotations

import datetime as dt
import os
import select
import socket
from abc import ABC, abstractmethod
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from .status import DLE_EOT


class TransportError(Exception):
    """The printer cannot be reached, or the connection broke mid-job."""


class Transport(ABC):
    """What every connection does; `write` is the one thing each must provide."""

    name = "escpos"
    can_query = True
    job_path: Path | None = None  # where the last job's bytes went, for file transports

    def open(self) -> None: ...
    def close(self) -> None: ...
    def begin_job(self) -> None: ...
    def end_job(self) -> None: ...

    @abstractmethod
    def write(self, data: bytes) -> None:
        """Send `data`; raise TransportError when it cannot."""

    def query(self, n: int, timeout: float) -> int | None:
        """Send DLE EOT n and return the reply byte, or None when the printer is silent."""
        return None

    def describe(self) -> str:
        return self.name


class _EscposBacked(Transport):
    """A connection through one of python-escpos's printer classes: made on the first
    open (importing python-escpos costs a tenth of a second or more), opened once, and
    closed after a failed write so the next job reconnects. Subclasses say how to make
    it, how a failure to open reads, and how to ask a status question."""

    def __init__(self):
        self._printer = None
        self._open = False

    @abstractmethod
    def _make(self):
        """The python-escpos printer object for this connection (not yet opened)."""

    def _unreachable(self) -> str:
        return f"cannot open {self.describe()}"

    def open(self) -> None:
        if self._open:
            return
        try:
            if self._printer is None:
                self._printer = self._make()
            self._printer.open()
            self._opened(self._printer)
        except Exception as exc:  # EscposError, OSError, USBError, or python-escpos failing to load
            raise TransportError(self._unreachable()) from exc
        self._open = True

    def _opened(self, printer) -> None:
        """After each open: a connection's own settings."""

    def close(self) -> None:
        if self._open:
            try:
                self._printer.close()
            except Exception:  # a device already gone (unplugged, reset): closed all the same
                pass
        self._open = False

    def write(self, data: bytes) -> None:
        self.open()
        try:
            self._printer._raw(data)
            self._flush(self._printer)
        except Exception as exc:  # OSError, SerialException, USBError on unplug
            self.close()  # reconnect on the next job
            raise TransportError(f"writing to {self.describe()} failed") from exc

    def _flush(self, printer) -> None:
        """After each write: what the connection needs to send it now."""


class NetworkTransport(_EscposBacked):
    name = "escpos-network"

    def __init__(self, host: str, port: int = 9100, timeout: float = 5.0):
        super().__init__()
        self.host, self.port, self.timeout = host, port, timeout

    def _make(self):
        from escpos.printer import Network

        return Network(host=self.host, port=self.port, timeout=self.timeout, profile="default")

    def _unreachable(self) -> str:
        return f"cannot connect to {self.host}:{self.port}"

    def _opened(self, printer) -> None:
        # Status questions are 3 bytes; without this Nagle holds each one back for the
        # previous segment's delayed ACK.
        printer.device.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def query(self, n: int, timeout: float) -> int | None:
        try:
            self.open()
            sock: socket.socket = self._printer.device
            self._drain(sock)
            sock.sendall(DLE_EOT + bytes([n]))
            ready, _, _ = select.select([sock], [], [], timeout)
            if not ready:
                return None
            reply = sock.recv(1)
        except (OSError, TransportError):
            self.close()
            return None
        if not reply:  # the printer closed the connection
            self.close()
            return None
        return reply[0]

    @staticmethod
    def _drain(sock: socket.socket) -> None:
        """Drop a late reply to an earlier question, so answers never get out of step."""
        while select.select([sock], [], [], 0)[0]:
            if not sock.recv(64):
                raise TransportError("printer closed the connection")

    def describe(self) -> str:
        return f"tcp://{self.host}:{self.port}"


class SerialTransport(_EscposBacked):
    name = "escpos-serial"

    def __init__(self, devfile: str, baudrate: int = 19200, dsrdtr: bool = False):
        super().__init__()
        self.devfile, self.baudrate, self.dsrdtr = devfile, baudrate, dsrdtr

    def _make(self):
        from escpos.printer import Serial

        return Serial(devfile=self.devfile, baudrate=self.baudrate, timeout=1, dsrdtr=self.dsrdtr,
                      profile="default")

    def _flush(self, printer) -> None:
        printer.device.flush()

    def query(self, n: int, timeout: float) -> int | None:
        try:
            self.open()
            port = self._printer.device
            port.reset_input_buffer()
            port.write(DLE_EOT + bytes([n]))
            port.timeout = timeout
            reply = port.read(1)
        except Exception:
            self.close()
            return None
        return reply[0] if reply else None

    def describe(self) -> str:
        return f"serial://{self.devfile}"


class UsbTransport(_EscposBacked):
    name = "escpos-usb"

    def __init__(self, vendor: int, product: int, in_ep: int = 0x82, out_ep: int = 0x01):
        super().__init__()
        self.vendor, self.product, self.in_ep, self.out_ep = vendor, product, in_ep, out_ep

    def _make(self):
        from escpos.printer import Usb

        return Usb(idVendor=self.vendor, idProduct=self.product, in_ep=self.in_ep, out_ep=self.out_ep,
                   timeout=5000, profile="default")

    def _unreachable(self) -> str:
        return f"USB printer {self.vendor:04x}:{self.product:04x} not found"

    def query(self, n: int, timeout: float) -> int | None:
        try:
            self.open()
            self._printer._raw(DLE_EOT + bytes([n]))
            reply = self._printer.device.read(self._printer.in_ep, 16, int(timeout * 1000))
        except Exception:
            return None
        return reply[-1] if len(reply) else None

    def describe(self) -> str:
        return f"usb://{self.vendor:04x}:{self.product:04x}"


class FileTransport(Transport):
    """Bytes to a file; a folder gets one file a job. A file cannot answer questions."""

    name = "escpos-file"
    can_query = False

    def __init__(self, target: Path):
        self.target = Path(target)
        self._jobs = 0
        self._printer = None

    @property
    def spool(self) -> bool:
        return not self.target.suffix and not str(self.target).startswith("/dev/")

    def open(self) -> None:
        if self.spool:
            try:
                self.target.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise TransportError(f"cannot create {self.target}") from exc

    def folder_problem(self) -> str:
        folder = self.target if self.spool else self.target.parent
        if not folder.exists():
            return f"{folder} missing"
        if not os.access(folder, os.W_OK):
            return f"{folder} not writable"
        return ""

    def begin_job(self) -> None:
        self.job_path = self._next_path()
        try:
            from escpos.printer import File

            self._printer = File(devfile=str(self.job_path), profile="default")
            self._printer.open()
        except Exception as exc:  # EscposError, OSError, or python-escpos itself failing to load
            self._printer = None
            raise TransportError(f"cannot open {self.job_path}") from exc

    def write(self, data: bytes) -> None:
        if self._printer is None:
            self.begin_job()
        try:
            self._printer._raw(data)
        except OSError as exc:
            raise TransportError(f"write to {self.job_path} failed") from exc

    def end_job(self) -> None:
        if self._printer is not None:
            self._printer.close()
            self._printer = None

    close = end_job

    def _next_path(self) -> Path:
        if not self.spool:
            return self.target
        self._jobs += 1
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        return self.target / f"job-{stamp}-{os.getpid()}-{self._jobs:04d}.escpos"

    def describe(self) -> str:
        return f"file://{self.target}"


def open_transport(uri: str) -> Transport:
    """Build the transport a URI names (not yet connected). Raises ValueError on a bad URI."""
    parts = urlparse(uri)
    params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    scheme = parts.scheme.lower()
    if scheme in ("tcp", "socket", "network"):
        if not parts.hostname:
            raise ValueError(f"no host in {uri!r}")
        return NetworkTransport(parts.hostname, parts.port or 9100, float(params.get("timeout", 5)))
    if scheme == "serial":
        path = parts.path or parts.netloc
        if not path:
            raise ValueError(f"no device in {uri!r}")
        return SerialTransport(path, int(params.get("baudrate", 19200)),
                               params.get("dsrdtr", "0") in ("1", "true", "yes"))
    if scheme == "usb":
        try:
            vendor, product = (int(x, 16) for x in parts.netloc.split(":"))
        except ValueError as exc:
            raise ValueError(f"usb URI needs VID:PID in hex, got {uri!r}") from exc
        return UsbTransport(vendor, product, int(params.get("in_ep", "0x82"), 0),
                            int(params.get("out_ep", "0x01"), 0))
    if scheme == "file":
        if not parts.path:
            raise ValueError(f"no path in {uri!r}")
        return FileTransport(Path(parts.path))
    raise ValueError(f"unknown printer URI scheme in {uri!r}")

