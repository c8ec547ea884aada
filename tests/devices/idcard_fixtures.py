"""Fixtures of the identity-reader tests: people, the GA 467 pty emulator, and a private
pcscd with the vpcd virtual reader (started here, stopped by its pid)."""
from __future__ import annotations

import datetime as dt
import queue
import socket

import pytest

from devices.idcard import IdCardReader
from devices.idcard.emulators.ga467_pty import Ga467Emulator
from domain.identity import DocumentKind, Identity

WAIT = 20  # seconds; generous for a loaded 2-core CI machine

RESIDENT = Identity(
    kind=DocumentKind.RESIDENT_ID, name="王建国", document_number="469023195801041234",
    sex="M", nation="黎", birth_date=dt.date(1958, 1, 4), address="海南省澄迈县金江镇文化北路18号",
    issuing_authority="澄迈县公安局", valid_from=dt.date(2016, 5, 20), valid_until=None,
)
FOREIGNER = Identity(
    kind=DocumentKind.FOREIGN_PERMANENT_RESIDENT, name="SMITH JOHN ALEXANDER",
    document_number="USA460090010105", sex="M", nationality="USA", chinese_name="史密斯",
    birth_date=dt.date(1980, 1, 5), issuing_authority="1500",
    valid_from=dt.date(2017, 6, 1), valid_until=dt.date(2027, 6, 1),
)


def next_event(events: queue.Queue, kind=None, timeout: float = WAIT):
    """The next event (of `kind`, skipping others if given)."""
    while True:
        event = events.get(timeout=timeout)
        if kind is None or isinstance(event, kind):
            return event


def open_reader(backend) -> tuple[IdCardReader, queue.Queue]:
    reader = IdCardReader(backend)
    events: queue.Queue = queue.Queue()
    reader.subscribe(events.put)
    reader.open()
    return reader, events


@pytest.fixture
def ga467_emulator(tmp_path):
    emulator = Ga467Emulator(tmp_path / "ttyUSB0").start()
    yield emulator
    emulator.stop()


def free_port() -> int:
    # vpcd also takes the next port for its second slot: find two free ones.
    for _ in range(50):
        with socket.socket() as a, socket.socket() as b:
            a.bind(("127.0.0.1", 0))
            port = a.getsockname()[1]
            try:
                b.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port pair")


@pytest.fixture
def pcscd():
    from devices.idcard.emulators.pcscd import Pcscd, PcscdUnavailable

    daemon = Pcscd(vpcd_port=free_port())
    try:
        daemon.start()
    except PcscdUnavailable as exc:
        pytest.fail(f"pcscd with vsmartcard-vpcd is needed (make test installs it): {exc}")
    yield daemon
    daemon.stop()
